"""Optional LLM engine: an OpenAI-compatible chat-completions server with tool calling.

Configured by CASEPILOT_LLM_BASE_URL, CASEPILOT_LLM_MODEL and CASEPILOT_LLM_API_KEY. The model
gets the question and the same tools the default engine uses, and is told to answer only from
their results. Then, whatever it wrote:

- every code-shaped word of its answer is checked against the code tables; a code no table
  holds is removed (the model may not invent one);
- the citations are those of the tools it called, never links it wrote;
- on any error, a bad reply or a timeout, the default engine answers instead.

It speaks plain HTTP with urllib: one POST per round, no SDK needed.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator

from django.conf import settings

from codes.models import BROWSE_KINDS, Code, System, compact_code

from . import engine, tools
from .tools import Citation, CodeRef, ToolResult

log = logging.getLogger(__name__)

MAX_ROUNDS = 8
SYSTEM_PROMPT = (
    "You are CasePilot, a medical coding assistant on a coding reference site. Answer ONLY from the "
    "results of the tools you are given: call them to look codes up, check NCCI edits, MUEs, add-on codes, "
    "the fee schedule, ICD-10-CM notes, modifiers and the site's guides. Never state a code, number or rule "
    "that is not in a tool result. If the tools do not answer the question, say you do not know and where "
    "to look. Be short and clear; name the codes you talk about."
)

# Words shaped like a code of some system: checked against the tables before an answer is shown.
CODE_SHAPED = re.compile(
    r"(?<![A-Za-z0-9.])("
    r"[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"  # ICD-10-CM
    r"|[A-V]\d{4}"  # HCPCS Level II
    r"|\d{4}[0-9FTU]"  # CPT
    r"|(?=[0-9A-HJ-NP-Z]*\d)[0-9A-HJ-NP-Z]{7}"  # ICD-10-PCS
    r")(?![A-Za-z0-9])"
)


class LlmError(Exception):
    pass


def configured() -> bool:
    return bool(settings.CASEPILOT_LLM_BASE_URL and settings.CASEPILOT_LLM_MODEL)


def _chat(messages: list[dict]) -> dict:
    body = json.dumps(
        {"model": settings.CASEPILOT_LLM_MODEL, "messages": messages, "tools": tools.schemas(), "temperature": 0}
    )
    request = urllib.request.Request(
        f"{settings.CASEPILOT_LLM_BASE_URL}/chat/completions",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.CASEPILOT_LLM_API_KEY}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.CASEPILOT_LLM_TIMEOUT) as response:
            reply = json.loads(response.read())
        return reply["choices"][0]["message"]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:  # URLError and timeouts are OSErrors
        raise LlmError(str(error)) from error


def _call(name: str, raw_arguments: str, cap: tools.DetailCap | None) -> ToolResult | str:
    """Run a tool the model asked for; a bad call returns an error message for the model instead."""
    try:
        args = json.loads(raw_arguments or "{}")
    except ValueError:
        args = None
        if name in tools.TOOLS:
            return "The arguments were not valid JSON."
    try:
        return tools.call(name, tools.validate(name, args), cap=cap)
    except tools.BadCall as error:
        return str(error)


def known_codes(text: str) -> set[str]:
    """The code-shaped words of `text` that some code table holds (by compact form)."""
    words = {m.group(1) for m in CODE_SHAPED.finditer(text)}
    if not words:
        return set()
    compacts = {compact_code(w) for w in words}
    found = set(
        Code.objects.filter(system__in=System.values, compact__in=compacts)
        .exclude(kind__in=BROWSE_KINDS)
        .values_list("compact", flat=True)
    )
    return {w for w in words if compact_code(w) in found}


def strip_unknown_codes(text: str) -> tuple[str, list[str]]:
    """Remove every code-shaped word that no table holds; returns the text and what was removed."""
    known = known_codes(text)
    removed: list[str] = []

    def replace(match: re.Match) -> str:
        if match.group(1) in known:
            return match.group(1)
        removed.append(match.group(1))
        return "[code removed]"

    return CODE_SHAPED.sub(replace, text), removed


def _llm_events(question: str, cap: tools.DetailCap | None) -> Iterator[tuple[str, object]]:
    messages: list[dict] = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]
    results: list[ToolResult] = []
    for _round in range(MAX_ROUNDS):
        message = _chat(messages)
        calls = message.get("tool_calls") or []
        if not calls:
            content = message.get("content")
            if not isinstance(content, str) or not content.strip():
                raise LlmError("empty answer")
            text, removed = strip_unknown_codes(content.strip())
            if removed:
                log.warning("CasePilot LLM answer named unknown codes, removed: %s", removed)
            withheld, withheld_refs = cap.notice() if cap else ("", [])
            if withheld:
                text = f"{text}\n\n{withheld}"
            citations = list({c.url: c for r in results for c in r.citations}.values())
            refs = [ref for r in results for ref in r.codes] + _refs_for(text) + withheld_refs
            yield "text", text
            yield (
                "done",
                engine.Answer(
                    question=question,
                    text=text,
                    citations=citations,
                    codes=engine.mentioned_codes(text, refs),
                    intents=[],
                    engine="llm",
                    results=results,
                ),
            )
            return
        messages.append({"role": "assistant", "content": message.get("content"), "tool_calls": calls})
        for call in calls:
            function = call.get("function") or {}
            name = function.get("name", "")
            yield "progress", _progress(name, function.get("arguments", ""))
            result = _call(name, function.get("arguments", ""), cap)
            if isinstance(result, ToolResult):
                results.append(result)
                content = json.dumps({"facts": result.facts, "data": result.data}, default=str)
            else:
                content = json.dumps({"error": result})
            messages.append({"role": "tool", "tool_call_id": call.get("id", ""), "content": content})
    raise LlmError("too many tool rounds")


def _progress(name: str, raw_arguments: str) -> str:
    """The same progress line the default engine shows ("Checking the MUEs of J1100…"), when it can."""
    try:
        args = json.loads(raw_arguments or "{}")
    except ValueError:
        args = {}
    if not isinstance(args, dict):
        args = {}
    return tools.progress(name, {k: v for k, v in args.items() if isinstance(v, str | int)})


def _refs_for(text: str) -> list[CodeRef]:
    """Links for the codes the answer names that no tool result linked (validated against the tables)."""
    compacts = {compact_code(w) for w in known_codes(text)}
    rows = Code.objects.filter(system__in=System.values, compact__in=compacts).exclude(kind__in=BROWSE_KINDS)
    return [CodeRef(system=r.system, code=r.code, url=r.get_absolute_url()) for r in rows]


def run(question: str, *, cap: tools.DetailCap | None = None) -> Iterator[tuple[str, object]]:
    """Events like engine.run; falls back to the default engine on any failure of the model."""
    buffered: list[tuple[str, object]] = []
    try:
        # Text is held back until the model has finished, so a failure half-way never shows
        # half an answer followed by another; progress is passed on as it comes.
        for kind, value in _llm_events(question, cap):
            if kind == "progress":
                yield kind, value
            else:
                buffered.append((kind, value))
    except LlmError as error:
        log.warning("CasePilot LLM engine failed, default engine answers: %s", error)
        yield from engine.run(question, cap=tools.DetailCap(cap.limit, cap.plan) if cap else None)
        return
    yield from buffered


def answer(question: str, *, cap: tools.DetailCap | None = None) -> engine.Answer:
    for kind, value in run(question, cap=cap):
        if kind == "done":
            return value
    raise AssertionError("run always finishes with an answer")


__all__ = ["Citation", "answer", "configured", "run", "strip_unknown_codes"]

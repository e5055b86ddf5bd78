"""CasePilot's pages and API: ask a question (streamed with JavaScript, a whole page without),
the history of a signed-in user, rating an answer, the permalink page, and the JSON API.

Every way in goes through `_admit` (length, rate limit, daily quota, PHI redaction) before any
engine sees the question, and `_save` stores only the redacted text.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from accounts import quota as meter
from accounts.tokens import api_auth

from . import engine, llm, quota, tools
from .forms import MAX_QUESTION, QuestionForm
from .models import Question
from .phi import redact

EXAMPLES = [
    "What is CPT code 99213?",
    "Is E11 billable?",
    "Can 43239 and 43235 be billed together?",
    "How many units of J1100 per day?",
    "What are the RVUs of 99214 in Manhattan?",
    "What does modifier XE mean?",
    "ICD-10 code for heart attack",
    "Excludes1 notes of M48.56XA",
]


@dataclass
class Admitted:
    text: str  # redacted
    redactions: dict[str, int]
    notice: str
    plan: str = "guest"
    remaining: int | None = None


class Refused(Exception):
    def __init__(self, message: str, status: int, *, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds, for the Retry-After header of a 429

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def _asker(request: HttpRequest) -> str:
    """A hash of a guest's cookie key (the meter's, accounts/quota.py): lets them rate the answers they got."""
    key = meter.for_request(request).guest_key
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def _rate_key(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return meter.address_subject(meter.client_address(request))


def _admit(request: HttpRequest, raw: object, *, page: bool = True, about: object = "") -> Admitted:
    """Check and clean a question, or raise Refused with what to tell the asker."""
    form = QuestionForm(
        {"question": raw if isinstance(raw, str) else "", "about": about if isinstance(about, str) else ""}
    )
    if not form.is_valid():
        raise Refused(form.first_error(), 400)
    text = form.question_text()
    if is_ratelimited(
        request, group="casepilot.ask", key=_rate_key, rate=settings.CASEPILOT_RATE, method="POST", increment=True
    ):
        raise Refused("You are asking very fast. Wait a minute, then ask again.", 429)
    if page:
        # A guest on the page gets the meter's cookie (it lets them rate their answers); API callers
        # rarely keep cookies and are counted by address alone.
        meter.for_request(request).subject()
    spent = quota.spend(request)
    if not spent.allowed:
        raise Refused(spent.message, 429, retry_after=spent.retry_after)
    result = redact(text)
    notice = ""
    if result.counts:
        notice = (
            f"Your question seemed to contain personal health information ({result.summary()}). "
            "It was removed before the question was answered or stored."
        )
    return Admitted(
        text=result.text, redactions=dict(result.counts), notice=notice, plan=spent.plan, remaining=spent.remaining
    )


def detail_codes(plan: str) -> int | None:
    """How many codes' locked details one answer may carry on a plan (None: all of them)."""
    return {"guest": 3, "free": 3}.get(plan)


def _events(admitted: Admitted) -> Iterator[tuple[str, object]]:
    """The configured engine's events: the LLM engine when set up (it falls back by itself), else the default."""
    cap = tools.DetailCap(detail_codes(admitted.plan), admitted.plan)
    if llm.configured():
        return llm.run(admitted.text, cap=cap)
    return engine.run(admitted.text, cap=cap)


def _answer(admitted: Admitted) -> engine.Answer:
    for kind, value in _events(admitted):
        if kind == "done":
            return value
    raise AssertionError("the engines always finish with an answer")


def _save(request: HttpRequest, admitted: Admitted, answer: engine.Answer, started: float) -> Question:
    user = request.user if request.user.is_authenticated else None
    return Question.objects.create(
        user=user,
        asker="" if user else _asker(request),
        text=admitted.text,
        answer=answer.text,
        citations=[{"title": c.title, "url": c.url} for c in answer.citations],
        codes=[{"system": c.system, "code": c.code, "url": c.url} for c in answer.codes],
        intents=answer.intents,
        engine=answer.engine,
        redactions=admitted.redactions,
        duration_ms=int((time.perf_counter() - started) * 1000),
    )


def _can_rate(request: HttpRequest, question: Question) -> bool:
    return question.is_asker(user=request.user, asker=_asker(request))


def _visible_question(request: HttpRequest, slug: str) -> Question:
    """The question at a permalink, for its asker, or for anyone once shared; else 404 (not
    403: a private answer's link tells nobody else that it exists)."""
    question = get_object_or_404(Question, slug=slug)
    if not question.visible_to(user=request.user, asker=_asker(request)):
        raise Http404("No such answer.")
    return question


def _page(request: HttpRequest, **context) -> dict:
    history = []
    if request.user.is_authenticated:
        history = list(Question.objects.of(request.user).only("slug", "text", "created", "rating")[:20])
    return {
        "examples": EXAMPLES,
        "history": history,
        "allowance": quota.remaining(request),
        "max_length": MAX_QUESTION,
        **context,
    }


def _stream(request: HttpRequest, admitted: Admitted) -> Iterator[str]:
    """NDJSON lines: progress, then text paragraphs, then the finished answer with its permalink."""
    started = time.perf_counter()
    if admitted.notice:
        yield json.dumps({"type": "notice", "text": admitted.notice}) + "\n"
    for kind, value in _events(admitted):
        if kind == "done":
            question = _save(request, admitted, value, started)
            yield json.dumps({
                "type": "done",
                **value.as_api(),
                "permalink": question.get_absolute_url(),
                "remaining": admitted.remaining,
                "rate_url": f"{question.get_absolute_url()}rate/",
            }) + "\n"  # fmt: skip
        else:
            yield json.dumps({"type": kind, "text": value}) + "\n"


@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "casepilot/index.html", _page(request))
    asked = request.POST.get("question", "")
    try:
        admitted = _admit(request, asked, about=request.POST.get("about", ""))
    except Refused as refused:
        if request.headers.get("X-CasePilot-Stream"):
            return JsonResponse({"error": refused.message}, status=refused.status, headers=refused.headers())
        response = render(
            request, "casepilot/index.html", _page(request, error=refused.message, asked=asked[:MAX_QUESTION]),
            status=refused.status,
        )  # fmt: skip
        for header, value in refused.headers().items():
            response[header] = value
        return response
    if request.headers.get("X-CasePilot-Stream"):
        response = StreamingHttpResponse(_stream(request, admitted), content_type="application/x-ndjson")
        response["Cache-Control"] = "no-store"
        response["X-Accel-Buffering"] = "no"  # nginx: pass each line on as it comes
        return response
    # Without JavaScript: the whole answer page at once.
    started = time.perf_counter()
    answer = _answer(admitted)
    question = _save(request, admitted, answer, started)
    return render(
        request,
        "casepilot/index.html",
        _page(request, question=question, notice=admitted.notice, can_rate=True),
    )


@require_safe
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    question = _visible_question(request, slug)
    return render(
        request,
        "casepilot/answer.html",
        {"question": question, "can_rate": _can_rate(request, question)},
    )


@require_POST
@ratelimit(key="ip", rate="60/m", block=True)
def rate(request: HttpRequest, slug: str) -> HttpResponse:
    question = _visible_question(request, slug)
    if not _can_rate(request, question):
        return HttpResponse("Only the person who asked can rate this answer.", status=403, content_type="text/plain")
    try:
        value = int(request.POST.get("rating", ""))
    except ValueError:
        value = 0
    if value not in Question.Rating.values:
        return HttpResponse("Rate the answer helpful (1) or not helpful (-1).", status=400, content_type="text/plain")
    Question.objects.filter(pk=question.pk).update(rating=value, rated_at=timezone.now())
    if request.headers.get("X-CasePilot-Stream"):
        return JsonResponse({"rating": value})
    return redirect(question.get_absolute_url() + "?rated=1")


@require_POST
@ratelimit(key="ip", rate="30/m", block=True)
def share(request: HttpRequest, slug: str) -> HttpResponse:
    """The asker shares the permalink (anyone with it can read the answer) or makes it private again."""
    question = _visible_question(request, slug)
    if not _can_rate(request, question):
        return HttpResponse("Only the person who asked can share this answer.", status=403, content_type="text/plain")
    shared = request.POST.get("shared") == "on"
    Question.objects.filter(pk=question.pk).update(shared=shared)
    return redirect(question.get_absolute_url())


@csrf_exempt
@require_http_methods(["POST"])
@api_auth  # a personal API token (Pro, staff) asks as its owner, on its owner's plan
def api_ask(request: HttpRequest) -> JsonResponse:
    """POST {"question": "..."} -> {"answer", "citations": [{"title", "url"}], "codes": [{"system", "code", "url"}]}."""
    # CSRF-exempt for token clients, so a signed-in browser must not be driven here by another
    # site: only a JSON body is accepted, which a cross-site form cannot send (and fetch() only
    # after a CORS preflight this site never grants).
    if request.content_type != "application/json":
        return JsonResponse({"error": "Send the question as JSON (Content-Type: application/json)."}, status=415)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": 'Send a JSON object: {"question": "..."}.'}, status=400)
    if not isinstance(body, dict) or "question" not in body:
        return JsonResponse({"error": 'Send a JSON object with a "question" string.'}, status=400)
    try:
        admitted = _admit(request, body["question"], page=False)
    except Refused as refused:
        return JsonResponse({"error": refused.message}, status=refused.status, headers=refused.headers())
    started = time.perf_counter()
    result = _answer(admitted)
    _save(request, admitted, result, started)
    return JsonResponse(result.as_api())

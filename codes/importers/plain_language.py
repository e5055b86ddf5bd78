"""Plain-language ("Common Language") descriptions written by the codingahead editors.

The bundled files in `fixtures/plain_language/*.jsonl` hold one JSON object per line:
`{"system": "cpt", "code": "99213", "short_title": "...", "author": "...", "text": "...",
"sources": ["..."], "reviewed": "2026-12-02"}`. They are our own text, not a government
release, so the checks here are editorial ones (known system, code shape, 80-200 words, a
short title of at most 70 characters, sources, a reviewed date, one entry per code) rather
than a release layout. CPT entries must carry `short_title`, `sources` and `reviewed` (the
CPT page has no licensed title to show); other systems may.

Who owns a row: the import writes a row and remembers a digest of what it wrote
(`PlainDescription.bundled_sha`). A row that no longer matches its digest was changed by an
editor (text, title, sources, reviewed date or author), and a row returned to draft was
withdrawn by one: the import leaves both alone and reports them as kept. The admin's "hand
back" action makes a row the import's again. Rows the import owns are made equal to the
file; new rows are published at once.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from codes.importers.base import (
    BATCH_SIZE,
    ImportFileError,
    open_text,
    register_release,
)
from codes.models import Code, PlainDescription, System, editorial_sha

FIXTURE_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures" / "plain_language"
MIN_WORDS, MAX_WORDS = 80, 200
REQUIRED_KEYS = ("system", "code", "author", "text")
MAX_TITLE = 70
# Keys an entry of these systems must have besides REQUIRED_KEYS: a CPT page leads with our
# short title, since the AMA descriptor is not bundled.
REQUIRED_BY_SYSTEM: dict[str, tuple[str, ...]] = {System.CPT: ("short_title", "sources", "reviewed")}

# The canonical form of a code in each system, as on the code pages.
CODE_SHAPES: dict[str, re.Pattern] = {
    System.ICD10CM: re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"),
    System.ICD10PCS: re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),  # PCS never uses I or O
    System.HCPCS: re.compile(r"^[A-V][0-9]{4}$"),
    System.CPT: re.compile(r"^[0-9]{4}[0-9AFMTU]$"),  # Category I, vaccines (A), II (F), MAAA (M), III (T), PLA (U)
    System.MSDRG: re.compile(r"^[0-9]{3}$"),
}


@dataclass
class PlainEntry:
    system: str
    code: str
    author: str
    text: str
    short_title: str = ""
    sources: list[str] = field(default_factory=list)
    reviewed: datetime.date | None = None
    path: str = ""
    line: int = 0

    def sha(self) -> str:
        return editorial_sha(
            short_title=self.short_title,
            text=self.text,
            sources=self.sources,
            reviewed=self.reviewed,
            author=self.author,
        )


@dataclass
class LoadResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # "system code" rows an editor has taken over
    unknown: dict[str, list[str]] = field(default_factory=dict)  # system -> codes not in Code

    def __str__(self) -> str:
        return (
            f"{self.added:,} added, {self.updated:,} updated, {self.unchanged:,} unchanged, "
            f"{len(self.kept):,} kept (changed by an editor)"
        )


def word_count(text: str) -> int:
    return len(text.split())


def check_entry(data: object) -> str | None:
    """Why one decoded line is not a valid entry, or None when it is."""
    if not isinstance(data, dict):
        return "not a JSON object"
    missing = [key for key in REQUIRED_KEYS if not isinstance(data.get(key), str) or not data[key].strip()]
    if missing:
        return f"missing or empty {', '.join(missing)}"
    if data["system"] not in CODE_SHAPES:
        return f"unknown system {data['system']!r}"
    if not CODE_SHAPES[data["system"]].match(data["code"]):
        return f"{data['code']!r} is not a {data['system']} code in canonical form"
    if "\n" in data["text"]:
        return "text must be one paragraph (no newlines)"
    words = word_count(data["text"])
    if not MIN_WORDS <= words <= MAX_WORDS:
        return f"text has {words} words, not {MIN_WORDS}-{MAX_WORDS}"
    missing = [key for key in REQUIRED_BY_SYSTEM.get(data["system"], ()) if not data.get(key)]
    if missing:
        return f"a {data['system']} entry needs {', '.join(missing)}"
    title = data.get("short_title", "")
    if not isinstance(title, str) or "\n" in title or len(title.strip()) > MAX_TITLE:
        return f"short_title must be one line of at most {MAX_TITLE} characters"
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
        return "sources must be a list of non-empty strings"
    if "reviewed" in data:
        try:
            datetime.date.fromisoformat(data["reviewed"])
        except (TypeError, ValueError):
            return f"reviewed must be a date as YYYY-MM-DD, not {data['reviewed']!r}"
    return None


def parse_file(*, path: Path | str) -> list[PlainEntry]:
    """Read one .jsonl file; raise ImportFileError naming the first bad line."""
    entries = []
    with open_text(path) as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ImportFileError(path, number, f"not valid JSON ({exc.msg})") from None
            problem = check_entry(data)
            if problem:
                raise ImportFileError(path, number, problem)
            entries.append(
                PlainEntry(
                    system=data["system"],
                    code=data["code"],
                    author=data["author"].strip(),
                    text=data["text"].strip(),
                    short_title=data.get("short_title", "").strip(),
                    sources=[source.strip() for source in data.get("sources", [])],
                    reviewed=datetime.date.fromisoformat(data["reviewed"]) if data.get("reviewed") else None,
                    path=str(path),
                    line=number,
                )
            )
    return entries


def parse_files(*, paths: Iterable[Path | str]) -> list[PlainEntry]:
    """Read several files; a (system, code) may appear only once across all of them."""
    entries: list[PlainEntry] = []
    seen: dict[tuple[str, str], PlainEntry] = {}
    for path in paths:
        for entry in parse_file(path=path):
            first = seen.get((entry.system, entry.code))
            if first:
                raise ImportFileError(
                    path,
                    entry.line,
                    f"{entry.system} {entry.code} already described in {Path(first.path).name}, line {first.line}",
                )
            seen[(entry.system, entry.code)] = entry
            entries.append(entry)
    return entries


def bundled_paths() -> list[Path]:
    return sorted(FIXTURE_DIR.glob("*.jsonl"))


def unknown_codes(*, entries: list[PlainEntry]) -> dict[str, list[str]]:
    """Codes per system that the Code table does not have (e.g. code sets not loaded yet)."""
    by_system: dict[str, set[str]] = {}
    for entry in entries:
        by_system.setdefault(entry.system, set()).add(entry.code)
    missing = {}
    for system, codes in by_system.items():
        known = set(Code.objects.filter(system=system, code__in=codes).values_list("code", flat=True))
        if codes - known:
            missing[system] = sorted(codes - known)
    return missing


def load_descriptions(*, entries: list[PlainEntry], paths: Iterable[Path | str] = ()) -> LoadResult:
    """Upsert the entries as published PlainDescription rows, in one transaction.

    Rows an editor changed since the last import (they no longer match their digest) or
    withdrew (draft) are left alone; rows that already match the file are not written, so
    a rerun changes nothing.
    """
    result = LoadResult()
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (row.system, row.code): row
            for row in PlainDescription.objects.filter(code__in={entry.code for entry in entries})
        }
        writes = []
        for entry in entries:
            row = existing.get((entry.system, entry.code))
            sha = entry.sha()
            if row is None:
                result.added += 1
                published = now
            elif row.status != PlainDescription.Status.PUBLISHED or row.edited:
                result.kept.append(f"{entry.system} {entry.code}")
                continue
            elif row.bundled_sha == sha:
                result.unchanged += 1
                continue
            else:
                result.updated += 1
                published = row.published or now
            writes.append(
                PlainDescription(
                    system=entry.system,
                    code=entry.code,
                    short_title=entry.short_title,
                    text=entry.text,
                    sources=entry.sources,
                    reviewed=entry.reviewed,
                    author=entry.author,
                    status=PlainDescription.Status.PUBLISHED,
                    created=now,
                    published=published,
                    bundled_sha=sha,
                )
            )
        PlainDescription.objects.bulk_create(
            writes,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["system", "code"],
            update_fields=[
                "short_title",
                "text",
                "sources",
                "reviewed",
                "author",
                "status",
                "published",
                "bundled_sha",
                "updated",
            ],
        )
        _register(entries=entries, paths=paths)
        result.unknown = unknown_codes(entries=entries)
    return result


def _register(*, entries: list[PlainEntry], paths: Iterable[Path | str]) -> None:
    # The version is a digest of the content, so loading the same files again keeps one row.
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(f"{entry.system}\t{entry.code}\t{entry.sha()}\n".encode())
    release = register_release(
        dataset="plain-language",
        version=digest.hexdigest()[:12],
        title="codingahead plain-language descriptions",
        source=", ".join(Path(path).name for path in paths) or "fixtures/plain_language",
        licence="CC BY 4.0 (codingahead editorial team)",
    )
    if release.row_count != len(entries):
        release.row_count = len(entries)
        release.save(update_fields=["row_count"])

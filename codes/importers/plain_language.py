"""Plain-language ("Common Language") descriptions written by the codingahead editors.

The bundled files in `fixtures/plain_language/*.jsonl` hold one JSON object per line:
`{"system": "icd-10-cm", "code": "E11.9", "author": "...", "text": "..."}`. They are our
own text, not a government release, so the checks here are editorial ones (known system,
code shape, 80-200 words, one entry per code) rather than a release layout.

Who owns a row: the import owns a description only while the row's `author` is the
author named in the file and the row is published. An editor who rewrites a description
in the admin puts their own name in `author`, and one who withdraws it sets it back to
draft; from then on the import leaves that row alone (it reports it as kept). Rows the
import owns are made equal to the file; new rows are published at once.
"""

from __future__ import annotations

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
from codes.models import Code, PlainDescription, System

FIXTURE_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures" / "plain_language"
MIN_WORDS, MAX_WORDS = 80, 200
REQUIRED_KEYS = ("system", "code", "author", "text")

# The canonical form of a code in each system, as on the code pages.
CODE_SHAPES: dict[str, re.Pattern] = {
    System.ICD10CM: re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"),
    System.ICD10PCS: re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),  # PCS never uses I or O
    System.HCPCS: re.compile(r"^[A-V][0-9]{4}$"),
    System.CPT: re.compile(r"^[0-9]{4}[0-9FTU]$"),  # Category I, II (F), III (T), PLA (U)
    System.MSDRG: re.compile(r"^[0-9]{3}$"),
}


@dataclass
class PlainEntry:
    system: str
    code: str
    author: str
    text: str
    path: str = ""
    line: int = 0


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

    Rows that an editor has taken over (author differs from the file's) are left alone;
    rows whose text and author already match are not written, so a rerun changes nothing.
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
            if row is None:
                result.added += 1
                published = now
            elif row.author != entry.author or row.status != PlainDescription.Status.PUBLISHED:
                # Taken over (another author) or withdrawn (draft) by an editor.
                result.kept.append(f"{entry.system} {entry.code}")
                continue
            elif row.text == entry.text:
                result.unchanged += 1
                continue
            else:
                result.updated += 1
                published = row.published or now
            writes.append(
                PlainDescription(
                    system=entry.system,
                    code=entry.code,
                    text=entry.text,
                    author=entry.author,
                    status=PlainDescription.Status.PUBLISHED,
                    created=now,
                    published=published,
                )
            )
        PlainDescription.objects.bulk_create(
            writes,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["system", "code"],
            update_fields=["text", "author", "status", "published", "updated"],
        )
        _register(entries=entries, paths=paths)
        result.unknown = unknown_codes(entries=entries)
    return result


def _register(*, entries: list[PlainEntry], paths: Iterable[Path | str]) -> None:
    # The version is a digest of the content, so loading the same files again keeps one row.
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(f"{entry.system}\t{entry.code}\t{entry.author}\t{entry.text}\n".encode())
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

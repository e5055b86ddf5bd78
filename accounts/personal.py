"""A signed-in user's own code data: favourites, private notes and recently viewed codes."""

import csv
import io
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from codes.models import Code

from .models import CodeNote, FavouriteCode


def code_state(*, user, code: Code) -> dict:
    """Whether `user` starred `code` and their note on it, in one query (none for a visitor)."""
    if not user.is_authenticated:
        return {"favourite": False, "note": ""}
    row = (
        Code.objects.filter(pk=code.pk)
        .annotate(
            is_favourite=Exists(FavouriteCode.objects.filter(user=user, code=OuterRef("pk"))),
            note_text=Subquery(CodeNote.objects.filter(user=user, code=OuterRef("pk")).values("text")[:1]),
        )
        .values("is_favourite", "note_text")
        .first()
    ) or {}
    return {"favourite": bool(row.get("is_favourite")), "note": row.get("note_text") or ""}


def set_favourite(*, user, code: Code, on: bool) -> bool:
    if on:
        FavouriteCode.objects.get_or_create(user=user, code=code)
    else:
        FavouriteCode.objects.filter(user=user, code=code).delete()
    return on


def save_note(*, user, code: Code, text: str) -> CodeNote | None:
    """Save the user's note on a code; an empty note deletes it."""
    text = text.strip()
    if not text:
        CodeNote.objects.filter(user=user, code=code).delete()
        return None
    note, _ = CodeNote.objects.update_or_create(
        user=user, code=code, defaults={"text": text, "updated": timezone.now()}
    )
    return note


def recently_viewed(user, limit: int = 20) -> list[dict]:
    """The codes the user opened most recently, newest first: [{"code": Code, "viewed_at": datetime}].

    Read from the metering records (accounts.models.CodeView: one row per code and metering period);
    empty if that model is not there.
    """
    from . import models

    view_model = getattr(models, "CodeView", None)
    if view_model is None or not user.is_authenticated:
        return []
    rows = view_model.objects.filter(user=user).select_related("code").order_by("-viewed")[: limit * 3]
    seen: set[int] = set()
    recent = []
    for row in rows:  # a code opened in several months has a row per month: keep the newest
        if row.code_id not in seen:
            seen.add(row.code_id)
            recent.append({"code": row.code, "viewed_at": row.viewed})
    return recent[:limit]


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def export_csv(user) -> str:
    """Favourites, notes and recently viewed codes as one CSV table (one row per item)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["type", "system", "code", "title", "note", "date", "url"])

    def row(kind: str, code: Code, note: str, when) -> list[str]:
        title = code.title or code.short_title
        url = settings.SITE_ROOT + code.get_absolute_url()
        return [kind, code.system, code.code, _cell(title), _cell(note), _iso(when), url]

    for fav in FavouriteCode.objects.filter(user=user).select_related("code"):
        writer.writerow(row("favourite", fav.code, "", fav.created))
    for note in CodeNote.objects.filter(user=user).select_related("code"):
        writer.writerow(row("note", note.code, note.text, note.updated))
    for item in recently_viewed(user, limit=1000):
        writer.writerow(row("viewed", item["code"], "", item["viewed_at"]))
    return out.getvalue()

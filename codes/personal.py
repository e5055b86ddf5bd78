"""Per-code user data: favourites, private notes and code views (the meter's record of which codes a
visitor opened each month, and a signed-in user's "recently viewed").

The models keep the tables they had in accounts (db_table): moving them lost no row. codes/models.py
imports them, so Django finds them; this module names codes by "codes.Code" and imports no model of
its own app (no cycle).
"""

import csv
import datetime
import io

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import connections, models, router, transaction
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from accounts import quota
from accounts.models import QuotaCounter
from accounts.privacy import iso


class FavouriteCode(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_codes")
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_favouritecode"
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="favourite_unique")]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.code_id}"


class CodeNote(models.Model):
    """A private note a user keeps on a code. Only its owner ever sees it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="code_notes")
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_codenote"
        ordering = ["-updated"]
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="code_note_unique")]

    def __str__(self) -> str:
        return f"{self.user} note on {self.code_id}"


class CodeViewQuerySet(models.QuerySet):
    def spend(self, code_quota: quota.Quota, code) -> bool:
        """Count a view of `code` by the visitor of `code_quota`: free when they opened it this month,
        else one code view from every counter of theirs (accounts/quota.py), or nothing is written.
        False when there is no room (the page shows the gate). The view row and the counters move
        in one transaction: parallel requests for one code count once (the unique row), and for
        different codes never overspend (QuotaCounter.objects.spend)."""
        if not code_quota.enabled:
            return True
        counters = code_quota.code_view_counters()
        user = code_quota.user
        subject = code_quota.subject()
        connection = connections[router.db_for_write(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = (
            f"INSERT INTO {table} (subject, period, code_id, user_id, viewed) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (subject, period, code_id) DO NOTHING"
        )
        params = [subject, code_quota.period, code.pk, user.pk if user else None, code_quota.now]
        if not counters:  # unlimited: the row is only the user's "recently viewed", one statement
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return True
        # The ORM cannot say whether an INSERT ... ON CONFLICT DO NOTHING wrote its row: rowcount does.
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                if cursor.rowcount != 1:
                    return True
            allowed, used = QuotaCounter.objects.using(connection.alias).spend(counters, savepoint=False)
        code_quota.counted(used)
        return allowed

    def seen(self, code_quota: quota.Quota, code) -> bool:
        """Whether the visitor of `code_quota` opened `code` this month (a view of it is then free)."""
        return self.filter(subject=code_quota.subject(make_key=False), period=code_quota.period, code=code).exists()

    def recently_viewed(self, user, limit: int = 20) -> list[dict]:
        """The codes `user` opened, newest first, each once: [{"code": Code, "viewed_at": datetime}]."""
        rows = self.filter(user=user).select_related("code").order_by("-viewed")[: limit * 4]
        seen: set[int] = set()
        recent = []
        for row in rows:  # a code opened in several months has a row per month: keep the newest
            if row.code_id not in seen:
                seen.add(row.code_id)
                recent.append({"code": row.code, "viewed_at": row.viewed})
        return recent[:limit]

    def prune(self, *, now: datetime.datetime | None = None, keep_user_months: int = 12) -> dict[str, int]:
        """Guests' rows of past months; accounts' rows (their "recently viewed") older than `keep_user_months`."""
        now = now or timezone.now()
        first = now.date().replace(day=1)
        for _ in range(keep_user_months):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        return {
            "guest views": self.filter(user__isnull=True, period__lt=quota.month_of(now)).delete()[0],
            "account views": self.filter(user__isnull=False, period__lt=quota.month_of(first)).delete()[0],
        }


class CodeView(models.Model):
    """A code opened by one visitor in one metering period; a view of a code already opened in the
    period is free. The unique row is what makes parallel requests count once. Signed-in users'
    rows carry the user, and are their "recently viewed" list."""

    # "u:<user id>" or "g:<hash of the guest cookie's key>" (accounts/quota.py).
    subject = models.CharField(max_length=80)
    period = models.CharField(max_length=10, help_text="YYYY-MM")
    # A row is written on every new code page view, guests' most of all: each index costs every
    # one of those writes. The code's is not kept (codes are marked deleted, never removed); the
    # user's is the partial index below, which guests' rows stay out of.
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="code_views",
        db_index=False,
    )
    viewed = models.DateTimeField(default=timezone.now)

    objects = CodeViewQuerySet.as_manager()

    class Meta:
        db_table = "accounts_codeview"
        constraints = [models.UniqueConstraint(fields=["subject", "period", "code"], name="code_view_unique")]
        indexes = [
            models.Index(fields=["user", "-viewed"], name="code_view_recent", condition=models.Q(user__isnull=False))
        ]

    def __str__(self) -> str:
        return f"{self.subject} viewed {self.code_id} in {self.period}"


# --- A user's own code data -----------------------------------------------------------------


def code_state(*, user, code) -> dict:
    """Whether `user` starred `code` and their note on it (none for a visitor).

    One query on every signed-in code page, in SQL: the ORM spends more building it than the
    database running it (measured 2.0 ms of CPU as an ORM query with Exists and Subquery, 1.5 ms as
    two ORM queries, 0.14 ms as this statement, on the loaded benchmark machine)."""
    if not user.is_authenticated:
        return {"favourite": False, "note": ""}
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {FavouriteCode._meta.db_table} WHERE user_id = %s AND code_id = %s),"
        f" (SELECT text FROM {CodeNote._meta.db_table} WHERE user_id = %s AND code_id = %s)"
    )
    with connections[router.db_for_read(CodeNote)].cursor() as cursor:
        cursor.execute(sql, [user.pk, code.pk, user.pk, code.pk])
        favourite, note = cursor.fetchone()
    return {"favourite": bool(favourite), "note": note or ""}


def set_favourite(*, user, code, on: bool) -> bool:
    if on:
        FavouriteCode.objects.get_or_create(user=user, code=code)
    else:
        FavouriteCode.objects.filter(user=user, code=code).delete()
    return on


def save_note(*, user, code, text: str) -> CodeNote | None:
    """Save the user's note on a code; an empty note deletes it."""
    text = text.strip()
    if not text:
        CodeNote.objects.filter(user=user, code=code).delete()
        return None
    note, _ = CodeNote.objects.update_or_create(
        user=user, code=code, defaults={"text": text, "updated": timezone.now()}
    )
    return note


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(value: datetime.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def export_csv(user) -> str:
    """Favourites, notes and recently viewed codes as one CSV table (one row per item)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["type", "system", "code", "title", "note", "date", "url"])

    def row(kind: str, code, note: str, when) -> list[str]:
        title = code.title or code.short_title
        url = settings.SITE_ROOT + code.get_absolute_url()
        return [kind, code.system, code.code, _cell(title), _cell(note), _iso(when), url]

    for fav in FavouriteCode.objects.filter(user=user).select_related("code"):
        writer.writerow(row("favourite", fav.code, "", fav.created))
    for note in CodeNote.objects.filter(user=user).select_related("code"):
        writer.writerow(row("note", note.code, note.text, note.updated))
    for item in CodeView.objects.recently_viewed(user, limit=1000):
        writer.writerow(row("viewed", item["code"], "", item["viewed_at"]))
    return out.getvalue()


def export(user) -> dict:
    """codes' part of a user's data export (accounts/privacy.py; registered in CodesConfig.ready()).
    The rows go with the user row (CASCADE): no eraser."""

    def code(row) -> dict:
        return {"system": row.code.system, "code": row.code.code}

    return {
        "favourites": [
            {**code(f), "created": iso(f.created)}
            for f in FavouriteCode.objects.filter(user=user).select_related("code").order_by("created")
        ],
        "notes": [
            {**code(n), "text": n.text, "updated": iso(n.updated)}
            for n in CodeNote.objects.filter(user=user).select_related("code").order_by("updated")
        ],
        "code_views": [
            {**code(v), "period": v.period, "viewed": iso(v.viewed)}
            for v in CodeView.objects.filter(user=user).select_related("code").order_by("viewed")
        ],
    }


# --- Signing in carries a guest's views over ---------------------------------------------------


def claim_guest_views(*, guest_key: str, user, now: datetime.datetime | None = None) -> int:
    """Move this month's views of a guest to the account that just signed in from its browser,
    so registering does not hand out a fresh allowance. Returns how many views were added."""
    period = quota.month_of(now or timezone.now())
    guest, subject = quota.guest_subject(guest_key), quota.user_subject(user.pk)
    with transaction.atomic():
        codes = set(CodeView.objects.filter(subject=guest, period=period).values_list("code_id", flat=True))
        codes -= set(CodeView.objects.filter(subject=subject, period=period).values_list("code_id", flat=True))
        if not codes:
            return 0
        added = CodeView.objects.bulk_create(
            [CodeView(subject=subject, period=period, code_id=code_id, user=user) for code_id in codes],
            ignore_conflicts=True,
        )
        counter, _ = QuotaCounter.objects.get_or_create(meter="code_views", subject=subject, period=period)
        QuotaCounter.objects.filter(pk=counter.pk).update(used=F("used") + len(added))
    return len(added)


@receiver(user_logged_in, dispatch_uid="codes.personal.carry_guest_views")
def _carry_guest_views(sender, request: HttpRequest | None, user, **kwargs) -> None:
    code_quota = getattr(request, "quota", None) if request is not None else None
    if isinstance(code_quota, quota.Quota) and code_quota.enabled and code_quota.guest_key:
        claim_guest_views(guest_key=code_quota.guest_key, user=user)

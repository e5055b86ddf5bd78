"""Code page views: who is viewing, on which plan, and the counting. Every metering rule lives here.

The middleware (accounts/middleware.py) attaches a `Quota` to each request as `request.quota`;
views marked `@metered` call `request.quota.spend(code)` before rendering and show the gate
when it says no. Templates read `request.quota` for the banner and the notices.

Rules:
- Plans: guest, free (signed in), pro (a current `Plan`), staff. Pro and staff are unlimited.
- A guest may open QUOTA_GUEST_VIEWS code pages a calendar month; a free account with a verified
  email QUOTA_FREE_EXTRA_VIEWS more; views renew on the first of each month (UTC).
- Opening a code already opened this month is free; so are browsing and search (not metered).
- Guests are held by a guest cookie (a random key, GUEST_COOKIE) *and* by a keyed hash of their
  client address (QUOTA_GUEST_VIEWS_PER_ADDRESS a day): a new cookie (cleared cookies, a private
  window) starts a new allowance, but not a new address allowance. A cookie, not a session: a
  guest's first page then writes no session row, and most guests never come back.
- Counting is atomic in the database: a unique row per (subject, period, code) makes parallel
  requests for one code count once, and counters only move `WHERE used < allowance`, in one
  statement (PostgreSQL) or one transaction, so parallel requests for different codes cannot
  overspend.
"""

import datetime
import hashlib
import ipaddress
import json
import re
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import DataError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import get_random_string, salted_hmac
from django.utils.functional import cached_property

from codingahead.lib.ratelimits import client_ip

GUEST, FREE, PRO, STAFF = "guest", "free", "pro", "staff"
UNLIMITED_PLANS = {PRO, STAFF}
PLAN_LABELS = {GUEST: "Guest", FREE: "Free", PRO: "Pro", STAFF: "Staff"}


# --- Periods ------------------------------------------------------------------------------------


def month_of(now: datetime.datetime) -> str:
    return now.strftime("%Y-%m")


def renews_on(now: datetime.datetime) -> datetime.date:
    """The first day of the next calendar month (UTC), when every monthly allowance starts over."""
    first = now.date().replace(day=1)
    return (first + datetime.timedelta(days=32)).replace(day=1)


# --- Plans --------------------------------------------------------------------------------------


def plan_facts(user) -> tuple[bool, bool]:
    """(has a current Pro plan, has a verified email), read in one query."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from .models import Plan

    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            pro=Exists(Plan.objects.current().filter(user=OuterRef("pk"))),
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
        )
        .values_list("pro", "verified")
        .first()
    )
    return tuple(row) if row else (False, False)


def _plan_facts(user) -> tuple[bool, bool]:
    """plan_facts(), remembered on the user object (accounts/backends.py caches it with the user)."""
    cached = getattr(user, "_quota_plan_facts", None)
    if cached is None:
        cached = user._quota_plan_facts = plan_facts(user)
    return cached


def plan_for(user) -> str:
    """The user's plan: "guest" | "free" | "pro" | "staff"."""
    if user is None or not user.is_authenticated:
        return GUEST
    if user.is_staff or user.is_superuser:
        return STAFF
    pro, _verified = _plan_facts(user)
    return PRO if pro else FREE


def allowance_for(user) -> int | None:
    """Code page views a month for this user's plan; None means unlimited."""
    plan = plan_for(user)
    if plan in UNLIMITED_PLANS:
        return None
    if plan == FREE and _plan_facts(user)[1]:
        return settings.QUOTA_GUEST_VIEWS + settings.QUOTA_FREE_EXTRA_VIEWS
    return settings.QUOTA_GUEST_VIEWS


# --- Who the visitor is -------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's address as the meter counts it (codingahead.lib.ratelimits.client_ip); an IPv6
    client is its /64: one household or office gets one prefix."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address


def address_subject(address: str) -> str:
    """A keyed hash of the address: the address itself is never stored."""
    secret = settings.QUOTA_ADDRESS_SALT or settings.SECRET_KEY
    return "a:" + salted_hmac("accounts.quota.address", address, secret=secret, algorithm="sha256").hexdigest()[:40]


GUEST_COOKIE = "guest"
_GUEST_KEY = re.compile(r"[a-z0-9]{32}")


def guest_key(request: HttpRequest) -> str | None:
    """The guest cookie's key, if the request has a well-formed one."""
    key = request.COOKIES.get(GUEST_COOKIE, "")
    return key if _GUEST_KEY.fullmatch(key) else None


def new_guest_key() -> str:
    return get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")


def set_guest_cookie(response, key: str) -> None:
    # As long-lived as a session was when sessions held guests; nothing but the meter reads it.
    response.set_cookie(
        GUEST_COOKIE,
        key,
        max_age=settings.SESSION_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def guest_subject(key: str) -> str:
    # The key is a credential of sorts: store only a hash of it.
    return "g:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def session_subject(session_key: str) -> str:
    # A session key is a credential: store only a hash of it.
    return "s:" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def user_subject(user_id: int) -> str:
    return f"u:{user_id}"


# --- Counting -----------------------------------------------------------------------------------

# (subject, period, allowance): a counter that must have room for a new view to be counted.
Counter = tuple[str, str, int]


def _prepared_cursor():
    """PostgreSQL statements below run on every code page: prepared once per connection
    (codingahead/db/postgresql), their plan costs nothing after the first run."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


def _record_view_postgresql(
    *, subject: str, period: str, code_id: int, user_id: int | None, counters: list[Counter], now
) -> tuple[bool, bool, dict[str, int], dict[str, int]]:
    """One statement: insert the view row (nothing on a repeat) and, only for a new row, move every
    counter up by one where it has room. Returns (new view, all counters moved, moved, current)."""
    sql = (
        "WITH new_view AS ("
        " INSERT INTO accounts_codeview (subject, period, code_id, user_id, viewed)"
        " VALUES (%s::text, %s::text, %s::bigint, %s::bigint, %s::timestamptz)"
        " ON CONFLICT (subject, period, code_id) DO NOTHING RETURNING 1)"
    )
    params: list = [subject, period, code_id, user_id, now]
    if counters:
        values = ", ".join(["(%s, %s, %s::integer)"] * len(counters))
        # ORDER BY subject: every transaction locks the counters in the same order (no deadlock).
        sql += (
            ", moved AS ("
            " INSERT INTO accounts_quotacounter (subject, period, used, allowance)"
            f" SELECT c.subject, c.period, 1, c.allowance FROM (VALUES {values}) AS c (subject, period, allowance)"
            " WHERE c.allowance > 0 AND EXISTS (SELECT 1 FROM new_view) ORDER BY c.subject"
            " ON CONFLICT (subject, period) DO UPDATE"
            " SET used = accounts_quotacounter.used + 1, allowance = EXCLUDED.allowance"
            " WHERE accounts_quotacounter.used < EXCLUDED.allowance"
            " RETURNING subject, used)"
        )
        for counter in counters:
            params += counter
    sql += " SELECT 'new', '', 0 FROM new_view"
    if counters:
        where = " OR ".join(["(q.subject = %s AND q.period = %s)"] * len(counters))
        sql += (
            " UNION ALL SELECT 'moved', subject, used FROM moved"
            f" UNION ALL SELECT 'current', q.subject, q.used FROM accounts_quotacounter q WHERE {where}"
        )
        for counter_subject, counter_period, _ in counters:
            params += [counter_subject, counter_period]
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    is_new = any(kind == "new" for kind, _, _ in rows)
    moved = {s: used for kind, s, used in rows if kind == "moved"}
    current = {s: used for kind, s, used in rows if kind == "current"}
    return is_new, len(moved) == len(counters), moved, current


class _Overspent(Exception):
    """A parallel request took the last view between this statement's read and its write."""


def _record_view_one_statement(
    *, subject: str, period: str, code_id: int, user_id: int | None, counters: list[Counter], now
) -> tuple[bool, dict[str, int]]:
    """PostgreSQL: the whole count in one statement, atomic by itself, so no BEGIN and COMMIT or
    ROLLBACK round trips. The view row is inserted only when every counter had room when the
    statement began (a refusal writes nothing). If a parallel request filled a counter since, fewer
    counters move than there are, and the statement divides by zero to undo itself (_Overspent:
    the caller counts again in a transaction). Returns (allowed, each counter's views used)."""
    values = ", ".join(["(%s, %s, %s::integer)"] * len(counters))
    sql = (
        f"WITH c (subject, period, allowance) AS (VALUES {values}),"
        " before AS (SELECT q.subject, q.used FROM accounts_quotacounter q JOIN c USING (subject, period)),"
        " fits AS (SELECT NOT EXISTS (SELECT 1 FROM c LEFT JOIN before b USING (subject)"
        "  WHERE coalesce(b.used, 0) >= c.allowance) AS ok),"
        " seen AS (SELECT 1 FROM accounts_codeview WHERE subject = %s AND period = %s AND code_id = %s),"
        " new_view AS ("
        "  INSERT INTO accounts_codeview (subject, period, code_id, user_id, viewed)"
        "  SELECT %s::text, %s::text, %s::bigint, %s::bigint, %s::timestamptz WHERE (SELECT ok FROM fits)"
        "  ON CONFLICT (subject, period, code_id) DO NOTHING RETURNING 1),"
        # ORDER BY subject: every transaction locks the counters in the same order (no deadlock).
        " moved AS ("
        "  INSERT INTO accounts_quotacounter (subject, period, used, allowance)"
        "  SELECT c.subject, c.period, 1, c.allowance FROM c WHERE EXISTS (SELECT 1 FROM new_view) ORDER BY c.subject"
        "  ON CONFLICT (subject, period) DO UPDATE"
        "  SET used = accounts_quotacounter.used + 1, allowance = EXCLUDED.allowance"
        "  WHERE accounts_quotacounter.used < EXCLUDED.allowance"
        "  RETURNING subject, used)"
        " SELECT 'seen', '', 0 FROM seen"
        " UNION ALL SELECT 'fits', '', 0 FROM fits WHERE ok"
        " UNION ALL SELECT 'new', '', 0 FROM new_view"
        " UNION ALL SELECT 'moved', subject, used FROM moved"
        " UNION ALL SELECT 'current', subject, used FROM before"
        " UNION ALL SELECT 'check', '', 1 / (CASE WHEN EXISTS (SELECT 1 FROM new_view)"
        "  AND (SELECT count(*) FROM moved) < (SELECT count(*) FROM c) THEN 0 ELSE 1 END)"
    )
    params: list = [value for counter in counters for value in counter]
    params += [subject, period, code_id, subject, period, code_id, user_id, now]
    try:
        with _prepared_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    except DataError as error:
        if getattr(error.__cause__, "sqlstate", None) == "22012":  # division_by_zero: the check above
            raise _Overspent from error
        raise
    kinds = {kind for kind, _, _ in rows}
    moved = {s: used for kind, s, used in rows if kind == "moved"}
    current = {s: used for kind, s, used in rows if kind == "current"}
    # A new view moved every counter (else the check failed); a view that fitted but was not new
    # lost its INSERT to the same code opened in parallel; a code seen before is free.
    if kinds & {"new", "fits", "seen"}:
        return True, {**current, **moved}
    # No room: the counter that had none reads as full.
    used = dict(current)
    for counter_subject, _, allowance in counters:
        if current.get(counter_subject, 0) >= allowance:
            used[counter_subject] = allowance
    return False, used


def _record_view_portable(
    *, subject: str, period: str, code_id: int, user_id: int | None, counters: list[Counter], now
) -> tuple[bool, bool, dict[str, int], dict[str, int]]:
    """The same in several statements, for SQLite: its transactions take the write lock at BEGIN
    (transaction_mode IMMEDIATE), so nothing can change between the read and the writes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_codeview (subject, period, code_id, user_id, viewed) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (subject, period, code_id) DO NOTHING",
            [subject, period, code_id, user_id, now],
        )
        is_new = cursor.rowcount == 1
        current: dict[str, int] = {}
        for counter_subject, counter_period, _ in counters:
            cursor.execute(
                "SELECT used FROM accounts_quotacounter WHERE subject = %s AND period = %s",
                [counter_subject, counter_period],
            )
            row = cursor.fetchone()
            if row:
                current[counter_subject] = row[0]
        moved: dict[str, int] = {}
        if is_new and all(current.get(s, 0) < allowance for s, _, allowance in counters):
            for counter_subject, counter_period, allowance in counters:
                cursor.execute(
                    "INSERT INTO accounts_quotacounter (subject, period, used, allowance) VALUES (%s, %s, 1, %s)"
                    " ON CONFLICT (subject, period) DO UPDATE SET used = used + 1, allowance = excluded.allowance",
                    [counter_subject, counter_period, allowance],
                )
                moved[counter_subject] = current.get(counter_subject, 0) + 1
    return is_new, len(moved) == len(counters), moved, current


def record_view(
    *, subject: str, period: str, code_id: int, user_id: int | None = None, counters: list[Counter]
) -> tuple[bool, dict[str, int]]:
    """Record that `subject` opened a code; a new view must fit in every counter, or nothing is
    written. Returns (allowed, each counter's views used afterwards)."""
    record = _record_view_postgresql if connection.vendor == "postgresql" else _record_view_portable
    now = timezone.now()
    if not counters:  # unlimited: one INSERT, atomic by itself
        record(subject=subject, period=period, code_id=code_id, user_id=user_id, counters=[], now=now)
        return True, {}
    if connection.vendor == "postgresql":
        try:
            # Inside a transaction (a test, a caller's atomic block) the statement needs a savepoint.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                return _record_view_one_statement(
                    subject=subject, period=period, code_id=code_id, user_id=user_id, counters=counters, now=now
                )
        except _Overspent:
            pass  # rare: count again below, where the rows are locked until the decision
    with transaction.atomic():
        is_new, all_moved, moved, current = record(
            subject=subject, period=period, code_id=code_id, user_id=user_id, counters=counters, now=now
        )
        if is_new and not all_moved:
            transaction.set_rollback(True)  # the view row and any counter already moved go back
            used = dict(current)
            for counter_subject, _, allowance in counters:
                if counter_subject not in moved:
                    # The counter that had no room reads as full, even if a parallel request filled it.
                    used[counter_subject] = max(used.get(counter_subject, 0), allowance)
            return False, used
    return True, {**current, **moved}


def read_used(counters: list[Counter]) -> dict[str, int]:
    from .models import QuotaCounter

    if not counters:
        return {}
    rows = QuotaCounter.objects.none()
    for counter_subject, counter_period, _ in counters:
        rows |= QuotaCounter.objects.filter(subject=counter_subject, period=counter_period)
    return dict(rows.values_list("subject", "used"))


class Quota:
    """One request's view allowance. Built for every request by the middleware; reads the
    database only when asked (the plan once, the counters once), and `spend()` updates both."""

    enabled = True

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.now = timezone.now()
        self.period = month_of(self.now)
        self.guest_key: str | None = guest_key(request)
        self.new_guest_key = False  # the middleware then sets the cookie
        self._used: dict[str, int] | None = None
        self._spent: dict[int, bool] = {}

    # -- who and which plan

    @cached_property
    def user(self):
        """The signed-in user, else the owner of a valid API bearer token, else None (a guest)."""
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        try:
            from .tokens import user_for_bearer
        except ImportError:  # API tokens not installed
            return None
        return user_for_bearer(self.request)

    @cached_property
    def plan(self) -> str:
        return plan_for(self.user)

    @property
    def plan_label(self) -> str:
        return PLAN_LABELS[self.plan]

    @property
    def is_guest(self) -> bool:
        return self.plan == GUEST

    @property
    def verified(self) -> bool:
        """A signed-in user with a verified email (free accounts get their extra views then)."""
        return self.user is not None and _plan_facts(self.user)[1]

    @cached_property
    def allowance(self) -> int | None:
        """Views a month; None when unlimited."""
        return allowance_for(self.user)

    @property
    def unlimited(self) -> bool:
        return self.allowance is None

    @property
    def guest_views(self) -> int:
        return settings.QUOTA_GUEST_VIEWS

    @property
    def free_extra_views(self) -> int:
        return settings.QUOTA_FREE_EXTRA_VIEWS

    @property
    def free_views(self) -> int:
        return settings.QUOTA_GUEST_VIEWS + settings.QUOTA_FREE_EXTRA_VIEWS

    @property
    def renews(self) -> datetime.date:
        return renews_on(self.now)

    def facts(self) -> "MeterFacts":
        """What the meter banner and the gate show, as a hashable value (their HTML is memoised on it)."""
        return MeterFacts(
            enabled=self.enabled,
            unlimited=self.unlimited,
            plan_label=self.plan_label,
            is_guest=self.is_guest,
            verified=self.verified,
            remaining=self.remaining,
            guest_views=self.guest_views,
            free_extra_views=self.free_extra_views,
            free_views=self.free_views,
            renews=self.renews,
        )

    # -- counters

    @cached_property
    def _address_subject(self) -> str:
        return address_subject(client_address(self.request))  # read more than once per page

    def _counters(self) -> list[Counter]:
        if self.unlimited:
            return []
        if self.user is not None:
            return [(user_subject(self.user.pk), self.period, self.allowance)]
        counters = [(self._address_subject, self.now.date().isoformat(), settings.QUOTA_GUEST_VIEWS_PER_ADDRESS)]
        if self.guest_key:
            counters.append((guest_subject(self.guest_key), self.period, self.allowance))
        return counters

    @property
    def used(self) -> int:
        """Views spent this month (a guest: this session's)."""
        if self.unlimited:
            return 0
        if self._used is None:
            self._used = read_used(self._counters())
        if self.user is not None:
            return self._used.get(user_subject(self.user.pk), 0)
        return self._used.get(guest_subject(self.guest_key), 0) if self.guest_key else 0

    @property
    def remaining(self) -> int | None:
        """Views left; None when unlimited. A guest also has to fit in the address allowance."""
        if self.unlimited:
            return None
        left = self.allowance - self.used
        if self.user is None:
            address, _day, per_address = self._counters()[0]
            left = min(left, per_address - self._used.get(address, 0))
        return max(0, left)

    # -- what pages show

    @property
    def locks_sections(self) -> bool:
        """Guests see the two descriptions; every other section asks them to register."""
        return self.is_guest

    @property
    def warn_before_spending(self) -> bool:
        """Lists of codes tell a guest that opening one uses their view."""
        return self.is_guest and self.remaining > 0

    def page_variants(self) -> tuple[str, ...]:
        """The code page variants `spend()` can lead to for this visitor: "full", "locked" (the
        guest page) or "gated" (no views left). The page cache fetches just these."""
        if self.unlimited:
            return ("full",)
        return ("locked" if self.locks_sections else "full", "gated")

    # -- spending

    def spend(self, code) -> bool:
        """Count this code page view if it is new this month. False when there is no room: the
        view then shows the gate. Asking twice in one request counts once."""
        if code.pk in self._spent:
            return self._spent[code.pk]
        user = self.user
        if user is None and not self.guest_key:
            # A first visit: a guest needs a key to be told apart from others at its address.
            self.guest_key, self.new_guest_key = new_guest_key(), True
        subject = user_subject(user.pk) if user is not None else guest_subject(self.guest_key)
        allowed, used = record_view(
            subject=subject,
            period=self.period,
            code_id=code.pk,
            user_id=user.pk if user is not None else None,
            counters=self._counters(),
        )
        self._used = used
        self._spent[code.pk] = allowed
        return allowed


@dataclass(frozen=True)
class MeterFacts:
    enabled: bool
    unlimited: bool
    plan_label: str
    is_guest: bool
    verified: bool
    remaining: int | None
    guest_views: int
    free_extra_views: int
    free_views: int
    renews: datetime.date


class Unmetered(Quota):
    """METERING_ENABLED=False: every page is open, nothing is read or written."""

    enabled = False

    def page_variants(self) -> tuple[str, ...]:
        return ("full",)

    def spend(self, code) -> bool:
        return True

    @property
    def locks_sections(self) -> bool:
        return False

    @property
    def warn_before_spending(self) -> bool:
        return False


def for_request(request: HttpRequest) -> Quota:
    """The request's quota. Cheap: nothing is read until a template or view asks."""
    return Quota(request) if settings.METERING_ENABLED else Unmetered(request)


# --- Housekeeping ------------------------------------------------------------------------------


def prune(*, now: datetime.datetime | None = None, keep_user_months: int = 12) -> dict[str, int]:
    """Delete what the meter no longer needs: counters of past periods (a month's for accounts and
    guests, a day's for addresses), guests' view rows of past months, and accounts' view rows
    (their "recently viewed") older than `keep_user_months`. Returns how many rows went."""
    from django.db.models.functions import Length

    from .models import CodeView, QuotaCounter

    now = now or timezone.now()
    month, day = month_of(now), now.date().isoformat()
    first = now.date().replace(day=1)
    for _ in range(keep_user_months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    counters = QuotaCounter.objects.annotate(length=Length("period"))
    deleted = {
        "monthly counters": counters.filter(length=len(month), period__lt=month).delete()[0],
        "daily counters": counters.filter(length=len(day), period__lt=day).delete()[0],
        "guest views": CodeView.objects.filter(user__isnull=True, period__lt=month).delete()[0],
        "account views": CodeView.objects.filter(user__isnull=False, period__lt=month_of(first)).delete()[0],
    }
    return deleted


# --- Paywall structured data --------------------------------------------------------------------

LOCKED_SELECTOR = ".locked-content"


def paywall_json_ld(*, name: str, url: str) -> str:
    """schema.org markup telling search engines that the parts matching LOCKED_SELECTOR are
    paywalled (not cloaking). Escaped for a <script type="application/ld+json"> like json_script."""
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": name,
        "url": url,
        "isAccessibleForFree": False,
        "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": LOCKED_SELECTOR},
    }
    return json.dumps(data).translate({ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"})


# --- Signed-in users ----------------------------------------------------------------------------


def recently_viewed(user, limit: int = 20) -> list:
    """The codes this user opened, most recent first, each once."""
    from .models import CodeView

    views = CodeView.objects.filter(user=user).select_related("code").order_by("-viewed")[: limit * 4]
    codes, seen = [], set()
    for view in views:
        if view.code_id not in seen:
            seen.add(view.code_id)
            codes.append(view.code)
        if len(codes) == limit:
            break
    return codes


def claim_guest_views(*, guest_key: str, user, now: datetime.datetime | None = None) -> int:
    """Move this month's views of a guest to the account that just signed in from its browser,
    so registering does not hand out a fresh allowance. Returns how many views were added."""
    from .models import CodeView, QuotaCounter

    period = month_of(now or timezone.now())
    guest, subject = guest_subject(guest_key), user_subject(user.pk)
    with transaction.atomic():
        codes = set(CodeView.objects.filter(subject=guest, period=period).values_list("code_id", flat=True))
        codes -= set(CodeView.objects.filter(subject=subject, period=period).values_list("code_id", flat=True))
        if not codes:
            return 0
        added = CodeView.objects.bulk_create(
            [CodeView(subject=subject, period=period, code_id=code_id, user=user) for code_id in codes],
            ignore_conflicts=True,
        )
        counter, _ = QuotaCounter.objects.get_or_create(subject=subject, period=period)
        QuotaCounter.objects.filter(pk=counter.pk).update(used=F("used") + len(added))
    return len(added)


@receiver(user_logged_in, dispatch_uid="accounts.quota.carry_guest_views")
def _carry_guest_views(sender, request: HttpRequest | None, user, **kwargs) -> None:
    quota = getattr(request, "quota", None) if request is not None else None
    if isinstance(quota, Quota) and quota.enabled and quota.guest_key:
        claim_guest_views(guest_key=quota.guest_key, user=user)

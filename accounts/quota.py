"""The meter: who a visitor is, which plan they are on, and what their plan allows. Every rule lives here.

- Plans: guest, free (signed in), pro (a current `Plan`), staff. What each allows is one table,
  settings.PLANS (None = unlimited); `allowance(plan, name)` reads it.
- Meters (METERS below): code page views a calendar month, CasePilot questions a day, consultations
  a month, consultation messages an hour. Each spend is one `QuotaCounter.objects.spend()`: atomic,
  on both databases, never past the allowance.
- Who is counted: a signed-in user by account; a guest by the guest cookie (a random key,
  GUEST_COOKIE, the one way guests are told apart everywhere) *and* by a keyed hash of the client
  address, so a new cookie (cleared cookies, a private window) starts no new address allowance. A
  cookie, not a session: a guest's first page then writes no session row.
- Code pages: a code already opened this month is free (codes/models.py keeps the views); the
  middleware attaches a `Quota` to each request as `request.quota`; templates read it for the
  banner and the gate.
"""

import datetime
import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import get_random_string, salted_hmac
from django.utils.functional import cached_property

from codingahead.lib.ratelimits import client_ip

from .models import Counter, Plan, QuotaCounter

GUEST, FREE, PRO, STAFF = "guest", "free", "pro", "staff"
PLAN_LABELS = {GUEST: "Guest", FREE: "Free", PRO: "Pro", STAFF: "Staff"}


# --- Periods (UTC) ------------------------------------------------------------------------------


def month_of(now: datetime.datetime) -> str:
    return now.strftime("%Y-%m")


def renews_on(now: datetime.datetime) -> datetime.date:
    """The first day of the next calendar month (UTC), when every monthly allowance starts over."""
    first = now.date().replace(day=1)
    return (first + datetime.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Meter:
    label: str
    allowance: str  # the settings.PLANS entry
    period: str  # "month" | "day" | "hour"
    per_address: str | None = None  # guests: the PLANS entry for each client address a day


METERS = {
    "code_views": Meter("code views", "code_views", "month", per_address="code_views_per_address_per_day"),
    "casepilot_questions": Meter(
        "CasePilot questions", "casepilot_questions_per_day", "day", per_address="casepilot_questions_per_day"
    ),
    "consultations": Meter("consultations", "consultations_per_month", "month"),
    "consult_messages": Meter("consultation messages", "consult_messages_per_hour", "hour"),
    "claim_checks": Meter("claim checks", "claim_checks_per_day", "day", per_address="claim_checks_per_day"),
}
_PERIOD_FORMATS = {"month": "%Y-%m", "day": "%Y-%m-%d", "hour": "%Y-%m-%dT%H"}


def period_of(kind: str, now: datetime.datetime) -> str:
    return now.strftime(_PERIOD_FORMATS[kind])


def seconds_until_renewal(kind: str, now: datetime.datetime) -> int:
    """Seconds until a period of this kind starts over: the honest Retry-After of a spent allowance."""
    if kind == "month":
        ends = datetime.datetime.combine(renews_on(now), datetime.time(), tzinfo=datetime.UTC)
    elif kind == "day":
        ends = datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    else:
        ends = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    return max(1, int((ends - now).total_seconds()))


# --- Plans --------------------------------------------------------------------------------------


def allowance(plan: str, name: str) -> int | None:
    """What `plan` allows of `name` (settings.PLANS); None means unlimited."""
    return settings.PLANS[plan][name]


def plan_facts(user) -> tuple[bool, bool]:
    """(has a current Pro plan, has a verified email), read in one query."""
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


def allowance_for(user, name: str = "code_views") -> int | None:
    """What this user's plan allows of `name`; a free account's code views need a verified email
    (until then it has the guest's)."""
    plan = plan_for(user)
    if plan == FREE and name == "code_views" and not _plan_facts(user)[1]:
        plan = GUEST
    return allowance(plan, name)


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
    # As long-lived as a session; nothing but the meter reads it.
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


def user_subject(user_id: int) -> str:
    return f"u:{user_id}"


# --- Spending -----------------------------------------------------------------------------------


@dataclass
class Spent:
    """The outcome of a spend (or of a look without spending) on one meter."""

    allowed: bool
    plan: str
    allowance: int | None  # None: unlimited
    used: int
    retry_after: int  # seconds until the allowance starts over

    @property
    def remaining(self) -> int | None:
        return None if self.allowance is None else max(0, self.allowance - self.used)


def user_counters(user, meter: str, *, now: datetime.datetime) -> list[Counter]:
    """The counter a signed-in user's spend on `meter` must fit in (none when unlimited)."""
    spec = METERS[meter]
    limit = allowance_for(user, spec.allowance)
    if limit is None:
        return []
    return [Counter(meter, user_subject(user.pk), period_of(spec.period, now), limit)]


def spend_for_user(user, meter: str) -> Spent:
    """One unit of `meter` for a signed-in user, where no request is at hand (mail, the worker)."""
    now = timezone.now()
    counters = user_counters(user, meter, now=now)
    return _spend(counters, plan=plan_for(user), meter=meter, now=now)


def _spend(counters: list[Counter], *, plan: str, meter: str, now, savepoint: bool = True) -> Spent:
    allowed, used = QuotaCounter.objects.spend(counters, savepoint=savepoint)
    return _spent(counters, used, allowed=allowed, plan=plan, meter=meter, now=now)


def _spent(counters, used, *, allowed: bool, plan: str, meter: str, now) -> Spent:
    """The tightest of the counters: the one with the fewest left."""
    retry_after = seconds_until_renewal(METERS[meter].period, now)
    if not counters:
        return Spent(allowed=allowed, plan=plan, allowance=None, used=0, retry_after=retry_after)
    tightest = min(counters, key=lambda c: c.allowance - used.get((c.meter, c.subject), 0))
    if tightest.period != period_of(METERS[meter].period, now):  # a guest's address counter: daily
        retry_after = seconds_until_renewal("day", now)
    return Spent(
        allowed=allowed,
        plan=plan,
        allowance=tightest.allowance,
        used=used.get((tightest.meter, tightest.subject), 0),
        retry_after=retry_after,
    )


class Quota:
    """One request's visitor, their plan and their allowances. Built for every request by the
    middleware; reads the database only when asked (the plan once, each meter's counters once)."""

    enabled = True

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.now = timezone.now()
        self.period = month_of(self.now)
        self.guest_key: str | None = guest_key(request)
        self.new_guest_key = False  # the middleware then sets the cookie
        self._used: dict[tuple[str, str], int] | None = None

    # -- who and which plan

    @cached_property
    def user(self):
        """The signed-in user, else the owner of a valid API bearer token, else None (a guest)."""
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        from .tokens import user_for_bearer  # here, not at the top: accounts/tokens.py imports this module

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

    def subject(self, *, make_key: bool = True) -> str:
        """Who is counted: the account, else the guest cookie's key. A first visit gets a key when
        it spends (the middleware sends the cookie); a mere look counts a key nobody has."""
        if self.user is not None:
            return user_subject(self.user.pk)
        if not self.guest_key:
            if not make_key:
                return "g:"
            self.guest_key, self.new_guest_key = new_guest_key(), True
        return guest_subject(self.guest_key)

    @cached_property
    def _address_subject(self) -> str:
        return address_subject(client_address(self.request))

    def counters(self, meter: str, *, make_key: bool = True) -> list[Counter]:
        """The counters a spend on `meter` must fit in: the account's; a guest's cookie and address."""
        spec = METERS[meter]
        if self.user is not None:
            return user_counters(self.user, meter, now=self.now)
        counters = []
        per_address = allowance(GUEST, spec.per_address) if spec.per_address else None
        if per_address is not None:
            counters.append(Counter(meter, self._address_subject, period_of("day", self.now), per_address))
        limit = allowance(GUEST, spec.allowance)
        if limit is not None:
            counters.append(Counter(meter, self.subject(make_key=make_key), period_of(spec.period, self.now), limit))
        return counters

    def spend(self, meter: str, *, savepoint: bool = True) -> Spent:
        """One unit of `meter` (see METERS) for this visitor, if every counter has room.

        A code view needs a guest's key (the view row is theirs: re-views are free); other meters
        count a guest without the cookie by address alone (an API caller keeping no cookies then
        leaves no counter per call)."""
        counters = [c for c in self.counters(meter, make_key=meter == "code_views") if c.subject != "g:"]
        return _spend(counters, plan=self.plan, meter=meter, now=self.now, savepoint=savepoint)

    def look(self, meter: str) -> Spent:
        """This visitor's allowance and use of `meter`, without spending."""
        counters = self.counters(meter, make_key=False)
        spent = _spent(
            counters, QuotaCounter.objects.used(counters), allowed=True, plan=self.plan, meter=meter, now=self.now
        )
        if not counters:
            spent.allowance = allowance(self.plan, METERS[meter].allowance)
        return spent

    # -- code page views (what templates read)

    @cached_property
    def allowance(self) -> int | None:
        """Code page views a month; None when unlimited."""
        return allowance_for(self.user)

    @property
    def unlimited(self) -> bool:
        return self.allowance is None

    @property
    def guest_views(self) -> int:
        return allowance(GUEST, "code_views")

    @property
    def free_views(self) -> int:
        return allowance(FREE, "code_views")

    @property
    def free_extra_views(self) -> int:
        return self.free_views - self.guest_views

    @property
    def renews(self) -> datetime.date:
        return renews_on(self.now)

    def code_view_counters(self) -> list[Counter]:
        return [] if self.unlimited else self.counters("code_views")

    def counted(self, used: dict[tuple[str, str], int]) -> None:
        """Remember the code view counters' values a spend returned (the banner shows them)."""
        self._used = used

    @property
    def remaining(self) -> int | None:
        """Code page views left; None when unlimited. A guest also has to fit in the address allowance."""
        if self.unlimited:
            return None
        counters = self.counters("code_views", make_key=False)
        if self._used is None:
            self._used = QuotaCounter.objects.used(counters)
        return max(0, min(c.allowance - self._used.get((c.meter, c.subject), 0) for c in counters))

    # -- what pages show

    @property
    def locks_sections(self) -> bool:
        """Guests see the two descriptions; every other section asks them to register."""
        return self.is_guest

    @property
    def warn_before_spending(self) -> bool:
        """Lists of codes tell a guest that opening one uses their view."""
        return self.is_guest and self.remaining > 0


class Unmetered(Quota):
    """METERING_ENABLED=False: every code page is open, no view is counted (the other meters hold)."""

    enabled = False

    @property
    def allowance(self) -> None:
        return None

    @property
    def locks_sections(self) -> bool:
        return False

    @property
    def warn_before_spending(self) -> bool:
        return False


def for_request(request: HttpRequest) -> Quota:
    """The request's quota (the middleware's, or a new one). Cheap: nothing is read until asked."""
    found = getattr(request, "quota", None)
    if found is None:
        found = request.quota = Quota(request) if settings.METERING_ENABLED else Unmetered(request)
    return found


# --- Housekeeping ------------------------------------------------------------------------------


def prune_counters(*, now: datetime.datetime | None = None) -> int:
    """Delete counters of past periods (a month's, a day's, an hour's). Returns how many went."""
    now = now or timezone.now()
    past = Q()
    for kind in _PERIOD_FORMATS:
        current = period_of(kind, now)
        past |= Q(length=len(current), period__lt=current)
    return QuotaCounter.objects.annotate(length=Length("period")).filter(past).delete()[0]


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

import os

import pytest
from django.core.cache import caches

from tests.factories import make_user

# Playwright's sync API runs an event loop in the test thread; the ORM calls that the
# browser tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The shared users, each playing one role (the pytest form of healthchecks' hc/test.py).


@pytest.fixture
def alice(db):
    """A signed-up user on the free plan, email verified: the user most tests act as."""
    return make_user("alice@example.com")


@pytest.fixture
def bob(db):
    """Another free user: whose data alice must never see."""
    return make_user("bob@example.com")


@pytest.fixture
def staff(db):
    """The one staff user (is_staff, email verified)."""
    return make_user("sam@example.com", is_staff=True)


@pytest.fixture
def coder(db):
    """A coder who saves jobs and asks CaseConsultant (a verified free user, seen by email in mail tests)."""
    return make_user("coder@example.com")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache(request, django_db_blocker):
    """The caches (database cache tables, not models: tests' flushes leave them alone) hold
    rate-limit counters and cached pages: each test starts with none, as a fresh site would."""
    if request.node.get_closest_marker("django_db") is None:
        return
    with django_db_blocker.unblock():
        for alias in ("default", "ratelimits"):
            caches[alias].clear()


@pytest.fixture(autouse=True)
def _metering_only_where_tested(request, settings):
    """Code pages are metered (accounts/quota.py): tests of other features see them whole.
    Tests of the meter opt in with @pytest.mark.metered."""
    settings.METERING_ENABLED = request.node.get_closest_marker("metered") is not None


@pytest.fixture(autouse=True)
def _page_cache_only_where_tested(request, settings):
    """Rendered code pages and suggestions are cached (codes/pagecache.py). Tests that change rows
    directly between two requests would read a stale page: tests of the cache opt in with
    @pytest.mark.page_cache."""
    if request.node.get_closest_marker("page_cache") is None:
        settings.CODE_CACHE_SECONDS = 0


@pytest.fixture
def plans(settings):
    """Change allowances of settings.PLANS for one test: plans("free", casepilot_questions_per_day=2)."""

    def change(plan: str, **allowances) -> None:
        settings.PLANS = {**settings.PLANS, plan: {**settings.PLANS[plan], **allowances}}

    return change


def pytest_configure(config):
    config.addinivalue_line("markers", "page_cache: rendered code pages are cached (CODE_CACHE_SECONDS) in this test")
    config.addinivalue_line("markers", "sqlite_smoke: also runs on the embedded SQLite default")
    config.addinivalue_line("markers", "metered: code page views are metered (METERING_ENABLED) in this test")

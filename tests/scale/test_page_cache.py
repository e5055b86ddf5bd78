"""Cached code-page bodies and suggestions (codes/pagecache.py): shared by visitors, new after an import."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, FavouriteCode

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

TITLE = "Type 2 diabetes mellitus without complications"


def _import(title: str, version: str = "2026") -> None:
    """What an import command does: register the release and write the codes in one transaction."""
    with transaction.atomic():
        release = register_release(
            dataset="icd-10-cm",
            version=version,
            title=f"ICD-10-CM {version}",
            effective_date=datetime.date(2025, 10, 1),
        )
        rows = [
            CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
            CodeRow(
                code="E11.8",
                title="Type 2 diabetes mellitus with unspecified complications",
                parent="E11",
                billable=True,
            ),
            CodeRow(code="E11.9", title=title, parent="E11", billable=True),
        ]
        sync_codes(system="icd-10-cm", release=release, rows=rows)


def _user(email: str):
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email, password="pw-long-enough")
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def test_an_import_that_changes_a_title_shows_the_new_title(client):
    _import(TITLE)
    assert TITLE in client.get("/icd-10-cm/E11.9/").content.decode()
    _import("Type 2 diabetes mellitus, newly worded", version="2027")
    page = client.get("/icd-10-cm/E11.9/").content.decode()
    assert '<p class="code-title">Type 2 diabetes mellitus, newly worded</p>' in page
    assert "Title revised" in page  # the history names the change too


def test_the_second_view_is_served_from_the_cache(client):
    _import(TITLE)
    with CaptureQueriesContext(connection) as first:
        client.get("/icd-10-cm/E11.9/")
    # A change no import made (a raw UPDATE) is not seen: the page comes from the cache...
    Code.objects.filter(code="E11.9").update(title="Changed behind the cache's back")
    with CaptureQueriesContext(connection) as second:
        page = client.get("/icd-10-cm/E11.9/").content.decode()
    assert f'<p class="code-title">{TITLE}</p>' in page
    assert len(second.captured_queries) < len(first.captured_queries)


def test_saving_a_code_in_the_admin_shows_at_once(client):
    _import(TITLE)
    client.get("/icd-10-cm/E11.9/")
    code = Code.objects.get(code="E11.9")
    code.title = "Edited by an editor"
    code.save()
    assert "Edited by an editor" in client.get("/icd-10-cm/E11.9/").content.decode()


def test_each_visitor_gets_their_own_tools_on_a_cached_page(client):
    _import(TITLE)
    alice, bob = _user("alice@example.com"), _user("bob@example.com")
    FavouriteCode.objects.create(user=alice, code=Code.objects.get(code="E11.9"))
    client.force_login(alice)
    assert "Remove from favourites" in client.get("/icd-10-cm/E11.9/").content.decode()
    client.force_login(bob)
    page = client.get("/icd-10-cm/E11.9/").content.decode()
    assert "Add to favourites" in page
    assert "Remove from favourites" not in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "\x00" not in page  # every marker in the cached tools was filled
    client.logout()
    assert "Add to favourites" not in client.get("/icd-10-cm/E11.9/").content.decode()


@pytest.mark.metered
def test_the_meter_stays_per_visitor_on_a_cached_page(client, settings):
    settings.PLANS = {**settings.PLANS, "guest": {**settings.PLANS["guest"], "code_views": 1}}
    _import(TITLE)
    assert "Register to keep reading" not in client.get("/icd-10-cm/E11.8/").content.decode()
    assert "Register to keep reading" in client.get("/icd-10-cm/E11.9/").content.decode()
    # Another guest (another session) still has their view: the cached gate is not shared.
    assert (
        "Register to keep reading"
        not in client.__class__(REMOTE_ADDR="10.0.0.2").get("/icd-10-cm/E11.9/").content.decode()
    )


def test_suggestions_follow_an_import(client, django_capture_on_commit_callbacks):
    # The search index is rebuilt when an import commits.
    with django_capture_on_commit_callbacks(execute=True):
        _import(TITLE)
    before = client.get("/search/suggest", {"q": "diabetes"}).json()
    assert TITLE in [r["title"] for r in before["results"]]
    with django_capture_on_commit_callbacks(execute=True):
        _import("Type 2 diabetes mellitus, newly worded", version="2027")
    after = client.get("/search/suggest", {"q": "diabetes"}).json()
    titles = [r["title"] for r in after["results"]]
    assert "Type 2 diabetes mellitus, newly worded" in titles
    assert TITLE not in titles


def test_a_cached_page_reads_only_the_code_row_and_the_visitors_state(client):
    _import(TITLE)
    client.force_login(_user("alice@example.com"))
    client.get("/icd-10-cm/E11.9/")
    with CaptureQueriesContext(connection) as second:
        page = client.get("/icd-10-cm/E11.9/").content.decode()
    assert f'<p class="code-title">{TITLE}</p>' in page
    code_tables = {q["sql"].split(" FROM ")[1].split()[0] for q in second.captured_queries if " FROM " in q["sql"]}
    assert not {t for t in code_tables if t.startswith('"codes_') and t != '"codes_code"'}  # no section is built
    assert len(second.captured_queries) <= 7


def test_the_header_and_messages_are_each_visitors_own_on_a_cached_page(client):
    _import(TITLE)
    guest_page = client.get("/icd-10-cm/E11.9/").content.decode()
    assert "Log in</a>" in guest_page
    assert "Log out" not in guest_page
    client.force_login(_user("alice@example.com"))
    response = client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on", "next": "/icd-10-cm/E11.9/"})
    page = client.get(response.url).content.decode()
    assert "E11.9 added to your favourites." in page
    assert "Log out" in page
    assert "Log in</a>" not in page
    # The message was shown once; the next view of the same cached page has none.
    assert "added to your favourites" not in client.get("/icd-10-cm/E11.9/").content.decode()


def test_a_search_in_the_address_does_not_stick_to_a_cached_page(client):
    _import(TITLE)
    client.get("/icd-10-cm/E11.9/?q=mellitus")
    assert 'value="mellitus"' not in client.get("/icd-10-cm/E11.9/").content.decode()


def test_the_user_and_the_page_each_come_from_the_cache_in_one_read(client):
    _import(TITLE)
    client.force_login(_user("alice@example.com"))
    client.get("/icd-10-cm/E11.9/")
    with CaptureQueriesContext(connection) as second:
        assert TITLE in client.get("/icd-10-cm/E11.9/").content.decode()
    assert len([q for q in second.captured_queries if "django_cache" in q["sql"]]) <= 2


def test_with_a_replica_pages_built_just_after_an_import_are_not_cached(client, settings, monkeypatch):
    # The replica may not have replayed the import yet: a page built from it then may be stale.
    import time

    settings.PAGE_CACHE_SETTLE_SECONDS = 60
    _import(TITLE)
    client.get("/icd-10-cm/E11.9/")
    Code.objects.filter(code="E11.9").update(title="What the caught-up replica shows")
    assert "What the caught-up replica shows" in client.get("/icd-10-cm/E11.9/").content.decode()
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    client.get("/icd-10-cm/E11.9/")  # built and cached now
    Code.objects.filter(code="E11.9").update(title="Changed behind the cache's back")
    assert "What the caught-up replica shows" in client.get("/icd-10-cm/E11.9/").content.decode()


def test_search_results_are_cached_and_follow_an_import(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _import(TITLE)
    search = {"q": "diabetes mellitus", "go": "list"}  # the words are highlighted in the titles
    assert "without complications" in client.get("/search/", search).content.decode()
    with CaptureQueriesContext(connection) as second:
        assert "without complications" in client.get("/search/", search).content.decode()
    assert not [q for q in second.captured_queries if "codes_searchentry" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        _import("Type 2 diabetes mellitus, newly worded", version="2027")
    assert "newly worded" in client.get("/search/", search).content.decode()


def test_rebuilding_the_search_index_forgets_cached_suggestions(client):
    from codes.search import build_index

    _import(TITLE)
    build_index()
    assert TITLE in [r["title"] for r in client.get("/search/suggest", {"q": "diabetes"}).json()["results"]]
    Code.objects.filter(code="E11.9").update(title="Type 2 diabetes, reworded by hand")
    build_index()  # what `manage.py build_search_index` does
    titles = [r["title"] for r in client.get("/search/suggest", {"q": "diabetes"}).json()["results"]]
    assert "Type 2 diabetes, reworded by hand" in titles


@pytest.mark.parametrize("asked", ["E11%209", "E11%0A9", "E" * 400])
def test_a_code_no_page_has_makes_no_cache_key(client, asked):
    import warnings

    from django.core.cache.backends.base import CacheKeyWarning

    _import(TITLE)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = client.get(f"/icd-10-cm/{asked}/")
    assert response.status_code in (301, 404)

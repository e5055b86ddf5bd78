"""The header: every product named with what it is, the current one marked, one search box a page."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def test_the_header_names_each_product_and_marks_the_current_one(client):
    html = client.get("/jobs/").content.decode()
    assert "Medical Coding Job Board" in html
    assert "Medical Coding Assistant" in html
    assert '<a href="/jobs/" aria-current="page">' in html
    assert '<a href="/guides/"' in html
    assert '<a href="/pricing/"' in html


def test_the_home_page_has_one_search_box(client):
    html = client.get("/").content.decode()
    assert html.count('role="search"') == 1

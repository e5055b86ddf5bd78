import xml.etree.ElementTree as ET

import pytest

from jobs.models import Job
from tests.factories import make_job

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def jobs(employer):
    make_job(employer, title="Remote HCC Coder", workplace="remote", city="", state="", required_credentials=["CRC"])
    make_job(employer, title="Onsite CPC Coder", required_credentials=["CPC"])
    make_job(
        employer, title="Closed CRC Coder", workplace="remote", required_credentials=["CRC"], status=Job.Status.CLOSED
    )


@pytest.mark.sqlite_smoke
def test_the_rss_feed_follows_the_search(client, jobs):
    response = client.get("/jobs/feed/rss/?credential=CRC&workplace=remote")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "Coding jobs: CRC; Remote"
    assert channel.findtext("link").endswith("/jobs/?credential=CRC&workplace=remote")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Remote HCC Coder - Acme Health (Remote (anywhere in the US))"]
    assert "/jobs/" in items[0].findtext("link")
    assert "CRC" in items[0].findtext("description")


def test_the_atom_feed_lists_all_open_jobs_without_filters(client, jobs):
    response = client.get("/jobs/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = sorted(e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry"))
    assert titles == [
        "Onsite CPC Coder - Acme Health (Atlanta, GA)",
        "Remote HCC Coder - Acme Health (Remote (anywhere in the US))",
    ]


def test_the_search_page_links_its_feeds(client, jobs):
    body = client.get("/jobs/?state=GA").content.decode()
    assert 'type="application/rss+xml"' in body
    assert 'href="/jobs/feed/rss/?state=GA"' in body
    assert 'href="/jobs/feed/atom/?state=GA"' in body

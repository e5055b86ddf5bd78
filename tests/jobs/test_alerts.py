import datetime
from io import StringIO

import pytest
from django.core import signing
from django.core.management import call_command
from django.utils import timezone

from jobs.alerts import UNSUBSCRIBE_SALT, send_digest
from jobs.models import SavedSearch, SentAlert
from tests.factories import make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def search(coder):
    s = SavedSearch.objects.create(user=coder, query="credential=CRC&workplace=remote", name="CRC; Remote")
    SavedSearch.objects.filter(pk=s.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    s.refresh_from_db()
    return s


def test_the_digest_lists_new_matching_jobs_and_can_be_unsubscribed(employer, search, mailoutbox):
    match = make_job(employer, title="Remote HCC Coder", workplace="remote", required_credentials=["CRC"])
    make_job(employer, title="Onsite CRC Coder", required_credentials=["CRC"])  # not remote
    make_job(employer, title="Remote CPC Coder", workplace="remote", required_credentials=["CPC"])  # no CRC
    assert send_digest(search_id=search.pk) == 1
    [message] = mailoutbox
    assert message.to == ["coder@example.com"]
    assert message.subject == "1 new job: CRC; Remote"
    assert "Remote HCC Coder" in message.body
    assert match.get_absolute_url() in message.body
    assert "Onsite CRC Coder" not in message.body
    assert "Remote CPC Coder" not in message.body
    html = message.alternatives[0][0]
    assert "Remote HCC Coder" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body


def test_each_job_is_sent_once(employer, search, mailoutbox):
    make_job(employer, title="First", workplace="remote", required_credentials=["CRC"])
    send_digest(search_id=search.pk)
    SavedSearch.objects.filter(pk=search.pk).update(last_sent_at=timezone.now() - datetime.timedelta(days=2))
    assert send_digest(search_id=search.pk) == 0
    make_job(employer, title="Second", workplace="remote", required_credentials=["CRC"])
    SavedSearch.objects.filter(pk=search.pk).update(last_sent_at=timezone.now() - datetime.timedelta(days=2))
    assert send_digest(search_id=search.pk) == 1
    assert len(mailoutbox) == 2
    assert "First" not in mailoutbox[1].body
    assert "Second" in mailoutbox[1].body
    assert SentAlert.objects.filter(saved_search=search).count() == 2


def test_a_search_is_not_sent_before_it_is_due(employer, search, mailoutbox):
    search.frequency = SavedSearch.Frequency.WEEKLY
    search.last_sent_at = timezone.now() - datetime.timedelta(days=3)
    search.save()
    make_job(employer, workplace="remote", required_credentials=["CRC"])
    assert send_digest(search_id=search.pk) == 0
    search.last_sent_at = timezone.now() - datetime.timedelta(days=7)
    search.save()
    assert send_digest(search_id=search.pk) == 1


def test_jobs_published_before_the_search_was_saved_are_not_sent(employer, search, mailoutbox):
    make_job(
        employer,
        workplace="remote",
        required_credentials=["CRC"],
        published_at=search.created_at - datetime.timedelta(hours=1),
    )
    assert send_digest(search_id=search.pk) == 0
    assert mailoutbox == []


def test_expired_and_closed_jobs_are_not_sent(employer, search, mailoutbox):
    make_job(employer, workplace="remote", required_credentials=["CRC"], status="closed")
    make_job(
        employer,
        workplace="remote",
        required_credentials=["CRC"],
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert send_digest(search_id=search.pk) == 0


def test_one_click_unsubscribe_stops_the_emails(client, employer, search, mailoutbox):
    token = signing.dumps(search.pk, salt=UNSUBSCRIBE_SALT)
    page = client.get(f"/jobs/alerts/unsubscribe/{token}/")
    assert page.status_code == 200
    search.refresh_from_db()
    assert search.active  # a GET (a link scanner) changes nothing
    response = client.post(f"/jobs/alerts/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    search.refresh_from_db()
    assert not search.active
    make_job(employer, workplace="remote", required_credentials=["CRC"])
    assert send_digest(search_id=search.pk) == 0


def test_a_forged_unsubscribe_token_is_refused(client, search):
    response = client.post(f"/jobs/alerts/unsubscribe/{search.pk}:forged/")
    assert response.status_code == 400
    search.refresh_from_db()
    assert search.active


# The worker closes connections between tasks, which a test's wrapping transaction cannot survive.
@pytest.mark.django_db(transaction=True)
@pytest.mark.sqlite_smoke
def test_the_command_and_the_worker_send_due_digests(employer, search, mailoutbox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_job(employer, title="Remote HCC Coder", workplace="remote", required_credentials=["CRC"])
    out = StringIO()
    call_command("send_job_alerts", stdout=out)
    assert "Queued 1" in out.getvalue()
    assert mailoutbox == []
    # The first batch runs the digest task, which queues the email; the second sends it.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())
    assert [m.subject for m in mailoutbox] == ["1 new job: CRC; Remote"]

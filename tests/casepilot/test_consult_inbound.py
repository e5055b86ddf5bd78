"""Inbound mail: the signed webhook, processing into consultations, replies, threading, loops and duplicates."""

import imaplib
import time

import pytest
from django.urls import reverse

from casepilot import consult_inbound, engine, mail
from casepilot.models import Consultation, ConsultMessage, InboundEmail, OutboundEmail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("consult_env")]

ENGINE_ANSWER = engine.answer  # before consult_env puts a fake in its place

URL = "/consult/inbound/"


def post(client, raw: bytes, *, secret="test-secret", timestamp=None, signature=None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    signature = signature or mail.sign(timestamp=timestamp, body=raw, secret=secret)
    return client.post(
        URL,
        data=raw,
        content_type="message/rfc822",
        HTTP_X_CONSULT_TIMESTAMP=timestamp,
        HTTP_X_CONSULT_SIGNATURE=signature,
    )


def deliver(client, django_capture_on_commit_callbacks, raw: bytes, timestamp=None):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, raw, timestamp=timestamp)
    assert response.status_code in (200, 202), response.content
    return response


def test_the_url_is_named():
    assert reverse("casepilot:consult_inbound") == URL


def test_it_refuses_unsigned_requests(client, sample):
    response = client.post(URL, data=sample("plain.eml"), content_type="message/rfc822")
    assert response.status_code == 401
    assert InboundEmail.objects.count() == 0


def test_it_refuses_a_wrong_signature(client, sample):
    assert post(client, sample("plain.eml"), secret="not-the-secret").status_code == 403
    assert InboundEmail.objects.count() == 0


def test_it_refuses_an_old_timestamp(client, sample):
    assert post(client, sample("plain.eml"), timestamp=str(int(time.time()) - 3600)).status_code == 403


def test_it_refuses_a_replayed_request(client, sample, coder):
    raw = sample("plain.eml")
    timestamp = str(int(time.time()))
    assert post(client, raw, timestamp=timestamp).status_code == 202
    assert post(client, raw, timestamp=timestamp).status_code == 403


def test_it_is_off_without_a_secret(client, sample, settings):
    settings.CONSULT_WEBHOOK_SECRET = ""
    assert post(client, sample("plain.eml")).status_code == 403


def test_it_refuses_a_body_far_over_the_size_limit(client, sample, settings):
    settings.CONSULT_MAX_MESSAGE_BYTES = 100
    assert post(client, sample("attachments.eml")).status_code == 413


@pytest.mark.parametrize("timestamp", ["\u00b2" * 10, "12a", "-1", " 1"])
def test_a_timestamp_that_is_not_ascii_digits_is_a_403_not_a_500(client, sample, timestamp):
    # "\u00b2".isdigit() is True, yet int() refuses it: a header in Latin-1 can carry it.
    assert post(client, sample("plain.eml"), timestamp=timestamp).status_code == 403


def test_a_malformed_content_length_is_not_a_500(client, sample):
    raw = sample("plain.eml")
    timestamp = str(int(time.time()))
    response = client.post(
        URL,
        data=raw,
        content_type="message/rfc822",
        HTTP_X_CONSULT_TIMESTAMP=timestamp,
        HTTP_X_CONSULT_SIGNATURE=mail.sign(timestamp=timestamp, body=raw, secret="test-secret"),
        headers={"Content-Length": "abc"},
    )
    assert response.status_code < 500


def test_it_refuses_get(client):
    assert client.get(URL).status_code == 405


def test_mail_from_a_verified_user_opens_a_consultation_and_gets_the_automated_answer(
    client, sample, coder, mailoutbox, django_capture_on_commit_callbacks
):
    response = deliver(client, django_capture_on_commit_callbacks, sample("plain.eml"))
    assert response.status_code == 202

    consultation = Consultation.objects.get()
    assert consultation.user == coder
    assert consultation.subject == "Modifier 25 with a minor procedure"
    assert consultation.status == Consultation.Status.AUTO_ANSWERED
    question, automated = consultation.messages.all()
    # PHI is gone before storage, and counted.
    assert "John Smith" not in question.body
    assert "03/14/1956" not in question.body
    assert question.phi_counts == {"name": 2, "dob": 1, "mrn": 1}  # the patient, and "Thanks, Casey"
    assert question.message_id == "<plain-1@mail.example.com>"
    assert automated.author_kind == ConsultMessage.Author.AUTOMATED
    # The raw message is not kept once processed.
    inbound = InboundEmail.objects.get()
    assert inbound.status == InboundEmail.Status.PROCESSED
    assert bytes(inbound.raw) == b""

    (answer,) = mailoutbox
    assert answer.to == ["coder@example.com"]
    assert answer.subject == f"Re: [Consultation #{consultation.pk}] Modifier 25 with a minor procedure"
    assert answer.extra_headers["In-Reply-To"] == "<plain-1@mail.example.com>"
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"
    assert answer.reply_to == [f"consult+{consultation.token}@localhost"]
    assert "AUTOMATED FIRST ANSWER" in answer.body
    assert "NCCI Policy Manual, chapter 1" in answer.body
    assert "we removed 2 names, 1 date of birth and 1 medical record number" in answer.body
    assert answer.alternatives[0][1] == "text/html"
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_the_same_message_is_processed_once(client, sample, coder, mailoutbox, django_capture_on_commit_callbacks):
    now = int(time.time())
    deliver(client, django_capture_on_commit_callbacks, sample("plain.eml"), str(now - 5))
    # Delivered again by the provider: a new request (another timestamp, so not a replay of the
    # first request), the same message.
    response = deliver(client, django_capture_on_commit_callbacks, sample("plain.eml"), str(now - 1))
    assert response.status_code == 200
    assert response.json()["duplicate"] is True
    assert Consultation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_processing_twice_changes_nothing(sample, coder, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inbound, _ = consult_inbound.store_inbound(sample("plain.eml"), source="test")
    assert consult_inbound.process_inbound(inbound) == "consultation opened"
    assert Consultation.objects.count() == 1


def test_unknown_senders_get_a_polite_reply_once_and_no_consultation(
    client, sample, mailoutbox, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, sample("unknown_sender.eml"))
    deliver(
        client,
        django_capture_on_commit_callbacks,
        sample("unknown_sender.eml", **{"stranger-1": "stranger-2"}),
    )
    assert Consultation.objects.count() == 0
    (reply,) = mailoutbox  # one notice a day, however many messages
    assert reply.to == ["stranger@example.org"]
    assert "/accounts/signup/" in reply.body
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert reply.extra_headers["In-Reply-To"] == "<stranger-1@example.org>"


@pytest.mark.parametrize("name", ["auto_reply.eml", "x_autoreply.eml", "precedence_bulk.eml", "bounce_dsn.eml"])
def test_automatic_mail_is_never_answered(client, sample, coder, mailoutbox, django_capture_on_commit_callbacks, name):
    deliver(client, django_capture_on_commit_callbacks, sample(name))
    assert mailoutbox == []
    assert Consultation.objects.count() == 0
    assert InboundEmail.objects.get().status == InboundEmail.Status.IGNORED


def test_a_reply_by_email_lands_in_the_same_consultation_by_its_headers(
    client, sample, coder, mailoutbox, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, sample("plain.eml"))
    consultation = Consultation.objects.get()
    consultation.set_status(Consultation.Status.ANSWERED)
    answer_id = mailoutbox[0].extra_headers["Message-ID"]
    raw = sample("reply_quoted.eml", IN_REPLY_TO=answer_id, REFERENCES=f"<plain-1@mail.example.com> {answer_id}")
    raw = raw.replace(b"consult+TOKEN@localhost", b"consult@localhost")  # threading by headers alone
    deliver(client, django_capture_on_commit_callbacks, raw)

    assert Consultation.objects.count() == 1
    consultation.refresh_from_db()
    last = consultation.messages.last()
    assert last.body == "Thanks. The E/M was for a new complaint, does that change anything?"
    assert last.via == ConsultMessage.Via.EMAIL
    assert consultation.status == Consultation.Status.RECEIVED  # reopened


def test_a_reply_without_headers_lands_by_the_reply_address_token(
    client, sample, coder, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, sample("plain.eml"))
    consultation = Consultation.objects.get()
    deliver(client, django_capture_on_commit_callbacks, sample("reply_outlook.eml", TOKEN=consultation.token))
    assert Consultation.objects.count() == 1
    assert consultation.messages.last().body == "One more detail: the lesion was 1.2 cm."


def test_a_token_of_someone_elses_consultation_opens_a_new_one(
    client, sample, coder, django_user_model, django_capture_on_commit_callbacks
):
    other = django_user_model.objects.create_user(username="other", email="other@example.com")
    theirs = Consultation.objects.create(user=other, subject="Theirs")
    deliver(client, django_capture_on_commit_callbacks, sample("reply_outlook.eml", TOKEN=theirs.token))
    assert theirs.messages.count() == 0
    assert Consultation.objects.filter(user=coder).count() == 1


def test_attachments_are_stored_and_refusals_noted(
    client, sample, coder, mailoutbox, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, sample("attachments.eml"))
    message = ConsultMessage.objects.get(author_kind="user")
    # The PDF has no text (a scan) and images cannot be redacted: neither is kept, and both are noted.
    names = sorted(a.filename for a in message.attachments.all())
    assert names == ["note.txt"]
    assert any("op-note.pdf" in note and "no text" in note for note in message.notes)
    text_file = message.attachments.get(filename="note.txt")
    stored = text_file.file.read().decode()
    assert "Robert Brown" not in stored
    assert "123-45-6789" not in stored
    assert message.phi_counts == {"name": 1, "ssn": 1}
    assert any("claim.docx" in note for note in message.notes)


def test_an_oversized_message_gets_a_note_back(
    client, sample, coder, mailoutbox, settings, django_capture_on_commit_callbacks
):
    raw = sample("attachments.eml")
    settings.CONSULT_MAX_MESSAGE_BYTES = len(raw) - 1
    deliver(client, django_capture_on_commit_callbacks, raw)
    assert Consultation.objects.count() == 0
    (note,) = mailoutbox
    assert "larger than" in note.body


def test_email_quota_is_enforced_with_a_clear_reply(
    client, sample, coder, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.PLANS = {**settings.PLANS, "free": {**settings.PLANS["free"], "consultations_per_month": 1}}
    deliver(client, django_capture_on_commit_callbacks, sample("plain.eml"))
    deliver(client, django_capture_on_commit_callbacks, sample("latin1.eml"))
    assert Consultation.objects.count() == 1
    refusal = mailoutbox[-1]
    assert "1 consultation a month" in refusal.body
    assert refusal.extra_headers["In-Reply-To"] == "<latin1-1@mail.example.com>"


def test_fetch_consult_mail_reads_a_maildir_once(
    tmp_path, sample, coder, mailoutbox, django_capture_on_commit_callbacks
):
    import mailbox
    from io import StringIO

    from django.core.management import call_command

    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(sample("plain.eml"))
    box.add(sample("html_only_base64.eml"))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("fetch_consult_mail", maildir=str(tmp_path / "Maildir"), stdout=out)
        call_command("fetch_consult_mail", maildir=str(tmp_path / "Maildir"), stdout=out)
    assert "2 message(s) stored" in out.getvalue()
    assert "0 message(s) stored, 0 already known" in out.getvalue()  # marked as seen
    assert Consultation.objects.count() == 2


def test_processing_is_retried_after_a_failure(sample, coder, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    real = consult_inbound._process

    def flaky(raw):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return real(raw)

    monkeypatch.setattr(consult_inbound, "_process", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        inbound, _ = consult_inbound.store_inbound(sample("plain.eml"), source="test")
    inbound.refresh_from_db()
    assert len(calls) == 2
    assert inbound.status == InboundEmail.Status.PROCESSED
    assert Consultation.objects.count() == 1


def test_the_automated_answer_comes_from_casepilots_engine(
    client, pilot_data, coder, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(engine, "answer", ENGINE_ANSWER)  # the real one, which consult_env replaced
    raw = (
        b"Authentication-Results: mx.consult.example; dmarc=pass header.from=example.com\r\n"
        b"From: coder@example.com\r\nTo: consult@localhost\r\nSubject: Can 43239 and 43235 be billed together?\r\n"
        b"Message-ID: <engine-1@mail.example.com>\r\n\r\nPatient: John Smith. Both EGDs on the same day.\r\n"
    )
    deliver(client, django_capture_on_commit_callbacks, raw)
    automated = ConsultMessage.objects.get(author_kind=ConsultMessage.Author.AUTOMATED)
    assert "43239" in automated.body
    assert automated.citations
    assert {"system": "cpt", "code": "43239", "url": "/cpt/43239/"} in automated.answer_codes
    assert "http://localhost:8000/cpt/43239/" in mailoutbox[0].body  # sources as absolute links


def test_work_a_lost_worker_left_behind_is_queued_again(sample, coder, mailoutbox, django_capture_on_commit_callbacks):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    # Stored, but the worker died before processing it.
    inbound, _ = consult_inbound.store_inbound(sample("plain.eml"), source="test")
    InboundEmail.objects.filter(pk=inbound.pk).update(received_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_consult_work", stdout=out)
    assert "1 inbound message(s), 0 draft(s) and 0 email(s) queued again" in out.getvalue()
    consultation = Consultation.objects.get()
    assert consultation.status == Consultation.Status.AUTO_ANSWERED
    # Running it again changes nothing: no second answer.
    Consultation.objects.update(created=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_consult_work", stdout=out)
    assert len(mailoutbox) == 1


class FakeIMAP:
    """Just enough of imaplib.IMAP4 for fetch_consult_mail: a mailbox whose messages carry a Seen flag."""

    error = imaplib.IMAP4.error
    mailbox: dict[bytes, bytes] = {}
    seen: set[bytes] = set()

    def __init__(self, host: str, port: int) -> None:
        assert (host, port) == ("imap.example.com", 143)

    def login(self, user: str, password: str) -> None:
        assert (user, password) == ("consult", "secret")

    def select(self, folder: str):
        return "OK", [str(len(self.mailbox)).encode()]

    def uid(self, command: str, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(uid for uid in self.mailbox if uid not in self.seen)]
        if command == "FETCH":
            assert args[1] == "(BODY.PEEK[])"  # does not mark it read before it is stored
            return "OK", [(args[0] + b" (UID BODY[] {1})", self.mailbox[args[0]]), b")"]
        if command == "STORE":
            self.seen.add(args[0])
            return "OK", []
        raise AssertionError(command)

    def logout(self) -> None:
        pass


def test_fetch_consult_mail_reads_imap_and_marks_messages_read_once_stored(
    sample, coder, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    from casepilot.management.commands import fetch_consult_mail

    settings.CONSULT_IMAP_HOST, settings.CONSULT_IMAP_PORT, settings.CONSULT_IMAP_SSL = "imap.example.com", 143, False
    settings.CONSULT_IMAP_USER, settings.CONSULT_IMAP_PASSWORD = "consult", "secret"
    FakeIMAP.mailbox = {b"7": sample("plain.eml"), b"8": sample("latin1.eml")}
    FakeIMAP.seen = set()
    monkeypatch.setattr(fetch_consult_mail.imaplib, "IMAP4", FakeIMAP)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("fetch_consult_mail", stdout=out)
        call_command("fetch_consult_mail", stdout=out)
    assert FakeIMAP.seen == {b"7", b"8"}
    assert "2 message(s) stored, 0 already known" in out.getvalue()
    assert Consultation.objects.count() == 2


def test_fetch_consult_mail_says_what_to_configure(settings):
    from django.core.management import CommandError, call_command

    settings.CONSULT_IMAP_HOST = ""
    with pytest.raises(CommandError, match="CONSULT_IMAP_HOST"):
        call_command("fetch_consult_mail")


def test_mail_with_a_forged_sender_opens_nothing(client, sample, coder, mailoutbox, django_capture_on_commit_callbacks):
    raw = sample("plain.eml").replace(b"dmarc=pass", b"dmarc=fail")
    deliver(client, django_capture_on_commit_callbacks, raw)
    assert Consultation.objects.count() == 0
    assert mailoutbox == []
    assert InboundEmail.objects.get().outcome == "ignored: sender address failed DMARC"


def test_a_message_a_killed_worker_was_processing_is_picked_up_again(
    sample, coder, mailoutbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    inbound, _ = consult_inbound.store_inbound(sample("plain.eml"), source="test")
    # Claimed by a worker that was then killed: "processing" since an hour ago.
    InboundEmail.objects.filter(pk=inbound.pk).update(
        status=InboundEmail.Status.PROCESSING, started_at=timezone.now() - timedelta(hours=1)
    )
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_consult_work", stdout=out)
    assert "1 inbound message(s)" in out.getvalue()
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.PROCESSED
    assert inbound.raw == b""
    assert Consultation.objects.count() == 1


def test_a_message_stored_before_the_worker_died_is_not_stored_twice(
    sample, coder, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inbound, _ = consult_inbound.store_inbound(sample("plain.eml"), source="test")
    # The worker stored the consultation but died before marking the row processed; requeue_stalled
    # made it pending again.
    InboundEmail.objects.filter(pk=inbound.pk).update(status=InboundEmail.Status.PENDING, raw=sample("plain.eml"))
    assert consult_inbound.process_inbound(inbound) == "already stored"
    assert Consultation.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # so that an atomic block of the code's own shows
def test_redaction_runs_outside_any_transaction(sample, coder, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import connection

    from casepilot import phi

    real = phi.redact
    seen = []

    def watching(text):
        seen.append(connection.in_atomic_block)
        return real(text)

    monkeypatch.setattr(phi, "redact", watching)
    with django_capture_on_commit_callbacks(execute=True):
        consult_inbound.store_inbound(sample("plain.eml"), source="test")
    assert seen
    assert not any(seen)


# --- Who sent it: the From address, authenticated by the receiving server ------------------------


def _attacker_mail(sample, *, results: bytes = b"") -> bytes:
    raw = sample("plain.eml").replace(b"Casey Coder <coder@example.com>", b"Mallory <mallory@attacker.example>")
    raw = raw.split(b"\n", 1)[1]  # without the sample's own Authentication-Results
    return results + b"Reply-To: coder@example.com\r\n" + raw


def test_reply_to_never_decides_who_sent_a_message(
    client, sample, coder, mailoutbox, django_capture_on_commit_callbacks
):
    results = b"Authentication-Results: mx.consult.example; dmarc=pass header.from=attacker.example\r\n"
    deliver(client, django_capture_on_commit_callbacks, _attacker_mail(sample, results=results))
    assert Consultation.objects.count() == 0  # not coder's quota, not coder's thread
    inbound = InboundEmail.objects.get()
    assert inbound.outcome == "ignored: unknown sender, told how to register"
    assert [m.to for m in mailoutbox] == [["mallory@attacker.example"]]  # never the Reply-To


@pytest.mark.parametrize(
    "results",
    [
        b"",  # no verdict at all
        b"Authentication-Results: mx.consult.example; spf=none; dkim=none; dmarc=none\r\n",
        # Written by the sender, not by our server: another authserv-id.
        b"Authentication-Results: mx.attacker.example; dmarc=pass header.from=example.com\r\n",
        # SPF passes for the attacker's envelope domain, which is not aligned with From.
        b"Authentication-Results: mx.consult.example; spf=pass smtp.mailfrom=attacker.example\r\n",
        b"Authentication-Results: mx.consult.example; dkim=pass header.d=attacker.example\r\n",
    ],
)
def test_an_unauthenticated_from_is_an_unknown_sender(
    client, sample, coder, mailoutbox, django_capture_on_commit_callbacks, results
):
    raw = results + sample("plain.eml").split(b"\n", 1)[1]  # From: coder@example.com, unproven
    deliver(client, django_capture_on_commit_callbacks, raw)
    assert Consultation.objects.count() == 0
    assert InboundEmail.objects.get().outcome.startswith("ignored: sender not authenticated")


@pytest.mark.parametrize(
    "results",
    [
        b"Authentication-Results: mx.consult.example; dmarc=pass (p=reject) header.from=example.com\r\n",
        b"Authentication-Results: mx.consult.example; spf=pass smtp.mailfrom=bounces.example.com\r\n",
        b"Authentication-Results: mx.consult.example; dkim=pass header.d=example.com header.s=sel1\r\n",
    ],
)
def test_an_authenticated_from_opens_a_consultation(client, sample, coder, django_capture_on_commit_callbacks, results):
    raw = results + sample("plain.eml").split(b"\n", 1)[1]
    deliver(client, django_capture_on_commit_callbacks, raw)
    assert Consultation.objects.get().user == coder

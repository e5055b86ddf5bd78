"""CaseConsultant on the site: opening a consultation, the thread, quotas, the consultants' queue."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casepilot import consult
from casepilot.models import Consultation, ConsultMessage
from tests.casepilot.pdfs import make_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("consult_env")]

QUESTION = {
    "subject": "Modifier 25 with 11102",
    "codes": "99214, 11102, 25",
    "question": "Patient: Jane Doe, DOB 01/02/1960. Seen 05/30/2024, E/M and a biopsy. Is modifier 25 right?",
}


def open_one(client, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/consult/new/", {**QUESTION, **extra}, follow=True)


def test_guests_are_told_how_to_start(client):
    response = client.get("/consult/")
    assert response.status_code == 200
    assert b"Sign in to open a consultation" in response.content
    assert b"consult@localhost" in response.content


def test_opening_needs_a_sign_in(client):
    response = client.post("/consult/new/", QUESTION)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Consultation.objects.count() == 0


@pytest.mark.sqlite_smoke
def test_a_user_opens_a_consultation_and_sees_the_automated_answer(
    client, coder, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coder)
    response = open_one(client, django_capture_on_commit_callbacks)
    consultation = Consultation.objects.get()
    assert response.redirect_chain[-1][0] == f"/consult/{consultation.pk}/"
    page = response.content.decode()
    # The user is told what was redacted; the stored text has no PHI.
    assert "we removed 1 name and 1 date of birth" in page
    assert "Jane Doe" not in page
    assert "01/02/1960" not in page
    assert "Seen 05/30/2024" in page
    # The worker has drafted the automated answer meanwhile.
    page = client.get(f"/consult/{consultation.pk}/").content.decode()
    assert "Automated: drafted by CasePilot" in page
    assert "Removed before storing: 1 name and 1 date of birth." in page
    assert "NCCI Policy Manual, chapter 1" in page
    assert consultation.codes == "99214, 11102, 25"
    assert consultation.status == Consultation.Status.AUTO_ANSWERED
    (email,) = mailoutbox
    assert email.to == ["coder@example.com"]
    assert "Automated draft for: Modifier 25 with 11102" in email.body


def test_attachments_are_kept_and_served_only_to_the_owner_and_consultants(
    client, coder, consultant, django_user_model, django_capture_on_commit_callbacks
):
    client.force_login(coder)
    note = SimpleUploadedFile("op.txt", b"Excision of a 1.2 cm lesion.", content_type="text/plain")
    open_one(client, django_capture_on_commit_callbacks, attachments=[note])
    attachment = ConsultMessage.objects.get(author_kind="user").attachments.get()
    url = f"/consult/attachments/{attachment.pk}/"
    assert b"".join(client.get(url).streaming_content) == b"Excision of a 1.2 cm lesion."
    client.force_login(consultant)
    assert client.get(url).status_code == 200
    client.force_login(django_user_model.objects.create_user(username="nosy", email="nosy@example.com"))
    assert client.get(url).status_code == 403


def test_a_pdf_is_kept_as_its_redacted_text_never_as_sent(client, coder, django_capture_on_commit_callbacks):
    client.force_login(coder)
    pdf = make_pdf("OPERATIVE NOTE", "Patient: Robert Brown  DOB 02/03/1951", "Excision of a 1.2 cm lesion, CPT 11402.")
    upload = SimpleUploadedFile("op-note.pdf", pdf, content_type="application/pdf")
    page = open_one(client, django_capture_on_commit_callbacks, attachments=[upload]).content.decode()
    message = ConsultMessage.objects.get(author_kind="user")
    attachment = message.attachments.get()
    assert attachment.filename == "op-note.pdf.txt"
    assert attachment.content_type == "text/plain"
    stored = attachment.file.read().decode()
    assert "Excision of a 1.2 cm lesion, CPT 11402." in stored
    assert "Robert" not in stored
    assert "Brown" not in stored
    assert "02/03/1951" not in stored
    assert not stored.startswith("%PDF")
    assert message.phi_counts["name"] >= 2  # Jane Doe in the question, Robert Brown in the PDF
    assert "we removed" in page


def test_images_are_refused_they_cannot_be_redacted(client, coder):
    client.force_login(coder)
    image = SimpleUploadedFile("face-sheet.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    response = client.post("/consult/new/", {**QUESTION, "attachments": [image]})
    assert response.status_code == 400
    assert b"only PDF files and text files are accepted" in response.content
    assert Consultation.objects.count() == 0


def test_other_file_types_are_refused(client, coder):
    client.force_login(coder)
    doc = SimpleUploadedFile("x.docx", b"PK", content_type="application/msword")
    response = client.post("/consult/new/", {**QUESTION, "attachments": [doc]})
    assert response.status_code == 400
    assert b"only PDF files and text files are accepted" in response.content
    assert Consultation.objects.count() == 0


def test_empty_questions_get_a_clear_error(client, coder):
    client.force_login(coder)
    response = client.post("/consult/new/", {"subject": "", "question": ""})
    assert response.status_code == 400
    assert b"This field is required" in response.content


def test_the_monthly_quota_is_enforced_on_the_site(client, coder, settings, django_capture_on_commit_callbacks):
    client.force_login(coder)
    assert settings.PLANS["free"]["consultations_per_month"] == 2
    open_one(client, django_capture_on_commit_callbacks)
    open_one(client, django_capture_on_commit_callbacks)
    response = client.post("/consult/new/", QUESTION)
    assert response.status_code == 403
    assert b"includes 2 consultations a month and you have used them all" in response.content
    assert Consultation.objects.count() == 2


def test_messages_per_hour_are_limited(client, coder, plans, django_capture_on_commit_callbacks):
    plans("free", consult_messages_per_hour=1)
    client.force_login(coder)
    open_one(client, django_capture_on_commit_callbacks)
    consultation = Consultation.objects.get()
    response = client.post(f"/consult/{consultation.pk}/reply/", {"text": "More"}, follow=True)
    assert b"many messages in the last hour" in response.content
    assert consultation.messages.filter(author_kind="user").count() == 1


def test_others_cannot_read_a_consultation(client, coder, django_user_model):
    consultation = Consultation.objects.create(user=coder, subject="Mine")
    client.force_login(django_user_model.objects.create_user(username="nosy", email="nosy@example.com"))
    assert client.get(f"/consult/{consultation.pk}/").status_code == 403
    assert client.post(f"/consult/{consultation.pk}/reply/", {"text": "hi"}).status_code == 404


def test_the_queue_is_for_consultants_only(client, coder):
    client.force_login(coder)
    assert client.get("/consult/queue/").status_code == 403


def test_a_consultant_claims_answers_and_the_user_sees_it(
    client, coder, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coder)
    open_one(client, django_capture_on_commit_callbacks)
    consultation = Consultation.objects.get()
    automated_id = mailoutbox[0].extra_headers["Message-ID"]

    client.force_login(consultant)
    queue = client.get("/consult/queue/").content.decode()
    assert "Modifier 25 with 11102" in queue
    assert "within target" in queue
    page = client.get(f"/consult/{consultation.pk}/").content.decode()
    assert "Automated draft for: Modifier 25 with 11102" in page  # the draft at hand
    assert 'href="/cpt/99214/"' in page  # code links at hand
    client.post(f"/consult/{consultation.pk}/claim/")
    consultation.refresh_from_db()
    assert consultation.claimed_by == consultant
    assert consultation.status == Consultation.Status.WITH_CONSULTANT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/consult/{consultation.pk}/answer/", {"text": "Yes: modifier 25 on 99214 is right here."})
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ANSWERED

    answer = mailoutbox[-1]
    assert "Answer from your consultant" in answer.body
    assert answer.extra_headers["References"].split()[-1] == automated_id
    assert "Auto-Submitted" not in answer.extra_headers

    client.force_login(coder)
    page = client.get(f"/consult/{consultation.pk}/").content.decode()
    assert "Yes: modifier 25 on 99214 is right here." in page
    assert "From a consultant" in page
    assert "Answered" in client.get("/consult/").content.decode()


def test_a_reply_on_the_site_reopens_a_closed_consultation(
    client, coder, consultant, django_capture_on_commit_callbacks
):
    client.force_login(coder)
    open_one(client, django_capture_on_commit_callbacks)
    consultation = Consultation.objects.get()
    client.post(f"/consult/{consultation.pk}/close/")
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CLOSED
    client.post(f"/consult/{consultation.pk}/reply/", {"text": "Call me on 555-123-4567 about it"})
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.RECEIVED
    last = consultation.messages.last()
    assert last.body == "Call me on [PHONE] about it"
    assert last.phi_counts == {"phone": 1}


def test_the_queue_shows_overdue_consultations(client, consultant, coder, settings):
    from datetime import timedelta

    from django.utils import timezone

    Consultation.objects.create(user=coder, subject="Old one", created=timezone.now() - timedelta(hours=30))
    client.force_login(consultant)
    assert "over target" in client.get("/consult/queue/").content.decode()


def test_my_consultations_lists_only_mine(coder, django_user_model):
    Consultation.objects.create(user=coder, subject="Mine")
    other = django_user_model.objects.create_user(username="other", email="other@example.com")
    Consultation.objects.create(user=other, subject="Theirs")
    assert [c.subject for c in consult.my_consultations(coder)] == ["Mine"]


def test_the_account_page_lists_my_consultations(client, coder):
    consultation = Consultation.objects.create(user=coder, subject="Modifier 59 or XS?")
    consultation.set_status(Consultation.Status.ANSWERED)
    client.force_login(coder)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Modifier 59 or XS?" in page
    assert "Answered" in page


def test_the_subject_is_redacted_and_counted_too(client, coder, django_capture_on_commit_callbacks):
    client.force_login(coder)
    open_one(client, django_capture_on_commit_callbacks, subject="Mrs. Alvarez: modifier 25?")
    consultation = Consultation.objects.get()
    assert consultation.subject == "Mrs. [NAME]: modifier 25?"
    assert consultation.messages.first().phi_counts == {"name": 2, "dob": 1}


def test_pro_accounts_get_the_pro_quota(coder):
    import datetime

    from accounts.models import Plan

    assert consult.monthly_quota(coder) == 2
    Plan.objects.create(user=coder, ends=datetime.date.today() + datetime.timedelta(days=30))
    coder._quota_plan_facts = None  # plan facts are remembered on the user object
    assert consult.monthly_quota(coder) == 30
    consult.open_consultation(user=coder, subject="One", question="Modifier 25 with 99213?")
    assert consult.remaining_this_month(coder) == 29


SINGLE_LINE = "Use a single line of text: line breaks, tabs and other control characters are not allowed here."


@pytest.mark.parametrize("subject", ["Modifier 25\r\nBcc: everyone@example.com", "Tab\there", "Esc\x1b[31m"])
def test_a_consultation_subject_with_a_control_character_is_refused_with_a_message(client, coder, subject):
    client.force_login(coder)
    response = client.post("/consult/new/", {"subject": subject, "codes": "", "question": "Is modifier 25 right?"})
    assert response.status_code == 400
    assert SINGLE_LINE in response.content.decode()
    assert Consultation.objects.count() == 0

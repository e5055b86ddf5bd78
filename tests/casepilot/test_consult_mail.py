"""Parsing of inbound mail: every kind of real-world message in tests/casepilot/mail_samples/."""

import pytest

from casepilot import mail

pytestmark = pytest.mark.usefixtures("consult_env")


def test_it_reads_a_plain_message(sample):
    parsed = mail.parse(sample("plain.eml"))
    assert parsed.message_id == "<plain-1@mail.example.com>"
    assert parsed.sender == "coder@example.com"
    assert parsed.subject == "Modifier 25 with a minor procedure"
    assert "Can I append modifier 25" in parsed.text
    assert not parsed.automatic


def test_it_prefers_the_plain_part_and_decodes_quoted_printable(sample):
    parsed = mail.parse(sample("alternative_qp.eml"))
    assert parsed.subject == "Dexamethasone units \u2013 J1100"
    assert "per 1 mg \u2013 or per 4 mg" in parsed.text
    assert "<p>" not in parsed.text
    assert parsed.attachments == []  # the HTML alternative is not an attachment


def test_it_converts_an_html_only_body_without_the_quoted_history(sample):
    parsed = mail.parse(sample("html_only_base64.eml"))
    assert "Which code for a left knee arthroscopy" in parsed.text
    assert "We used 29881." in parsed.text
    assert "Old automated answer" not in parsed.text
    assert "color:red" not in parsed.text


@pytest.mark.parametrize(
    ("name", "expected"),
    [("latin1.eml", "Café au lait spots, code Q85.01? Résumé"), ("unknown_charset.eml", "Naïve question")],
)
def test_it_decodes_odd_charsets(sample, name, expected):
    assert expected in mail.parse(sample(name)).text


def test_it_strips_quoted_history_and_signature(sample):
    parsed = mail.parse(sample("reply_quoted.eml", IN_REPLY_TO="<a@x>", REFERENCES="<first@x> <a@x>"))
    assert parsed.text == "Thanks. The E/M was for a new complaint, does that change anything?"
    assert parsed.in_reply_to == "<a@x>"
    assert parsed.thread_ids == ["<a@x>", "<first@x>"]


def test_it_strips_an_outlook_reply_and_a_mobile_footer(sample):
    parsed = mail.parse(sample("reply_outlook.eml", TOKEN="abc123"))
    assert parsed.text == "One more detail: the lesion was 1.2 cm."
    assert parsed.reply_tokens() == ["abc123"]


def test_it_keeps_allowed_attachments_and_refuses_the_rest_with_a_note(sample):
    parsed = mail.parse(sample("attachments.eml"))
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("op-note.pdf", "application/pdf"),
        ("note.txt", "text/plain"),
    ]
    assert any("lesion.png" in note and "only PDF files and text files" in note for note in parsed.notes)
    assert parsed.attachments[0].content.startswith(b"%PDF")
    assert "Which CPT for the excision?" in parsed.text
    assert any("claim.docx" in note for note in parsed.notes)
    assert any("run.exe" in note for note in parsed.notes)  # the path is dropped from the name


def test_it_limits_the_number_and_size_of_attachments(sample, settings):
    settings.CONSULT_ATTACHMENT_MAX_COUNT = 1
    parsed = mail.parse(sample("attachments.eml"))
    assert [a.filename for a in parsed.attachments] == ["op-note.pdf"]
    assert any("at most 1 attachments" in note for note in parsed.notes)
    settings.CONSULT_ATTACHMENT_MAX_BYTES = 10
    parsed = mail.parse(sample("attachments.eml"))
    assert parsed.attachments == []


def test_it_flags_an_oversized_message(sample, settings):
    settings.CONSULT_MAX_MESSAGE_BYTES = 100
    parsed = mail.parse(sample("attachments.eml"))
    assert parsed.too_large
    assert parsed.attachments == []
    assert parsed.sender == "coder@example.com"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_reply.eml", "Auto-Submitted: auto-replied"),
        ("x_autoreply.eml", "X-Autoreply"),
        ("precedence_bulk.eml", "Precedence: bulk"),
        ("bounce_dsn.eml", "delivery status notification"),
    ],
)
def test_it_recognises_automatic_mail(sample, name, reason):
    assert mail.parse(sample(name)).automatic == reason


def test_it_makes_a_stable_message_id_when_there_is_none(sample):
    raw = sample("no_message_id.eml")
    assert mail.message_id_of(raw) == mail.message_id_of(raw)
    assert mail.message_id_of(raw).startswith("<sha256-")


def test_signature_covers_timestamp_and_body():
    one = mail.sign(timestamp="1700000000", body=b"x", secret="s")
    assert one != mail.sign(timestamp="1700000001", body=b"x", secret="s")
    assert one != mail.sign(timestamp="1700000000", body=b"y", secret="s")
    assert len(one) == 64

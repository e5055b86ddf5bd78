"""The claim check page: a plain form (rows without JavaScript), findings grouped by line, CSV,
printable view, saved claims; the CSV batch with its sample file."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from codes.claims import batch
from codes.models import SavedClaim

pytestmark = pytest.mark.django_db

FORM = {
    "date_of_service": "2026-03-02",
    "setting": "practitioner",
    "age": "67",
    "sex": "F",
    "dx": ["E11.9", "E10.9", "", ""],
    "line_code": ["43239", "43235", ""],
    "line_modifiers": ["", "59", ""],
    "line_units": ["1", "1", ""],
    "line_pointers": ["1", "A B", ""],
}


def test_the_page_is_a_plain_form(client, claim_data):
    response = client.get("/claim-check/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="date_of_service"' in html
    assert html.count('name="line_code"') == 2
    assert "Medicare Code Editor has edits this check lacks" in html
    assert 'value="more"' in html  # more rows without JavaScript


def test_add_rows_without_javascript_keeps_what_was_typed(client, claim_data):
    response = client.post("/claim-check/", {**FORM, "action": "more"})
    html = response.content.decode()
    assert html.count('name="line_code"') == 2 + 5
    assert 'value="43239"' in html
    assert 'id="claim-results"' not in html  # adding rows checks nothing (and spends no check)


def test_it_shows_findings_grouped_by_line_worst_first(client, claim_data):
    response = client.post("/claim-check/", {**FORM, "action": "check"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 1: <code>43239</code>" in html
    assert "modifier indicator 0" in html
    assert "Excludes1" in html
    assert html.index("badge--danger") < html.index("claim-rules-title")


def test_bad_input_is_shown_beside_its_field(client, claim_data):
    response = client.post("/claim-check/", {**FORM, "line_units": ["0", "1", ""], "action": "check"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 1, units: a whole number from 1 to 9999" in html
    assert 'aria-invalid="true"' in html


def test_it_downloads_the_findings_as_csv(client, claim_data):
    response = client.post("/claim-check/", {**FORM, "action": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {"ncci_ptp", "excludes1"} <= {r["rule"] for r in rows}
    assert rows[0]["severity"] == "error"


def test_printable_view(client, claim_data):
    response = client.post("/claim-check/", {**FORM, "action": "print"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="claim-print"' in html
    assert "site-header" not in html


def test_a_guest_cannot_save(client, claim_data):
    assert client.post("/claim-check/", {**FORM, "action": "save"}).status_code == 403
    assert SavedClaim.objects.count() == 0


def test_a_user_saves_opens_and_deletes_a_claim(client, claim_data, alice, bob):
    client.force_login(alice)
    response = client.post("/claim-check/", {**FORM, "action": "save", "name": "Visit 12"})
    saved = SavedClaim.objects.get(user=alice)
    assert response.url == f"/claim-check/saved/{saved.pk}/"
    assert saved.claim["lines"][1] == {"code": "43235", "modifiers": ["59"], "units": 1, "diagnosis_pointers": [1, 2]}
    assert "Visit 12" in client.get("/claim-check/saved/").content.decode()
    assert 'value="43235"' in client.get(saved.get_absolute_url()).content.decode()
    client.force_login(bob)
    assert client.get(saved.get_absolute_url()).status_code == 404
    assert client.post(f"/claim-check/saved/{saved.pk}/delete/").status_code == 404
    client.force_login(alice)
    client.post(f"/claim-check/saved/{saved.pk}/delete/")
    assert not SavedClaim.objects.exists()


def test_saved_claims_are_in_the_data_export(claim_data, alice):
    from accounts.privacy import export_data

    SavedClaim.objects.create(user=alice, name="Visit", claim={"date_of_service": "2026-03-02", "lines": []})
    assert export_data(alice)["saved_claims"][0]["name"] == "Visit"


def test_the_sample_file_checks_as_a_batch(client, claim_data, alice):
    client.force_login(alice)
    sample = client.get("/claim-check/batch/sample.csv")
    assert sample["Content-Type"].startswith("text/csv")
    upload = SimpleUploadedFile("claims.csv", sample.content, content_type="text/csv")
    response = client.post("/claim-check/batch/", {"file": upload})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["claim_id"] for r in rows} == {"A1001", "A1002"}
    assert next(r for r in rows if r["claim_id"] == "A1001" and r["rule"] == "ncci_ptp")["lines"] == "1 2"


def test_a_bad_batch_names_the_csv_line(client, claim_data):
    body = batch.SAMPLE.replace("11102,,1,1", "11102,,zero,1")
    upload = SimpleUploadedFile("claims.csv", body.encode(), content_type="text/csv")
    response = client.post("/claim-check/batch/", {"file": upload})
    assert response.status_code == 400
    assert "line 3 (claim A1001): lines[2].units" in response.content.decode()


def test_a_batch_over_10000_lines_is_refused(client, claim_data):
    rows = "\n".join(f"C{i},2026-03-02,,,,E11.9,99214,,1,1" for i in range(batch.MAX_ROWS + 1))
    upload = SimpleUploadedFile("claims.csv", (",".join(batch.HEADER) + "\n" + rows).encode(), content_type="text/csv")
    response = client.post("/claim-check/batch/", {"file": upload})
    assert response.status_code == 400
    assert "at most 10,000 service lines" in response.content.decode()


def test_a_batch_counts_one_check_per_claim(client, claim_data, plans):
    plans("guest", claim_checks_per_day=1)
    upload = SimpleUploadedFile("claims.csv", batch.SAMPLE.encode(), content_type="text/csv")
    response = client.post("/claim-check/batch/", {"file": upload})
    assert response.status_code == 429
    assert "This file holds 2 claims" in response.content.decode()

import csv
import io

import pytest

from codes.models import CodeNote, FavouriteCode

pytestmark = pytest.mark.django_db


def test_it_exports_favourites_notes_and_recently_viewed_as_csv(client, alice, bob, codes):
    FavouriteCode.objects.create(user=alice, code=codes["E11.9"])
    CodeNote.objects.create(user=alice, code=codes["M48.56XA"], text='=HYPERLINK("x") and a comma, too')
    FavouriteCode.objects.create(user=bob, code=codes["M48"])
    client.force_login(alice)
    response = client.get("/accounts/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["type", "system", "code", "title", "note", "date", "url"]
    by_type = {(row[0], row[2]): row for row in rows[1:]}
    assert set(by_type) == {("favourite", "E11.9"), ("note", "M48.56XA")}  # nothing of bob's
    assert by_type["favourite", "E11.9"][3] == "Type 2 diabetes mellitus without complications"
    assert by_type["favourite", "E11.9"][6].endswith("/icd-10-cm/E11.9/")
    # A note that looks like a spreadsheet formula is kept as text.
    assert by_type["note", "M48.56XA"][4] == '\'=HYPERLINK("x") and a comma, too'


def test_the_export_needs_a_login(client):
    assert client.get("/accounts/export.csv").status_code == 302

"""manage.py casepilot_eval: accuracy per topic from expected facts and cited codes."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

QUESTIONS = (
    "topic\tquestion\tfacts\tcodes\n"
    "ncci-ptp\tCan 43239 and 43235 be billed together?\t43239 is column 1 and 43235 is column 2 | Modifier indicator 0\tcpt:43239 43235\n"
    "mue\tHow many units of J1100 per day?\t120 units per day\thcpcs:J1100\n"
    "mue\tWhat is the MUE for J1100?\t999 units per day\tJ1100\n"
    "billable\tIs E11 billable?\tnot billable\ticd-10-cm:E11.9\n"
)


def test_it_prints_accuracy_per_topic(pilot_data, tmp_path):
    path = tmp_path / "questions.tsv"
    path.write_text(QUESTIONS)
    out = StringIO()
    call_command("casepilot_eval", str(path), "--verbose", stdout=out)
    lines = out.getvalue().splitlines()
    assert "FAIL line 4 [mue] What is the MUE for J1100?" in lines
    assert "  missing: fact “999 units per day”" in lines
    assert any(line.split() == ["mue", "1", "2", "50.0%"] for line in lines)
    assert any(line.split() == ["ncci-ptp", "1", "1", "100.0%"] for line in lines)
    assert any(line.split() == ["all", "3", "4", "75.0%"] for line in lines)
    assert any(line.startswith("engine time per question: p50") for line in lines)


def test_a_missing_file_or_header_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("casepilot_eval", str(tmp_path / "nope.tsv"))
    bad = tmp_path / "bad.tsv"
    bad.write_text("q\ta\n1\t2\n")
    with pytest.raises(CommandError, match="header row"):
        call_command("casepilot_eval", str(bad))


CASES = (
    "split\ttopic\tquestion\tcodes\tnot\twords\n"
    "tune\tpairs\tCan 43239 and 43235 be billed together?\t43239 > 43235\t\tNo | modifier indicator 0\n"
    "tune\tpairs\tCan 43235 and 43239 be billed together?\t43235 > 43239\t\t\n"
    "holdout\tmue\tHow many units of J1100 per day?\tJ1100\tJ1100\t120 units~999 units\n"
    "holdout\tbillable\tIs E11 billable?\tE11.9\t\tbillable | yes~certainly\n"
)


def test_it_grades_order_forbidden_codes_words_and_splits(pilot_data, tmp_path):
    path = tmp_path / "cases.tsv"
    path.write_text(CASES)
    out = StringIO()
    call_command("casepilot_eval", str(path), "--verbose", stdout=out)
    text = out.getvalue()
    # The answer leads with "NCCI bundles 43235 into 43239": 43235 is named first.
    assert "FAIL line 2 [pairs] Can 43239 and 43235 be billed together?\n  missing: order 43239 > 43235" in text
    assert "FAIL line 3" not in text
    assert "FAIL line 4 [mue] How many units of J1100 per day?\n  missing: wrong code J1100" in text
    assert "  missing: words “yes~certainly”" in text
    assert "answers offering a wrong code: 1" in text
    lines = text.splitlines()
    assert any(line.split() == ["pairs", "1", "2", "50.0%"] for line in lines)
    out = StringIO()
    call_command("casepilot_eval", str(path), "--split", "tune", stdout=out)
    assert any(line.split() == ["all", "1", "2", "50.0%"] for line in out.getvalue().splitlines())
    assert "mue" not in out.getvalue()

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

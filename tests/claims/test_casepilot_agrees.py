"""A pair question to CasePilot and a claim check of the same two codes agree: both are the claim
check's rules (casepilot/pairs.py builds the two-line claim)."""

import pytest

from casepilot import pairs, tools
from codes import claims
from codes.models import Code
from tests.claims.conftest import DAY

pytestmark = pytest.mark.django_db

DIAGNOSIS_PAIRS = [("E11.9", "E10.9"), ("E10.9", "E11.9"), ("E11.9", "E85.4"), ("E11.9", "N18.4"), ("E11.9", "E11.22")]
PROCEDURE_PAIRS = [("43239", "43235"), ("99214", "11102"), ("27447", "20610"), ("99213", "36415"), ("99214", "43239")]


def _code(code: str) -> Code:
    return Code.objects.get(code=code)


@pytest.mark.parametrize(("a", "b"), DIAGNOSIS_PAIRS + PROCEDURE_PAIRS)
def test_a_pair_answer_and_a_claim_check_agree(claim_data, a, b):
    answer = pairs.check(_code(a), _code(b), day=DAY)
    if _code(a).system == "icd-10-cm":
        body = {"date_of_service": DAY.isoformat(), "diagnoses": [a, b], "lines": [{"code": "99214"}]}
        checked = [claims.parse(body)]
    else:
        checked = [
            claims.parse({"date_of_service": DAY.isoformat(), "setting": s, "lines": [{"code": a}, {"code": b}]})
            for s in ("practitioner", "outpatient")
        ]
    pair_rules = ("excludes1", "excludes2", "unspecified_with_specific", "ncci_ptp")
    noted = [f for c in checked for f in claims.check(c).findings if f.rule in pair_rules]
    errors = [f for f in noted if f.severity == "error" or f.rule == "unspecified_with_specific"]
    assert bool([f for f in answer if f.conflict]) == bool(errors)
    assert len(answer) == len(noted)


def test_casepilots_pair_tool_says_no_for_an_excludes1_pair(claim_data):
    result = tools.pair_check("E11.9", "E10.9")
    assert result.data["conflict"] is True
    assert result.facts[0].startswith("No: E11.9 and E10.9 are not coded together")
    assert tools.pair_check("E11.9", "N18.4").data["conflict"] is False


def test_casepilots_pair_tool_says_no_for_an_unspecified_code_beside_a_specific_one(claim_data):
    result = tools.pair_check("E11.9", "E11.22")
    assert result.data["conflict"] is True
    assert result.facts[0].startswith("No: E11.9 is the unspecified code of category E11")
    assert "report E11.22 alone" in result.facts[0]
    assert "ICD-10-CM Official Guidelines, I.A.9.b Unspecified codes" in [c.title for c in result.citations]

"""CasePilot's tools, each on the small real-shaped data of the `pilot_data` fixture."""

import pytest

from casepilot import tools

pytestmark = pytest.mark.django_db


def text(result) -> str:
    return " ".join(result.facts)


@pytest.mark.sqlite_smoke
def test_lookup_gives_title_status_and_billable(pilot_data):
    result = tools.lookup_code("M48.56XA")
    assert result.found
    assert "Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture" in text(result)
    assert "billable" in text(result)
    assert "is a CC in MS-DRG v43.0" in text(result)
    assert result.citations[0].url == "/icd-10-cm/M48.56XA/"
    assert [(c.system, c.code) for c in result.codes] == [("icd-10-cm", "M48.56XA")]


def test_lookup_reads_sloppy_forms(pilot_data):
    assert tools.lookup_code("m4856xa").data["code"] == "M48.56XA"


def test_lookup_of_a_cpt_code_never_shows_a_descriptor_but_the_plain_language_text(pilot_data):
    result = tools.lookup_code("99213")
    assert "AMA licensed" in text(result)
    assert "An established patient office visit of low complexity." in text(result)


def test_lookup_of_a_deleted_code_names_its_replacement(pilot_data):
    result = tools.lookup_code("22521")
    assert "deleted (terminated 2014-12-31)" in text(result)
    assert "replaced by 22511" in text(result)
    assert ("cpt", "22511") in [(c.system, c.code) for c in result.codes]


def test_letter_and_four_digits_is_hcpcs_first_and_mentions_the_icd_code(pilot_data):
    result = tools.lookup_code("J1100")
    assert result.data["system"] == "hcpcs"
    assert "also name ICD-10-CM J11.00" in text(result)
    assert tools.lookup_code("J11.00").data["system"] == "icd-10-cm"


def test_an_unknown_code_is_said_plainly(pilot_data):
    result = tools.lookup_code("Z99.99")
    assert not result.found
    assert "not a code" in text(result)


def test_a_header_is_not_billable_and_lists_its_billable_codes(pilot_data):
    result = tools.is_billable("E11")
    assert text(result).startswith("No: ICD-10-CM E11 (Type 2 diabetes mellitus) is not billable")
    assert result.data["billable_children"] == ["E11.21", "E11.9"]
    assert tools.is_billable("E11.9").data["billable"] is True


def test_notes_include_inherited_excludes1_and_use_additional(pilot_data):
    result = tools.icd10cm_notes("E11.9")
    joined = text(result)
    assert "Excludes1 (from category E11): type 1 diabetes mellitus (E10.-); gestational diabetes (O24.4-)." in joined
    assert "Use additional code (from category E11): insulin (Z79.4)." in joined


def test_notes_can_be_narrowed_to_one_kind(pilot_data):
    result = tools.icd10cm_notes("E11.9", types=["use_additional"])
    assert "insulin (Z79.4)" in text(result)
    assert "type 1 diabetes" not in text(result)


def test_notes_give_seventh_characters_and_the_placeholder(pilot_data):
    result = tools.icd10cm_notes("M48.56")
    joined = text(result)
    assert "7th characters (defined at subcategory M48.5): A initial encounter for fracture; D subsequent" in joined
    assert "placeholder X" in joined
    assert "M48.56XA" in joined
    assert "needs a 7th character" in joined


def test_cc_mcc(pilot_data):
    assert tools.cc_mcc("I21.4").data["level"] == "MCC"
    assert tools.cc_mcc("E11.9").data["level"] == "non-CC"


def test_ptp_names_columns_modifier_indicator_rationale_and_both_settings(pilot_data):
    result = tools.ptp_edit("43235", "43239")  # either order
    joined = text(result)
    assert "Practitioner (2024Q3): 43239 is column 1 and 43235 is column 2" in joined
    assert "Outpatient hospital (2024Q3): 43239 is column 1" in joined
    assert "Modifier indicator 0: Not allowed" in joined
    assert "CPT Separate procedure definition" in joined
    assert result.facts[0] == (
        "No: NCCI bundles 43235 into 43239 on the same day, and no modifier lets both be paid (modifier indicator 0)."
    )
    assert {c.url for c in result.citations} == {
        "/cpt/43239/edits/?role=column1&setting=practitioner&status=all",
        "/cpt/43239/edits/?role=column1&setting=outpatient&status=all",
    }


def test_ptp_reports_a_deleted_edit_and_a_missing_setting(pilot_data):
    joined = text(tools.ptp_edit("99213", "99214"))
    assert "Modifier indicator 1: Allowed" in joined
    assert "This edit is deleted 2020-12-31." in joined
    assert "There is no outpatient hospital edit for this pair." in joined


def test_ptp_without_an_edit_says_so(pilot_data):
    result = tools.ptp_edit("99213", "43239")
    assert "No NCCI PTP edit pairs 99213 and 43239" in text(result)
    assert result.data["edits"] == []


def test_mue_gives_units_and_adjudication_indicator_and_compares_units(pilot_data):
    result = tools.mue("J1100", units=150)
    joined = text(result)
    assert "MUE for J1100, Practitioner claims (2024Q3): 120 units per day; adjudication indicator 3" in joined
    assert "150 units is over the Practitioner MUE of 120." in joined
    assert not tools.mue("43239").found


def test_addon_codes_both_ways(pilot_data):
    addon = tools.addon_codes("99292")
    assert "99292 is an add-on code" in text(addon)
    assert addon.data["primaries"] == ["99291"]
    primary = tools.addon_codes("99291")
    assert primary.data["addons"] == ["99292"]


def test_fee_schedule_rvus_global_pctc_and_national_payment(pilot_data):
    result = tools.fee_schedule("99214")
    joined = text(result)
    assert "work RVU 1.92" in joined
    assert "Global period XXX" in joined
    assert "Professional/technical split indicator 0" in joined
    # 3.85 x 33.2875 = 128.16; 2.89 x 33.2875 = 96.20
    assert "$128.16 non-facility, $96.20 facility" in joined


def test_fee_schedule_surgery_indicators(pilot_data):
    joined = text(tools.fee_schedule("43239"))
    assert "Global period 000" in joined
    assert "pre-operative 10%, intra-operative 80%, post-operative 10%" in joined
    assert "Multiple procedures indicator 3: Endoscopy rule" in joined


def test_fee_schedule_gpci_adjusted_for_a_locality(pilot_data):
    # (1.92 x 1.065 + 1.79 x 1.166 + 0.14 x 1.656) x 33.2875 = 145.26; facility PE 0.83: 108.00
    result = tools.fee_schedule("99214", locality="Manhattan")
    assert "$145.26 non-facility, $108.00 facility" in text(result)
    assert result.data["locality"]["name"] == "MANHATTAN"


def test_a_state_with_several_localities_asks_which(pilot_data):
    result = tools.fee_schedule("99214", locality="California")
    assert "matches 2 Medicare localities" in text(result)
    assert len(tools.find_localities("What does 99214 pay in Los Angeles?")) == 1
    assert tools.find_localities("pay in AL")[0].name == "STATEWIDE"


def test_hcpcs_modifier_from_the_cms_file(pilot_data):
    result = tools.modifier_info("xe")
    assert "HCPCS Level II modifier XE: Separate encounter" in text(result)
    assert result.citations[0].url == "/hcpcs/modifiers/XE/"


def test_cpt_modifier_comes_from_the_guides(pilot_data, guide):
    result = tools.modifier_info("25")
    assert result.found
    assert "CPT modifier" in text(result)
    assert result.citations[0].url == guide.get_absolute_url()


def test_a_modifier_indicator_1_edit_is_answered_only_with_a_modifier(pilot_data):
    assert tools.ptp_edit("99291", "36000").facts[0].startswith("Only with a modifier: 36000 is bundled into 99291")


def test_crosswalk_both_ways(pilot_data):
    forward = tools.crosswalk("250.00")
    assert (
        "ICD-9-CM 250.00 maps to ICD-10-CM E11.9 Type 2 diabetes mellitus without complications (approximate)"
        in text(forward)
    )
    assert "translation aid" in text(forward)
    assert [c.code for c in forward.codes] == ["E11.9"]
    assert "maps to ICD-9-CM 250.00 (approximate)" in text(tools.crosswalk("E11.9"))
    assert not tools.crosswalk("999.99").found


def test_search_by_description_notes_the_specificity_still_needed(pilot_data):
    from codes import search

    search.build_index()
    result = tools.search_codes("collapsed vertebra lumbar")
    assert result.found
    assert {"M48.56XA", "M48.56XD"} <= {c.code for c in result.codes}
    assert "the encounter (7th character: initial, subsequent or sequela)" in text(result)


def test_search_by_description_without_a_match_says_so(pilot_data):
    from codes import search

    search.build_index()
    result = tools.search_codes("zzzqqq xylophone")
    assert not result.found
    assert "No code matched" in text(result)

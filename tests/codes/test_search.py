"""Case2Code search engine (codes.search.search): every kind of query, on both databases."""

import datetime

import pytest

from codes.models import Code, PlainDescription, Synonym
from codes.search import build_index, index, ranking, search
from codes.search.parsing import Slot, Term

from .search_data import build

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def indexed():
    build()


def codes(found) -> list[str]:
    return [r.code_str for r in found.results]


def add_codes(system: str, *rows: tuple[str, str]) -> None:
    """Billable codes (code, title) beside the sample data, in the release of its codes of `system`."""
    release = Code.objects.filter(system=system).exclude(release=None).first().release
    for code, title in rows:
        Code.objects.create(
            system=system, code=code, compact=code.replace(".", ""), release=release, billable=True, title=title
        )


def scores(query: str) -> dict[str, float]:
    """{code: score} of the query's results, to compare a factor's weight with and without it."""
    return {r.code.code: r.score for r in search(query).results}


@pytest.mark.parametrize("typed", ["M48.56XA", "m4856xa", "M4856XA", "m48.56xa", "M4856A"])
def test_a_code_in_any_form_is_found_exactly(indexed, typed):
    found = search(typed)
    assert codes(found)[0] == "M48.56XA"
    assert found.exact.code == "M48.56XA"
    assert found.results[0].matched == "exact code"


def test_an_undotted_code_without_its_dot_is_exact(indexed):
    assert codes(search("I219"))[0] == "I21.9"


def test_a_partial_code_lists_its_codes(indexed):
    found = search("E11.2")
    assert codes(found) == ["E11.2", "E11.21", "E11.22"]


def test_a_trailing_dash_lists_the_codes_under_it(indexed):
    assert codes(search("E11.2-")) == ["E11.2", "E11.21", "E11.22"]


def test_a_range_lists_the_codes_in_it(indexed):
    found = search("J1100-J1200")
    assert codes(found) == ["J1100", "J1120"]
    assert found.exact is None


def test_a_modifier_is_found(indexed):
    assert codes(search("LT")) == ["LT"]
    assert codes(search("modifier LT")) == ["LT"]


def test_words_match_in_any_order_with_stemming(indexed):
    assert codes(search("infarctions myocardial"))[0] == "I21.9"


def test_every_word_must_match_unless_none_do(indexed):
    found = search("heart failure")
    assert codes(found) == ["I50.9", "I50"]
    found = search("heart banana")
    assert found.kind == "any-word"
    assert "I50.9" in codes(found)


def test_headers_rank_below_their_billable_codes(indexed):
    assert codes(search("type 2 diabetes kidney")) == ["E11.22", "E11.2"]
    found = codes(search("type 2 diabetes"))
    assert found.index("E11.2") > max(found.index("E11.21"), found.index("E11.22"), found.index("E11.9"))


@pytest.mark.parametrize(
    ("typed", "expected", "corrected"),
    [
        ("pnuemonia", "J18.9", "pneumonia"),
        ("diabeties", "E11.9", "diabetes"),
        ("fibrilation", "I48.91", "fibrillation"),
    ],
)
def test_misspellings_are_corrected(indexed, typed, expected, corrected):
    found = search(typed)
    assert expected in codes(found)[:3]
    assert found.suggestion == corrected


def test_a_fragment_matches_as_you_type(indexed):
    assert codes(search("pneum", as_you_type=True))[0] == "J18.9"
    assert codes(search("ketoro", as_you_type=True))[0] == "J1885"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("heart attack", "I21.9"),
        ("broken wrist", "S62.101A"),
        ("CHF", "I50.9"),
        ("COPD exacerbation", "J44.1"),
        ("UTI", "N39.0"),
        ("DM2", "E11.9"),
        ("AFib", "I48.91"),
        ("GERD", "K21.9"),
        ("Toradol", "J1885"),
    ],
)
def test_lay_terms_abbreviations_and_brand_names(indexed, typed, expected):
    assert expected in codes(search(typed))[:5]


def test_it_says_which_synonym_matched(indexed):
    result = search("heart attack").results[0]
    assert result.matched == "synonym: heart attack → myocardial infarction"
    assert "<mark>infarction</mark>" in result.highlighted


def test_an_abbreviation_that_is_also_a_code_offers_the_code(indexed):
    found = search("DM2")
    assert found.also_code.code == "DM2"
    assert found.exact is None


def test_inclusion_terms_find_their_code(indexed):
    result = search("affective personality").results[0]
    assert result.code_str == "F34.0"
    assert result.matched.startswith("also called: affective personality disorder")


def test_an_editors_synonym_is_used_at_once(indexed):
    from codes.models import Synonym

    Synonym.objects.create(term="sugar", replacement="diabetes mellitus", source=Synonym.Source.EDITOR)
    assert "E11.9" in codes(search("sugar"))


def test_cpt_codes_are_found_by_number_and_plain_language(indexed):
    assert codes(search("99213")) == ["99213"]
    assert codes(search("appendectomy"))[0] == "44970"
    assert search("appendectomy").results[0].title.startswith("Laparoscopic removal")


def test_hcpcs_short_descriptions_are_searched(indexed):
    assert codes(search("tromethamine inj")) == ["J1885"]


def test_the_system_filter_keeps_counts_for_every_system(indexed):
    found = search("appendix", system="icd-10-pcs")
    assert codes(found) == ["0DTJ4ZZ"]
    assert found.counts == {"icd-10-pcs": 1, "cpt": 1}
    assert found.total == 1


def test_billable_only(indexed):
    assert "I50" not in codes(search("heart failure", billable=True))
    assert codes(search("heart failure", billable=False)) == ["I50"]


def test_deleted_codes_only_when_asked(indexed):
    assert codes(search("contusion abdominal wall")) == []
    assert codes(search("contusion abdominal wall", include_deleted=True)) == ["S30.1XXA"]
    assert codes(search("S30.1XXA")) == []


def test_as_of_a_date_finds_the_codes_valid_then(indexed):
    assert codes(search("contusion abdominal wall", as_of=datetime.date(2025, 1, 1))) == ["S30.1XXA"]
    assert codes(search("contusion abdominal wall", as_of=datetime.date(2026, 6, 1))) == []


def test_pagination(indexed):
    first = search("type 2 diabetes", limit=2)
    second = search("type 2 diabetes", limit=2, offset=2)
    assert first.total == second.total == 5
    assert len(first.results) == 2
    assert not set(codes(first)) & set(codes(second))


def test_nothing_found_and_empty_queries(indexed):
    assert search("").kind == "none"
    assert search("the of and").kind == "none"
    found = search("zzqxv")
    assert found.results == []
    assert found.kind == "none"


def test_the_index_follows_an_import(indexed):
    from django.db import transaction

    from codes.importers.base import CodeRow, register_release, sync_codes

    release = register_release(dataset="hcpcs", version="2027", title="HCPCS 2027")
    with transaction.atomic():
        sync_codes(
            system="hcpcs", release=release, rows=[CodeRow(code="J9999", title="Injection, newdrugumab", billable=True)]
        )
    build_index()  # what the import's on-commit hook runs
    assert codes(search("newdrugumab")) == ["J9999"]
    assert codes(search("ketorolac")) == []  # J1885 is not in the 2027 release: deleted


def test_a_code_set_named_in_the_query_is_the_set_searched(indexed):
    for query in ("sepsis drg", "MS-DRG sepsis", "drg for sepsis"):
        found = search(query)
        assert codes(found) == ["871"], query
        assert (found.named_system, found.without_name) == ("ms-drg", "sepsis"), query
    assert search("icd 10 code for heart failure").named_system == "icd-10-cm"
    assert codes(search("icd 10 code for heart failure")) == codes(search("heart failure", system="icd-10-cm"))
    # A filter chosen on the page wins over the name, which is still no word of a title.
    assert codes(search("heart failure drg", system="icd-10-cm")) == codes(search("heart failure", system="icd-10-cm"))
    # "ICD" alone is also the defibrillator; a code set's name alone is a query of its own.
    assert search("icd heart failure").named_system is None
    assert search("drg").named_system is None


def test_a_code_beside_words_comes_first_and_a_question_about_one_is_the_code(indexed):
    # A code copied with its description, or with other words: the code, then what the words find.
    found = search("I48.91 heart failure")
    assert codes(found)[:2] == ["I48.91", "I50.9"]
    assert found.results[0].matched == "exact code"
    assert codes(search("J1100 dexamethasone"))[0] == "J1100"
    for question in ("what is I50.9", "what is the code I50.9", "icd 10 I50.9"):
        assert search(question).exact.code == "I50.9", question
    # A header with words is searched as words; an abbreviation, a short number or a dose is no code.
    assert codes(search("E11 with nephropathy"))[0] == "E11.21"
    assert codes(search("dm2 nephropathy"))[0] == "E11.21"
    assert "470" not in codes(search("dexamethasone 470 mg"))


def test_a_code_of_the_other_side_counts_less_when_the_query_names_a_side(indexed, monkeypatch):
    # The left knee's plain-language text names the right knee too, so it has every word of the query.
    add_codes(
        "icd-10-cm",
        ("M25.661", "Stiffness of right knee, not elsewhere classified"),
        ("M25.662", "Stiffness of left knee, not elsewhere classified"),
    )
    PlainDescription.objects.create(
        system="icd-10-cm", code="M25.662", text="A stiff left knee; a stiff right knee is M25.661.",
        author="Editors", status="published",
    )  # fmt: skip
    build_index()

    named = scores("stiff right knee")
    monkeypatch.setattr(ranking, "OTHER_SIDE", 1.0)
    unweighed = scores("stiff right knee")
    assert named["M25.661"] == unweighed["M25.661"]
    assert named["M25.662"] == pytest.approx(0.5 * unweighed["M25.662"], rel=1e-3)  # scores are rounded
    assert codes(search("rt knee stiffness"))[0] == "M25.661"


def test_a_title_with_a_lay_phrases_words_but_not_its_meaning_counts_less(indexed, monkeypatch):
    add_codes(
        "icd-10-cm",
        ("T84.011A", "Broken internal right hip prosthesis, initial encounter"),
        ("S72.001A", "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"),
    )
    build_index()

    weighed = scores("broken hip")
    monkeypatch.setattr(ranking, "LITERAL_ONLY", 1.0)
    unweighed = scores("broken hip")
    assert next(iter(weighed)) == "S72.001A"  # "broken hip" is a curated synonym of fracture neck femur
    assert weighed["S72.001A"] == unweighed["S72.001A"]
    assert weighed["T84.011A"] == pytest.approx(0.6 * unweighed["T84.011A"], rel=1e-3)  # scores are rounded


def test_what_the_query_says_a_code_is_without_ranks_the_codes_without_it_first(indexed):
    add_codes(
        "icd-10-cm",
        ("J45.901", "Unspecified asthma with (acute) exacerbation"),
        ("J45.909", "Unspecified asthma, uncomplicated"),
        ("G43.009", "Migraine without aura, not intractable, without status migrainosus"),
        ("G43.109", "Migraine with aura, not intractable, without status migrainosus"),
    )
    build_index()
    assert codes(search("asthma w/o exacerbation"))[0] == "J45.909"
    assert codes(search("asthma with exacerbation"))[0] == "J45.901"
    assert codes(search("migraine without aura"))[0] == "G43.009"
    assert codes(search("migraine with aura"))[0] == "G43.109"


def test_an_ectomy_ranks_the_resection_of_the_organ_first(indexed, monkeypatch):
    add_codes("icd-10-pcs", ("0DBJ4ZZ", "Excision of Appendix, Percutaneous Endoscopic Approach"))  # beside 0DTJ4ZZ
    for replacement in ("excision appendix", "resection appendix"):  # as the PCS Index's "see" entries read
        Synonym.objects.create(term="appendectomy", replacement=replacement, source=Synonym.Source.INDEX)
    build_index()

    weighed = scores("appendectomy")
    monkeypatch.setattr(ranking, "ROOT_OPERATION_NAMED", 1.0)
    unweighed = scores("appendectomy")
    assert next(iter(weighed)) == "0DTJ4ZZ"
    assert weighed["0DTJ4ZZ"] == pytest.approx(1.6 * unweighed["0DTJ4ZZ"], rel=1e-3)  # scores are rounded
    assert weighed["0DBJ4ZZ"] == unweighed["0DBJ4ZZ"]


def test_a_surgical_ending_ranks_its_root_operation_first(indexed, monkeypatch):
    add_codes(
        "icd-10-pcs",
        ("0VQB0ZZ", "Repair of Bilateral Testes, Open Approach"),
        ("0VSB0ZZ", "Reposition of Bilateral Testes, Open Approach"),
    )
    for replacement in ("repair testes", "reposition testes"):  # as the PCS Index's "see" entries read
        Synonym.objects.create(term="orchiopexy", replacement=replacement, source=Synonym.Source.INDEX)
    build_index()
    weighed = {r.code.code: r.score for r in search("orchiopexy").results}
    monkeypatch.setattr(ranking, "ROOT_OPERATION_NAMED", 1.0)
    unweighed = {r.code.code: r.score for r in search("orchiopexy").results}
    assert next(iter(weighed)) == "0VSB0ZZ"  # -pexy: Reposition, not Repair
    assert weighed["0VSB0ZZ"] == pytest.approx(1.6 * unweighed["0VSB0ZZ"], rel=1e-3)  # scores are rounded
    assert weighed["0VQB0ZZ"] == unweighed["0VQB0ZZ"]


def test_the_word_modifier_asks_for_modifiers(indexed):
    assert codes(search("left side modifier")) == ["LT"]


def test_an_endoscopy_beside_another_root_operation_is_not_read_as_an_inspection():
    def slot(word, *alternatives):
        return Slot([Term(word)], [[Term(w) for w in a.split()] for a in alternatives])

    assert ranking._root_operation_factor([slot("colonoscopy")])[1] == ["inspection %", 1.6]
    # "colonoscopy with biopsy": the biopsy is an Excision (guideline B3.11a), not boosted as Inspection.
    assert ranking._root_operation_factor([slot("colonoscopy"), slot("bx", "excision diagnostic")]) == ("", [])
    assert ranking._root_operation_factor([slot("partial"), slot("nephrectomy")]) == ("", [])


def test_a_code_reported_beside_the_procedure_its_title_names_ranks_below_that_procedure(indexed):
    # Invented titles: CPT descriptors are licensed, and these codes only need words.
    add_codes(
        "cpt",
        ("00952", "Anesthesia for hysteroscopy"),
        ("58558", "Hysteroscopy, surgical, with sampling of the lining of the uterus and removal of polyps"),
    )
    add_codes(
        "icd-10-pcs",
        ("XW033P9", "Introduction of Examplecel into Peripheral Vein"),
        ("3E03305", "Introduction of Other Antineoplastic into Peripheral Vein, Percutaneous Approach"),
    )
    build_index()
    # Without the factor the shorter titles would come first.
    assert codes(search("hysteroscopy"))[:2] == ["58558", "00952"]
    assert codes(search("anesthesia hysteroscopy"))[0] == "00952"
    assert codes(search("introduction into peripheral vein"))[:2] == ["3E03305", "XW033P9"]
    assert codes(search("examplecel peripheral vein"))[0] == "XW033P9"


def test_a_procedure_word_that_says_its_approach_ranks_the_titles_of_that_approach_first(indexed, monkeypatch):
    add_codes(
        "icd-10-pcs",
        ("009U0ZZ", "Drainage of Spinal Canal, Open Approach"),
        ("009U3ZZ", "Drainage of Spinal Canal, Percutaneous Approach"),
    )
    Synonym.objects.create(term="lumbar puncture", replacement="drainage spinal canal", source=Synonym.Source.INDEX)
    build_index()
    assert codes(search("lumbar puncture"))[:2] == ["009U3ZZ", "009U0ZZ"]
    assert codes(search("open lumbar puncture"))[0] == "009U0ZZ"  # the approach the query names
    monkeypatch.setattr(ranking, "APPROACH_IMPLIED", 1.0)
    assert codes(search("lumbar puncture"))[0] == "009U0ZZ"  # the shorter title, without the factor


def test_a_surgical_word_ranks_the_organ_its_combining_form_names_first(indexed, monkeypatch):
    add_codes(
        "icd-10-pcs",
        ("0TT70ZZ", "Resection of Left Ureter, Open Approach"),
        ("0TT10ZZ", "Resection of Left Kidney, Open Approach"),
    )
    for code in ("0TT70ZZ", "0TT10ZZ"):  # the PCS Index sends the word to the whole table
        Synonym.objects.create(term="nephrectomy", system="icd-10-pcs", code=code, source=Synonym.Source.INDEX)
    # One more index entry leads to the ureter: without the factor it would come first.
    Synonym.objects.create(term="ureterectomy", system="icd-10-pcs", code="0TT70ZZ", source=Synonym.Source.INDEX)
    build_index()
    assert codes(search("left nephrectomy"))[0] == "0TT10ZZ"
    monkeypatch.setattr(ranking, "BODY_PART_NAMED", 1.0)
    assert codes(search("left nephrectomy"))[0] == "0TT70ZZ"


def test_the_longest_combining_form_names_the_organ():
    assert ranking.named_body_parts(["cholecystectomy"]) == {"gallbladder"}
    assert ranking.named_body_parts(["cystoscopy", "mastoidectomy"]) == {"bladder", "mastoid"}
    assert ranking.named_body_parts(["colporrhaphy"]) == {"vagina"}
    assert ranking.named_body_parts(["kidney", "colon"]) == set()  # no surgical ending


def test_a_biopsy_ranks_the_diagnostic_titles_first(indexed, monkeypatch):
    add_codes(
        "icd-10-pcs",
        ("0DB68ZZ", "Excision of Stomach, Via Natural or Artificial Opening Endoscopic"),
        ("0DB68ZX", "Excision of Stomach, Via Natural or Artificial Opening Endoscopic, Diagnostic"),
    )
    build_index()
    assert codes(search("stomach excision biopsy"))[0] == "0DB68ZX"
    monkeypatch.setattr(ranking, "BIOPSY_NAMED", 1.0)
    assert codes(search("stomach excision biopsy"))[0] == "0DB68ZZ"  # the shorter title, without the factor


def test_a_status_code_counts_less_unless_the_query_asks_for_a_status(indexed, monkeypatch):
    add_codes(
        "icd-10-cm",
        ("Z96.21", "Cochlear implant status"),
        ("Z45.321", "Encounter for adjustment and management of cochlear implant"),  # no status code
    )
    build_index()

    weighed, asked = scores("cochlear implant"), scores("s/p cochlear implant")
    monkeypatch.setattr(ranking, "STATUS_UNASKED", 1.0)
    unweighed, asked_unweighed = scores("cochlear implant"), scores("s/p cochlear implant")
    assert weighed["Z96.21"] == pytest.approx(0.5 * unweighed["Z96.21"], rel=1e-3)  # scores are rounded
    assert weighed["Z45.321"] == unweighed["Z45.321"]
    assert asked["Z96.21"] == asked_unweighed["Z96.21"]  # "s/p" asks for the status


def test_an_arthroplasty_is_the_replacement_of_the_joint(indexed):
    add_codes(
        "icd-10-pcs",
        ("0SQ90ZZ", "Repair Right Hip Joint, Open Approach"),
        ("0SR90JZ", "Replacement of Right Hip Joint with Synthetic Substitute, Open Approach"),
    )
    for code in ("0SQ90ZZ", "0SR90JZ"):  # "Arthroplasty, see Repair ...; see Replacement ..."
        Synonym.objects.create(term="arthroplasty", system="icd-10-pcs", code=code, source=Synonym.Source.INDEX)
    build_index()
    assert codes(search("hip arthroplasty"))[0] == "0SR90JZ"


def test_a_fracture_means_the_traumatic_one_unless_the_query_names_another_kind(indexed):
    add_codes(
        "icd-10-cm",
        ("M84.359A", "Stress fracture, hip, unspecified, initial encounter for fracture"),
        ("S72.009A", "Fracture of hip, unspecified femur, initial encounter for closed fracture"),  # invented title
    )
    build_index()
    assert codes(search("hip fracture"))[0] == "S72.009A"
    assert codes(search("hip stress fracture"))[0] == "M84.359A"


def test_a_history_or_status_query_leads_with_the_history_and_status_codes(indexed, monkeypatch):
    add_codes("icd-10-cm", ("Z85.3", "Personal history of malignant neoplasm of breast"))
    build_index()

    weighed = scores("history of breast cancer")
    monkeypatch.setattr(ranking, "STATUS_ASKED", 1.0)
    unweighed = scores("history of breast cancer")
    assert weighed["Z85.3"] == pytest.approx(1.6 * unweighed["Z85.3"], rel=1e-3)  # scores are rounded


def test_a_history_is_the_patients_own_unless_the_query_says_family(indexed):
    add_codes(
        "icd-10-cm",
        ("Z80.3", "Family history of malignant neoplasm of breast"),
        ("Z85.3", "Personal history of malignant neoplasm of breast"),
    )
    build_index()
    assert codes(search("history of breast cancer"))[0] == "Z85.3"
    assert codes(search("family history of breast cancer"))[0] == "Z80.3"


def test_conditions_classifiable_to_a_range_are_the_titles_of_its_categories():
    titles = {"C15": "Malignant neoplasm of esophagus", "C18": "Malignant neoplasm of colon", "C22": "Liver",
              "C50": "Malignant neoplasm of breast", "E00": "Congenital iodine-deficiency syndrome"}  # fmt: skip
    categories = sorted(titles)
    assert index.classifiable_titles("Conditions classifiable to C15-C22", titles, categories) == [
        "Malignant neoplasm of esophagus",
        "Malignant neoplasm of colon",
        "Liver",
    ]
    assert index.classifiable_titles("Conditions classifiable to C50", titles, categories) == [
        "Malignant neoplasm of breast"
    ]
    many = {f"E{n:02d}": f"Title {n}" for n in range(89)}
    assert index.classifiable_titles("Conditions classifiable to E00-E88", many, sorted(many)) == []  # a chapter

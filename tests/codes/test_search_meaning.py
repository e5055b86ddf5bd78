"""Case2Code by what the query means (issue 16): clinical shorthand and connectors, the default
code of a category, the code set a query's words belong to, and the Alphabetic Index as a source."""

import re

import pytest
from django.db import transaction

from codes import search, synonyms
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, IndexTerm, Release, Synonym
from codes.search import index, ranking
from codes.search.parsing import Slot, Term, word_key
from codes.search.results import SearchResult, SearchResults

pytestmark = pytest.mark.django_db


def _sync(system: str, rows: list[CodeRow]) -> None:
    release = register_release(dataset=system, version="2026", title=f"{system} 2026")
    with transaction.atomic():
        sync_codes(system=system, release=release, rows=rows)


def _index(release: Release, entries: list[tuple[int, str, str]]) -> None:
    """Main-index entries as (level, title, code), in book order."""
    parents: dict[int, IndexTerm] = {}
    for position, (level, title, code) in enumerate(entries):
        parents[level] = IndexTerm.objects.create(
            index="main",
            release=release,
            parent=parents.get(level - 1) if level else None,
            level=level,
            position=position,
            letter=title[0].upper(),
            title=title,
            code=code,
        )


@pytest.fixture
def indexed():
    _sync(
        "icd-10-cm",
        [
            CodeRow(code="I63", title="Cerebral infarction", kind="category"),
            CodeRow(code="I63.9", title="Cerebral infarction, unspecified", parent="I63", billable=True),
            CodeRow(
                code="Z86.73",
                title="Personal history of transient ischemic attack (TIA), and cerebral infarction without residual deficits",
                billable=True,
            ),
            CodeRow(code="K92.2", title="Gastrointestinal hemorrhage, unspecified", billable=True),
            CodeRow(code="K62.5", title="Hemorrhage of anus and rectum", billable=True),
            CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
            CodeRow(
                code="E11.8",
                title="Type 2 diabetes mellitus with unspecified complications",
                parent="E11",
                billable=True,
            ),
            CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
            CodeRow(code="E11.65", title="Type 2 diabetes mellitus with hyperglycemia", parent="E11", billable=True),
            CodeRow(code="J18", title="Pneumonia, unspecified organism", kind="category"),
            CodeRow(code="J18.1", title="Lobar pneumonia, unspecified organism", parent="J18", billable=True),
            CodeRow(code="J18.9", title="Pneumonia, unspecified", parent="J18", billable=True),
            CodeRow(code="J18.8", title="Other pneumonia, unspecified organism", parent="J18", billable=True),
            CodeRow(code="S72.00", title="Fracture of unspecified part of neck of femur", kind="subcategory"),
            CodeRow(
                code="F03.90",
                title="Unspecified dementia, unspecified severity, without behavioral disturbance, psychotic "
                "disturbance, mood disturbance, and anxiety",
                billable=True,
            ),
            CodeRow(code="F03.A11", title="Unspecified dementia, mild, with agitation", billable=True),
            CodeRow(code="C61", title="Malignant neoplasm of prostate", billable=True),
            CodeRow(code="C79.82", title="Secondary malignant neoplasm of genital organs", billable=True),
            CodeRow(code="G35.D", title="Multiple sclerosis, unspecified", billable=True),
            CodeRow(code="I34.2", title="Nonrheumatic mitral (valve) stenosis", billable=True),
            CodeRow(code="R07.9", title="Chest pain, unspecified", billable=True),
            CodeRow(code="T50.2X1A", title="Poisoning by diuretics, accidental, initial encounter", billable=True),
            CodeRow(code="K25.3", title="Acute gastric ulcer without hemorrhage or perforation", billable=True),
            CodeRow(
                code="K25.9",
                title="Gastric ulcer, unspecified as acute or chronic, without hemorrhage or perforation",
                billable=True,
            ),
        ],
    )
    _sync(
        "hcpcs",
        [
            CodeRow(code="J1885", title="Injection, ketorolac tromethamine, per 15 mg", billable=True),
            CodeRow(code="J1940", title="Injection, furosemide, up to 20 mg", billable=True),
            CodeRow(code="J2405", title="Injection, ondansetron hydrochloride, per 1 mg", billable=True),
            CodeRow(code="G0102", title="Prostate cancer screening; digital rectal examination", billable=True),
            CodeRow(code="E0950", title="Wheelchair accessory, tray, each", billable=True),
            CodeRow(code="K0108", title="Wheelchair component or accessory, not otherwise specified", billable=True),
            CodeRow(code="K0001", title="Standard wheelchair", billable=True),
        ],
    )
    _sync(
        "icd-10-pcs",
        [
            CodeRow(
                code="0SJC4ZZ",
                title="Inspection of Right Knee Joint, Percutaneous Endoscopic Approach",
                billable=True,
            ),
        ],
    )
    _sync("ms-drg", [CodeRow(code="193", title="SIMPLE PNEUMONIA AND PLEURISY WITH MCC", billable=True)])
    _index(
        Release.objects.get(dataset="icd-10-cm"),
        [
            (0, "Pneumonia", "J18.9"),
            (1, "lobar", "J18.1"),
            (1, "specified NEC", "J18.8"),
            (0, "Dementia", "F03.90"),
            (1, "mild", "F03.A11"),
            (2, "with agitation", "F03.A11"),
            (1, "agitated", "F03.A11"),
            (0, "Fracture, traumatic", ""),
            (1, "hip", "S72.00-"),
            (0, "Ulcer, ulcerated, ulcerating", ""),
            (1, "stomach, gastric", "K25.9"),
            (2, "acute", "K25.3"),
        ],
    )
    synonyms.seed()
    search.build_index()


def _codes(query: str, **options) -> list[str]:
    return [r.code_str for r in search.search(query, **options).results]


def test_shorthand_expands_to_the_words_of_the_titles(indexed):
    assert _codes("ugib")[0] == "K92.2"
    assert _codes("brbpr")[0] == "K62.5"
    assert _codes("knee scope")[0] == "0SJC4ZZ"


def test_an_ambiguous_abbreviation_finds_every_sense(indexed):
    assert {"G35.D", "I34.2"} <= set(_codes("ms"))


def test_history_of_leads_to_the_history_code(indexed):
    assert _codes("h/o stroke")[0] == "Z86.73"
    assert _codes("history of stroke")[0] == "Z86.73"
    assert _codes("stroke")[0] == "I63.9"


def test_a_connector_is_left_out_and_its_condition_found(indexed):
    assert _codes("c/o chest pain")[0] == "R07.9"


def test_an_unqualified_query_means_the_default_code(indexed):
    assert _codes("type 2 diabetes")[0] == "E11.9"
    assert _codes("type 2 diabetes with hyperglycemia")[0] == "E11.65"


def test_drug_words_favour_hcpcs(indexed):
    assert set(_codes("water pill")[:2]) == {"J1940", "T50.2X1A"}  # furosemide, diuretics
    assert _codes("toradol")[0] == "J1885"


def test_a_main_term_alone_ranks_its_own_code_first(indexed):
    found = search.search("pneumonia")
    assert found.results[0].code_str == "J18.9"
    assert _codes("pneumonia lobar")[0] == "J18.1"


def test_the_index_names_its_code_however_long_the_title(indexed):
    # The Tabular title of F03.90 is four times the length of F03.A11's; the Index says "Dementia F03.90".
    assert _codes("dementia")[0] == "F03.90"


def test_a_title_read_through_a_synonym_matches_in_any_order(indexed):
    # "prostate ca" -> "prostate malignant neoplasm": the words of "Malignant neoplasm of prostate".
    assert _codes("prostate ca")[0] == "C61"


def test_a_supply_query_finds_the_item_before_its_accessories(indexed):
    # HCPCS names the item before the first comma, its last word: "Standard wheelchair" is one.
    assert _codes("wheelchair")[0] == "K0001"


def test_the_reason_names_the_index_path(indexed):
    found = search.search("fracture traumatic hip")
    assert found.results[0].code_str == "S72.00"
    assert found.results[0].matched == "Index: Fracture, traumatic > hip → S72.00-"


def test_an_editor_can_add_a_sense(indexed):
    Synonym.objects.create(term="sugar", replacement="diabetes mellitus", source=Synonym.Source.EDITOR)
    assert _codes("sugar")[0] == "E11.9"


def test_an_index_path_matches_in_any_order_and_spelling(indexed):
    # "Ulcer, ulcerated > stomach, gastric → K25.9": the main term's spellings and the query's order do not matter.
    for query in ("ulcer stomach", "gastric ulcer", "stomach ulcers"):
        assert _codes(query)[0] == "K25.9", query
    # The title has no "stomach": the reason is the index path.
    assert search.search("ulcer stomach").results[0].matched.startswith("Index: Ulcer, ulcerated, ulcerating > stomach")
    assert _codes("acute gastric ulcer")[0] == "K25.3"


def test_a_partial_pcs_code_in_the_index_names_the_codes_it_completes_to():
    codes = ["0SJC0ZZ", "0SJC4ZZ", "0SJD4ZZ"]
    assert synonyms._completions(codes, "0SJC") == ["0SJC0ZZ", "0SJC4ZZ"]
    assert synonyms._completions(codes, "0XX") == []


def test_a_term_with_stop_words_is_found_as_a_query_reads_it():
    rows = [
        Synonym(term="water on the brain", replacement="hydrocephalus", source=Synonym.Source.CURATED),
        Synonym(term="can t sleep", replacement="insomnia", source=Synonym.Source.CURATED),
    ]
    terms = {row.term for row in synonyms.with_queries_spelling(rows)}
    assert terms == {"water on the brain", "water brain", "can t sleep"}  # never "sleep" alone


def test_the_shorthand_fixture_reads_every_line():
    rows = synonyms.read_shorthand()
    assert len(rows) > 500
    assert all(row.term and row.replacement and row.note for row in rows)
    assert {"sp", "ho", "wo"} <= {row.term for row in rows}  # s/p, h/o, w/o as typed


def test_results_are_grouped_by_code_set_with_counts(client, indexed):
    content = client.get("/search/", {"q": "pneumonia"}).content.decode()
    assert 'id="group-icd-10-cm">ICD-10-CM <span class="count">' in content
    assert 'id="group-ms-drg">MS-DRG <span class="count">1</span>' in content
    assert content.index('id="group-icd-10-cm"') < content.index('id="group-ms-drg"')


def test_drgs_are_never_labelled_billable(client, indexed):
    content = client.get("/search/", {"q": "pneumonia pleurisy"}).content.decode()
    assert "/ms-drg/193/" in content
    assert "Billable" not in content.split('id="group-ms-drg"')[1]


def test_a_reason_shared_by_every_result_is_said_once(client, indexed):
    content = client.get("/search/", {"q": "ms"}).content.decode()
    assert "Matched: synonym: ms → multiple sclerosis" in content  # reasons differ: one per row
    assert "Every result matched" not in content
    content = client.get("/search/", {"q": "type 2 diabetes"}).content.decode()
    assert "Every result matched: words: type, 2, diabetes" in content
    assert "Matched: words" not in content


def test_suggestions_complete_categories_and_main_terms_first(client, indexed):
    results = client.get("/search/suggest", {"q": "pneum"}).json()["results"]
    assert results[0]["code"] == "J18.9"
    assert results[0]["matched"] == "Index: Pneumonia → J18.9"
    assert "J18" in [r["code"] for r in results[:3]]


def test_a_bare_prefix_on_the_results_page_leads_with_main_terms_and_categories(indexed):
    found = search.search("pneum")
    assert [r.code_str for r in found.results[:2]] == ["J18.9", "J18"]
    assert found.results[0].matched == "Index: Pneumonia → J18.9"
    assert search.search("pneum", offset=20).results == []  # the second page is the ranked codes' own
    assert _codes("pneum", system="hcpcs") == []  # a filter to another code set: no ICD-10-CM rows lead


def test_suggestions_for_a_code_prefix_complete_codes(client, indexed):
    results = client.get("/search/suggest", {"q": "E11"}).json()["results"]
    assert [r["code"] for r in results][:1] == ["E11"]
    assert all(r["code"].startswith("E11") for r in results)


def test_each_code_set_s_best_result_leads_when_the_query_means_both():
    # Six supplies and one diagnosis share a word: the diagnosis, what "flu" is to a coder
    # beside its vaccines, is offered second, not below every supply.
    _sync(
        "hcpcs",
        [CodeRow(code=f"A900{n}", title=f"Zorbic splint, size {n}", billable=True) for n in range(1, 7)],
    )
    _sync("icd-10-cm", [CodeRow(code="R50.81", title="Zorbic fever", billable=True)])
    search.build_index()
    found = _codes("zorbic")
    assert found[0].startswith("A900")
    assert found[1] == "R50.81"
    assert found[2:] == sorted(found[2:])  # the rest keep their order


def test_a_pcs_index_path_to_a_body_part_names_only_the_device_it_says():
    # "Pump > Infusion > Chest 0JH6": the pump of 0JH6, not the pacemaker beside it in that body part.
    titles = {
        "0JH606Z": "Insertion of Pacemaker, Dual Chamber into Chest Subcutaneous Tissue and Fascia, Open Approach",
        "0JH60VZ": "Insertion of Infusion Pump into Chest Subcutaneous Tissue and Fascia, Open Approach",
    }
    _sync("icd-10-pcs", [CodeRow(code=code, title=title, billable=True) for code, title in titles.items()])
    release = Release.objects.get(dataset="icd-10-pcs")
    for position, (main, sub) in enumerate([("Pump", "Infusion"), ("Pacemaker", "Dual Chamber")]):
        top = IndexTerm.objects.create(index="pcs", release=release, level=0, position=2 * position, title=main)
        IndexTerm.objects.create(
            index="pcs", release=release, parent=top, level=1, position=2 * position + 1, title=sub, code="0JH6"
        )
    synonyms.seed(sources=[Synonym.Source.INDEX])
    search.build_index()
    assert _codes("infusion pump") == ["0JH60VZ"]
    assert _codes("pacemaker dual chamber") == ["0JH606Z"]


def test_a_procedure_the_pcs_index_sends_to_a_whole_table_finds_its_codes():
    # "Arthroscopy -> 0SJ": every joint of a table too big to list, through a scope (not open).
    rows = [CodeRow(code="0SJ", title="Inspection, Lower Joints", kind="table")]
    rows += [
        CodeRow(code=f"0SJ{n:02d}{approach}ZZ", title=f"Inspection of Joint {n}, {words} Approach", billable=True)
        for n in range(40)
        for approach, words in (("0", "Open"), ("4", "Percutaneous Endoscopic"))
    ]
    rows.append(
        CodeRow(code="0SJC4ZZ", title="Inspection of Right Knee Joint, Percutaneous Endoscopic Approach", billable=True)
    )
    _sync("icd-10-pcs", rows)
    release = Release.objects.get(dataset="icd-10-pcs")
    top = IndexTerm.objects.create(index="pcs", release=release, level=0, position=0, title="Arthroscopy")
    IndexTerm.objects.create(index="pcs", release=release, parent=top, level=1, position=1, title="", code="0SJ")
    synonyms.seed(sources=[Synonym.Source.INDEX])
    search.build_index()
    assert _codes("knee arthroscopy") == ["0SJC4ZZ"]
    assert "0SJ030ZZ" not in _codes("arthroscopy", limit=100)  # the open approach is no scope


@pytest.mark.page_cache
def test_a_cached_results_page_shows_the_rows_of_its_own_filter(client, indexed):
    everything = client.get("/search/", {"q": "pneumonia"}).content.decode()
    again = client.get("/search/", {"q": "pneumonia"}).content.decode()
    filtered = client.get("/search/", {"q": "pneumonia", "system": "ms-drg"}).content.decode()
    assert 'id="group-icd-10-cm"' in everything
    assert "/icd-10-cm/J18.9/" in again
    # One code set chosen: its rows without the set's heading, and no other set's rows.
    assert "/ms-drg/193/" in filtered
    assert 'class="search-group__head"' not in filtered
    assert "/icd-10-cm/J18.9/" not in filtered


def test_an_index_entry_that_says_see_leads_where_its_term_leads():
    _sync(
        "icd-10-cm",
        [
            CodeRow(code="M86.9", title="Osteomyelitis, unspecified", billable=True),
            CodeRow(code="A49.9", title="Bacterial infection, unspecified", billable=True),
        ],
    )
    release = Release.objects.get(dataset="icd-10-cm")
    osteomyelitis = IndexTerm.objects.create(
        index="main", release=release, level=0, position=0, letter="O", title="Osteomyelitis", code="M86.9"
    )
    infection = IndexTerm.objects.create(
        index="main", release=release, level=0, position=1, letter="I", title="Infection"
    )
    IndexTerm.objects.create(
        index="main",
        release=release,
        parent=infection,
        level=1,
        position=2,
        letter="I",
        title="bone",
        see="Osteomyelitis",
        see_target=osteomyelitis,
    )
    search.build_index()
    found = search.search("bone infection")
    assert found.results[0].code_str == "M86.9"
    assert found.results[0].matched == "Index: Infection > bone, see Osteomyelitis → M86.9"


def test_a_see_reference_to_a_term_that_only_says_see_is_followed_on():
    _sync(
        "icd-10-cm",
        [
            CodeRow(code="S72.00", title="Fracture of unspecified part of neck of femur", kind="subcategory"),
            CodeRow(
                code="S72.002A",
                title="Fracture of unspecified part of neck of left femur, initial encounter for closed fracture",
                parent="S72.00",
                billable=True,
            ),
        ],
    )
    release = Release.objects.get(dataset="icd-10-cm")

    def term(title, *, parent=None, code="", see_target=None):
        return IndexTerm.objects.create(
            index="main", release=release, parent=parent, level=parent.level + 1 if parent else 0,
            position=IndexTerm.objects.count(), letter="F", title=title, code=code,
            see=see_target.title if see_target else "", see_target=see_target,
        )  # fmt: skip

    fracture = term("Fracture, traumatic")
    femur = term("femur", parent=fracture)
    upper_end = term("upper end", parent=femur)
    upper_neck = term("neck", parent=upper_end, code="S72.00-")
    neck = term("neck", parent=femur, see_target=upper_neck)  # "see Fracture, femur, upper end, neck"
    term("hip", parent=fracture, see_target=neck)  # "see Fracture, femur, neck"
    search.build_index()
    found = search.search("hip fracture")
    assert found.results[0].code_str == "S72.00"
    assert found.results[0].matched.startswith("Index: Fracture, traumatic > hip, see")
    # The dash says the coder completes the code: its paths lead to the codes that complete it.
    assert _codes("left hip fracture")[0] == "S72.002A"


def test_the_paths_of_a_dashed_code_lead_to_the_codes_completing_it_unless_too_many():
    paths = {"S72.00-": ["hip"], "S72-": ["femur"], "S72.002A": ["own"]}
    codes = ["S72.001A", "S72.002A", *(f"S72.{n:03d}A" for n in range(100, 200))]
    completed = index.completions(paths, codes)
    assert completed["S72.002A"] == ["hip"]  # not "femur": S72- has more than MAX_COMPLETED codes
    assert "S72.100A" not in completed


def test_a_procedure_named_for_its_body_part_finds_that_part_of_the_table():
    # "Vasectomy -> 0VB": the vas deferens of the table (vas-ectomy), not the other organs in it.
    titles = {
        "0VBQ0ZZ": "Excision of Bilateral Vas Deferens, Open Approach",
        "0VBS0ZZ": "Excision of Penis, Open Approach",
    }
    rows = [CodeRow(code="0VB", title="Excision, Male Reproductive System", kind="table")]
    _sync("icd-10-pcs", rows + [CodeRow(code=c, title=t, billable=True) for c, t in titles.items()])
    release = Release.objects.get(dataset="icd-10-pcs")
    IndexTerm.objects.create(index="pcs", release=release, level=0, position=0, title="Vasectomy", code="0VB")
    synonyms.seed(sources=[Synonym.Source.INDEX])
    search.build_index()
    assert _codes("vasectomy") == ["0VBQ0ZZ"]


def test_a_main_terms_modifier_after_a_comma_is_part_of_its_key():
    # "Mice, joint" is no entry for "joint"; "Ulcer, ulcerated" lists spellings; "Fracture,
    # traumatic" is the Index's fracture (the largest of the "Fracture, ..." terms), so its
    # modifier may go unsaid, "Fracture, pathological"'s may not.
    assert index.path_keys(["Mice, joint"], "", plain=True) == [word_key("joint mice"), word_key("mice")]
    assert index.path_keys(["Mice, joint"], "", plain=False) == [word_key("joint mice")]
    keys = index.path_keys(["Ulcer, ulcerated", "stomach, gastric"], "")
    assert keys[:2] == [word_key("stomach ulcer"), word_key("gastric ulcer")]
    rows = {1: (None, "Fracture, traumatic", "", ""), 2: (1, "hip", "", "S72.00-"), 3: (1, "femur", "", "")}
    rows |= {4: (None, "Fracture, pathological", "", ""), 5: (4, "hip", "", "M84.459")}
    assert index._plain_main_terms(rows) == {1}


def test_a_reason_part_every_result_shares_is_said_once_and_rows_keep_the_rest():
    def result(code: str, matched: str) -> SearchResult:
        return SearchResult(Code(system="icd-10-cm", code=code), code, matched, 1.0, url=f"/{code}/")

    found = SearchResults(
        query="copd with pna",
        results=[
            result("J44.9", "synonym: copd → chronic obstructive pulmonary disease"),
            result("J44.0", "synonym: copd → chronic obstructive pulmonary disease; also called: COPD with pneumonia"),
        ],
    )
    assert found.shared_reason == "synonym: copd → chronic obstructive pulmonary disease"
    assert [r.own_reason for r in found.groups[0].results] == ["", "also called: COPD with pneumonia"]
    alone = SearchResults(query="copd", results=[result("J44.9", "words: copd")])
    assert alone.shared_reason == ""
    assert alone.results[0].own_reason == "words: copd"


def test_an_index_path_holding_every_word_of_a_reading_is_found_by_its_pattern():
    _, patterns = ranking._path_holds(["ho stroke", "personal history stroke"])
    keys = "|cerebral chron infarct|deficit history personal residual strok without|"
    assert [bool(re.search(p, keys)) for p in patterns] == [False, True]
    assert not re.search(patterns[1], "|history personal|strok|")  # the words of one path, not of two
    assert ranking._path_holds(["pneumonia"]) == ("FALSE", [])  # one word: every path under it holds it


def test_an_index_path_naming_a_class_is_keyed_by_its_members_too():
    # "Disease > pulmonary > chronic obstructive > with > lower respiratory infection -> J44.0":
    # pneumonia is a lower respiratory infection (fixtures/synonyms/index_classes.tsv).
    classes = index.index_classes()
    key = word_key("disease pulmonary chronic obstructive with lower respiratory infection")
    keys = index.with_members([key, word_key("pneumonia lobar")], classes)
    assert keys[:2] == [key, word_key("pneumonia lobar")]
    assert word_key("chronic obstructive pulmonary disease pneumonia") in keys
    assert index.with_members([word_key("respiratory infection upper")], classes) == [
        word_key("upper respiratory infection")
    ]


def test_a_pcs_index_term_that_says_see_is_searched_as_what_it_names():
    # "Biopsy, see Excision with qualifier Diagnostic": the tables' titles say "Excision ..., Diagnostic".
    rows = synonyms._pcs_see("biopsy", "Excision with qualifier Diagnostic")
    assert [(r.term, r.replacement, r.source) for r in rows] == [("biopsy", "excision diagnostic", "index")]
    assert synonyms._pcs_see("amputation", "Detachment")[0].replacement == "detachment"
    assert synonyms._pcs_see("relocation", "Relocation") == []


def test_a_pcs_title_that_starts_with_a_word_the_query_typed_reads_it_first():
    # "lumbar spinal fusion": "Fusion of Lumbar Vertebral Joint ..." starts with its root operation.
    sql, params = ranking._operation_first([Slot([Term("spinal")]), Slot([Term("fusion")])])
    assert "icd-10-pcs" in sql
    assert params == ["fusion %", "spinal %"]
    assert ranking._operation_first([Slot([Term("fus", prefix=True)])]) == ("FALSE", [])

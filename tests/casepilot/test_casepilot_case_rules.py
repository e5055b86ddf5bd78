"""Case to codes by the guidelines' companion-code rules, on small real-shaped data: severe sepsis
beside the systemic and the localized infection, the case's negations in the rule text too."""

import pytest
from django.db import transaction

from casepilot import engine
from casepilot.tools.case_order import Coded, without_superseded
from codes import search
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, IndexTerm, Note, Release, Synonym
from tests.factories import make_index_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def sepsis_data(pilot_data):
    rows = [
        CodeRow(code="1", title="Certain infectious and parasitic diseases (A00-B99)", kind="chapter"),
        CodeRow(code="A40", title="Streptococcal sepsis", kind="category", parent="1"),
        CodeRow(code="A40.3", title="Sepsis due to Streptococcus pneumoniae", parent="A40", billable=True),
        CodeRow(code="A41", title="Other sepsis", kind="category", parent="1"),
        CodeRow(code="A41.5", title="Sepsis due to other Gram-negative organisms", kind="subcategory", parent="A41"),
        CodeRow(code="A41.51", title="Sepsis due to Escherichia coli [E. coli]", parent="A41.5", billable=True),
        CodeRow(code="A41.9", title="Sepsis, unspecified organism", parent="A41", billable=True),
        CodeRow(code="18", title="Symptoms, signs and abnormal clinical and laboratory findings (R00-R99)", kind="chapter"),
        CodeRow(code="R65", title="Symptoms and signs specifically associated with systemic inflammation and infection", kind="category", parent="18"),
        CodeRow(code="R65.2", title="Severe sepsis", kind="subcategory", parent="R65"),
        CodeRow(code="R65.20", title="Severe sepsis without septic shock", parent="R65.2", billable=True),
        CodeRow(code="R65.21", title="Severe sepsis with septic shock", parent="R65.2", billable=True),
        CodeRow(code="J18.9", title="Pneumonia, unspecified organism", parent="10", billable=True),
        CodeRow(code="14", title="Diseases of the genitourinary system (N00-N99)", kind="chapter"),
        CodeRow(code="N39", title="Other disorders of urinary system", kind="category", parent="14"),
        CodeRow(code="N39.0", title="Urinary tract infection, site not specified", parent="N39", billable=True),
        CodeRow(code="N17.9", title="Acute kidney failure, unspecified", parent="14", billable=True),
        CodeRow(code="J96.00", title="Acute respiratory failure, unspecified whether with hypoxia or hypercapnia", parent="10", billable=True),
        CodeRow(code="2", title="Neoplasms (C00-D49)", kind="chapter"),
        CodeRow(code="C00.9", title="Malignant neoplasm of lip, unspecified", parent="2", billable=True),
        CodeRow(code="D63.0", title="Anemia in neoplastic disease", parent="4", billable=True),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm", release=Release.objects.get(dataset="icd-10-cm"), rows=rows, scope=Code.objects.none()
        )
    r652 = Code.objects.get(system="icd-10-cm", code="R65.2")
    Note.objects.create(code=r652, type=Note.Type.CODE_FIRST, text="underlying infection, such as:", position=1)
    Note.objects.create(code=r652, type=Note.Type.CODE_FIRST, text="sepsis NOS (A41.9)", position=2)
    Note.objects.create(code=r652, type=Note.Type.USE_ADDITIONAL, text="acute kidney failure (N17.-)", position=3)
    Note.objects.create(code=r652, type=Note.Type.USE_ADDITIONAL, text="acute respiratory failure (J96.0-)", position=4)
    d630 = Code.objects.get(system="icd-10-cm", code="D63.0")
    Note.objects.create(code=d630, type=Note.Type.CODE_FIRST, text="neoplasm (C00-D49)", position=1)
    release = register_release(dataset="icd10cm-index", version="2026", title="ICD-10-CM Index FY2026")
    sepsis = make_index_entry(release, "Sepsis", "A41.9", position=1)
    make_index_entry(release, "Sepsis > Escherichia coli (E. coli)", "A41.51", position=2, parent=sepsis, main=sepsis)
    severe = make_index_entry(release, "Sepsis > severe", "R65.20", position=3, parent=sepsis, main=sepsis)
    make_index_entry(release, "Sepsis > severe > with septic shock", "R65.21", position=4, parent=severe, main=sepsis)
    strep = make_index_entry(release, "Sepsis > Streptococcus, streptococcal", position=5, parent=sepsis, main=sepsis)
    make_index_entry(release, "Sepsis > Streptococcus, streptococcal > pneumoniae", "A40.3", position=6, parent=strep, main=sepsis)  # fmt: skip
    infection = make_index_entry(release, "Infection, infected, infective", position=7)
    make_index_entry(release, "Infection, infected, infective > urinary (tract)", "N39.0", position=8, parent=infection, main=infection)  # fmt: skip
    make_index_entry(release, "Pneumonia", "J18.9", position=9)
    anemia = make_index_entry(release, "Anemia", position=10)
    within = make_index_entry(release, "Anemia > in", position=11, parent=anemia, main=anemia)
    make_index_entry(release, "Anemia > in > neoplastic disease", "D63.0", position=12, parent=within, main=anemia)
    search.build_index()


def test_severe_sepsis_with_a_localized_infection_gets_all_three_codes_in_order(sepsis_data):
    text = engine.answer("Severe sepsis due to E. coli UTI, without septic shock").text
    assert text.index("A41.51") < text.index("R65.20")
    assert "N39.0" in text
    # The case negates septic shock: neither the codes nor the rule told beside them name R65.21.
    assert "R65.21" not in text


def test_severe_sepsis_without_a_named_organism_codes_the_sepsis_first_by_its_code_first_note(sepsis_data):
    text = engine.answer("Severe sepsis with septic shock").text
    assert text.index("A41.9") < text.index("R65.21")


def test_a_note_adds_only_the_organ_dysfunction_the_case_documents(sepsis_data):
    text = engine.answer("Severe sepsis with acute respiratory failure, no septic shock").text
    assert "J96.00" in text
    assert "N17.9" not in text  # acute kidney failure is not documented


def test_a_code_first_range_is_not_guessed_from_the_manifestation_words(sepsis_data):
    """ "Anemia in neoplastic disease" does not say which neoplasm: no C code is offered."""
    text = engine.answer("Anemia in neoplastic disease").text
    assert "D63.0" in text
    assert "C00.9" not in text


def test_a_case_word_matches_index_words_whole(sepsis_data):
    """ "Sepsis due to pneumonia" is not Sepsis > Streptococcus > pneumoniae (the organism's name)."""
    text = engine.answer("Sepsis due to pneumonia").text
    assert "A40.3" not in text
    assert text.index("A41.9") < text.index("J18.9")


@pytest.fixture
def encounter_data(pilot_data):
    rows = [
        CodeRow(code="21", title="Factors influencing health status and contact with health services (Z00-Z99)", kind="chapter"),
        CodeRow(code="Z23", title="Encounter for immunization", parent="21", billable=True),
        CodeRow(code="Z28.311", title="Partially vaccinated for COVID-19", parent="21", billable=True),
        CodeRow(code="M21.40", title="Flat foot [pes planus] (acquired), unspecified foot", parent="13", billable=True),
        CodeRow(code="B19.10", title="Unspecified viral hepatitis B without hepatic coma", parent="1", billable=True),
        CodeRow(code="Z96.65", title="Presence of artificial knee joint", kind="subcategory", parent="21"),
        CodeRow(code="Z96.651", title="Presence of right artificial knee joint", parent="Z96.65", billable=True),
        CodeRow(code="Z96.652", title="Presence of left artificial knee joint", parent="Z96.65", billable=True),
        CodeRow(code="Z96.653", title="Presence of artificial knee joint, bilateral", parent="Z96.65", billable=True),
        CodeRow(code="Z96.659", title="Presence of unspecified artificial knee joint", parent="Z96.65", billable=True),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm", release=Release.objects.get(dataset="icd-10-cm"), rows=rows, scope=Code.objects.none()
        )
    release = register_release(dataset="icd10cm-index", version="2026", title="ICD-10-CM Index FY2026")
    hepatitis = make_index_entry(release, "Hepatitis", position=1)
    make_index_entry(release, "Hepatitis > B", "B19.10", position=2, parent=hepatitis, main=hepatitis)
    vaccination = make_index_entry(release, "Vaccination", position=3)
    make_index_entry(release, "Vaccination > delayed", position=4, parent=vaccination, main=vaccination)
    make_index_entry(release, "Vaccination > encounter for", "Z23", position=5, parent=vaccination, main=vaccination)
    partial = make_index_entry(release, "Vaccination > partial", position=11, parent=vaccination, main=vaccination)
    make_index_entry(release, "Vaccination > partial > for COVID-19", "Z28.311", position=12, parent=partial, main=vaccination)  # fmt: skip
    make_index_entry(release, "Fallen arches", "M21.40", position=13)
    presence = make_index_entry(release, "Presence", position=6)
    IndexTerm.objects.create(
        index="main", release=release, level=1, position=7, letter="P", title="knee-joint implant", parent=presence,
        main=presence, path="Presence > knee-joint implant", search_text="presence knee joint implant",
        search_key="knee joint implant", code="Z96.65-", code_compact="Z9665", code_status="incomplete",
        completions=["Z96.651", "Z96.652", "Z96.653", "Z96.659"],
    )  # fmt: skip
    status = make_index_entry(release, "Status", position=8)
    replacement = make_index_entry(release, "Status > organ replacement", position=9, parent=status, main=status)
    IndexTerm.objects.create(
        index="main", release=release, level=2, position=10, letter="S", title="knee", parent=replacement, main=status,
        path="Status > organ replacement > joint > knee", search_text="status organ replacement joint knee",
        search_key="knee", see="Presence, knee joint implant",
    )  # fmt: skip
    search.build_index()


def test_the_stated_reason_for_the_encounter_is_the_main_term(encounter_data):
    """ "Encounter for hepatitis B vaccination": Vaccination > encounter for, not Hepatitis > B."""
    text = engine.answer("Encounter for hepatitis B vaccination").text
    assert "Z23" in text
    assert "B19.10" not in text


def test_an_entry_with_a_detail_the_case_does_not_say_is_not_the_coders(encounter_data):
    """ "Encounter for COVID-19 vaccination" is an immunization, not Vaccination > partial > for COVID-19."""
    text = engine.answer("Encounter for COVID-19 vaccination").text
    assert "Z23" in text
    assert "Z28.311" not in text


def test_a_word_is_not_the_start_of_a_longer_main_term(encounter_data):
    assert "M21.40" not in engine.answer("Closed fracture from a fall").text  # not Fallen arches


def test_a_status_follows_its_see_to_the_side_the_case_names(encounter_data):
    text = engine.answer("Status post left total knee replacement").text
    assert "Z96.652" in text
    assert "Z96.651" not in text
    assert "Z96.659" not in text


@pytest.fixture
def detail_data(pilot_data):
    rows = [
        CodeRow(code="8", title="Diseases of the ear and mastoid process (H60-H95)", kind="chapter"),
        CodeRow(code="H66.9", title="Otitis media, unspecified", kind="subcategory", parent="8"),
        CodeRow(code="H66.90", title="Otitis media, unspecified, unspecified ear", parent="H66.9", billable=True),
        CodeRow(code="H66.91", title="Otitis media, unspecified, right ear", parent="H66.9", billable=True),
        CodeRow(code="H66.92", title="Otitis media, unspecified, left ear", parent="H66.9", billable=True),
        CodeRow(code="H66.93", title="Otitis media, unspecified, bilateral", parent="H66.9", billable=True),
        CodeRow(code="E66", title="Overweight and obesity", kind="category", parent="4"),
        CodeRow(code="E66.01", title="Morbid (severe) obesity due to excess calories", parent="E66", billable=True),
        CodeRow(code="21", title="Factors influencing health status and contact with health services (Z00-Z99)", kind="chapter"),
        CodeRow(code="Z68.41", title="Body mass index [BMI] 40.0-44.9, adult", parent="21", billable=True),
        CodeRow(code="Z68.45", title="Body mass index [BMI] 70 or greater, adult", parent="21", billable=True),
        CodeRow(code="2", title="Neoplasms (C00-D49)", kind="chapter"),
        CodeRow(code="C50.911", title="Malignant neoplasm of unspecified site of right female breast", parent="2", billable=True),
        CodeRow(code="C50.921", title="Malignant neoplasm of unspecified site of right male breast", parent="2", billable=True),
        CodeRow(code="D63.1", title="Anemia in chronic kidney disease", parent="4", billable=True),
        CodeRow(code="D63.8", title="Anemia in other chronic diseases classified elsewhere", parent="4", billable=True),
        CodeRow(code="N18.6", title="End stage renal disease", parent="N18", billable=True),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm", release=Release.objects.get(dataset="icd-10-cm"), rows=rows, scope=Code.objects.none()
        )
    e66 = Code.objects.get(system="icd-10-cm", code="E66")
    Note.objects.create(
        code=e66, type=Note.Type.USE_ADDITIONAL, text="code to identify body mass index (BMI), if known (Z68.-)"
    )
    d631 = Code.objects.get(system="icd-10-cm", code="D63.1")
    Note.objects.create(code=d631, type=Note.Type.CODE_FIRST, text="underlying chronic kidney disease (CKD) (N18.-)")
    release = register_release(dataset="icd10cm-index", version="2026", title="ICD-10-CM Index FY2026")
    otitis = make_index_entry(release, "Otitis", position=1)
    media = make_index_entry(release, "Otitis > media", position=2, parent=otitis, main=otitis)
    make_index_entry(release, "Otitis > media > acute, subacute", "H66.90", position=3, parent=media, main=otitis)
    obesity = make_index_entry(release, "Obesity", position=4)
    morbid = make_index_entry(release, "Obesity > morbid", position=5, parent=obesity, main=obesity)
    make_index_entry(
        release, "Obesity > morbid > due to excess calories", "E66.01", position=6, parent=morbid, main=obesity
    )
    anemia = make_index_entry(release, "Anemia", position=7)
    within = make_index_entry(release, "Anemia > in", position=8, parent=anemia, main=anemia)
    make_index_entry(release, "Anemia > in > end stage renal disease", "D63.1", position=9, parent=within, main=anemia)
    search.build_index()


def test_the_side_the_case_names_picks_the_sibling_code(detail_data):
    """The Index gives H66.90 (unspecified ear); the Tabular's sibling says the side documented."""
    text = engine.answer("Acute otitis media of the left ear").text
    assert "H66.92" in text
    assert "H66.90" not in text


def test_a_bmi_falls_in_the_range_a_title_gives(detail_data):
    text = engine.answer("Morbid obesity due to excess calories, BMI 42, adult").text
    assert "Z68.41" in text
    assert "Z68.45" not in text


def test_a_breast_neoplasm_is_female_unless_the_case_says_male(detail_data):
    assert "C50.911" in engine.answer("Right breast cancer").text
    assert "C50.921" in engine.answer("Malignant neoplasm of right male breast").text


def test_a_manifestation_in_a_disease_takes_the_index_in_entry_first(detail_data):
    """Anemia > in > end stage renal disease D63.1, after the CKD code its note says to code first."""
    text = engine.answer("Anemia in end stage renal disease").text
    assert text.index("N18.6") < text.index("D63.1")
    assert "D63.8" not in text


@pytest.fixture
def drug_data(pilot_data):
    rows = [
        CodeRow(code="19", title="Injury, poisoning and certain other consequences of external causes (S00-T88)", kind="chapter"),
        CodeRow(code="T43.222A", title="Poisoning by selective serotonin reuptake inhibitors, intentional self-harm, initial encounter", parent="19", billable=True),
        CodeRow(code="T39.311A", title="Poisoning by propionic acid derivatives, accidental (unintentional), initial encounter", parent="19", billable=True),
        CodeRow(code="T39.315A", title="Adverse effect of propionic acid derivatives, initial encounter", parent="19", billable=True),
        CodeRow(code="T50.905A", title="Adverse effect of unspecified drugs, medicaments and biological substances, initial encounter", parent="19", billable=True),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm", release=Release.objects.get(dataset="icd-10-cm"), rows=rows, scope=Code.objects.none()
        )
    table = register_release(dataset="icd-10-cm-drugs", version="2026", title="ICD-10-CM Table of Drugs FY2026")

    def row(position, path, cells=(), see="", parent=None):
        title = path.split(" > ")[-1]
        return IndexTerm.objects.create(
            index="drugs", release=table, position=position, letter=path[0], title=title, path=path,
            level=path.count(" > "), parent=parent, see=see, search_key="", search_text=path.lower(), cells=list(cells),
        )  # fmt: skip

    antidepressant = row(1, "Antidepressant", ["T43.201", "T43.202", "T43.203", "T43.204", "T43.205", "T43.206"])
    row(2, "Antidepressant > selective serotonin reuptake inhibitor",
        ["T43.221", "T43.222", "T43.223", "T43.224", "T43.225", "T43.226"], parent=antidepressant)  # fmt: skip
    row(3, "Naproxen", ["T39.311", "T39.312", "T39.313", "T39.314", "T39.315", "T39.316"])
    row(4, "Aleve", see="Naproxen")
    row(5, "Drug NEC", ["T50.901", "T50.902", "T50.903", "T50.904", "T50.905", "T50.906"])
    Synonym.objects.create(
        term="sertraline", replacement="antidepressant selective serotonin reuptake inhibitor", source="shorthand",
        note="drug class: FDA established pharmacologic class",
    )  # fmt: skip
    search.build_index()


def test_a_drug_the_table_lacks_is_coded_by_its_class_row(drug_data):
    text = engine.answer("Intentional overdose of sertraline, initial encounter").text
    assert "T43.222A" in text
    assert "sertraline is not in the Table of Drugs and Chemicals" in text


def test_a_table_row_that_says_see_is_coded_by_the_row_it_names(drug_data):
    assert "T39.311A" in engine.answer("Accidental overdose of Aleve, initial encounter").text


@pytest.fixture
def fracture_data(pilot_data):
    rows = [
        CodeRow(code="19", title="Injury, poisoning and certain other consequences of external causes (S00-T88)", kind="chapter"),
        CodeRow(code="S52.531", title="Colles' fracture of right radius", kind="subcategory", parent="19"),
        CodeRow(code="S52.531A", title="Colles' fracture of right radius, initial encounter for closed fracture", parent="S52.531", billable=True),
        CodeRow(code="S52.531B", title="Colles' fracture of right radius, initial encounter for open fracture type I or II", parent="S52.531", billable=True),
        CodeRow(code="S52.531D", title="Colles' fracture of right radius, subsequent encounter for closed fracture with routine healing", parent="S52.531", billable=True),
        CodeRow(code="S52.531E", title="Colles' fracture of right radius, subsequent encounter for open fracture type I or II with routine healing", parent="S52.531", billable=True),
        CodeRow(code="S52.531S", title="Colles' fracture of right radius, sequela", parent="S52.531", billable=True),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm", release=Release.objects.get(dataset="icd-10-cm"), rows=rows, scope=Code.objects.none()
        )
    search.build_index()


def test_a_fracture_not_documented_open_is_closed_and_the_encounter_is_the_one_documented(fracture_data):
    assert (
        "S52.531D" in engine.answer("Colles' fracture of right radius, subsequent encounter with routine healing").text
    )
    assert "S52.531A" in engine.answer("Colles' fracture of right radius, initial encounter").text
    text = engine.answer("Colles' fracture of right radius, initial encounter for closed fracture").text
    assert "S52.531A" in text
    assert "S52.531S" not in text


def test_an_unspecified_code_gives_way_to_one_that_says_all_it_says_and_more():
    def coded(code: str, title: str) -> Coded:
        return Coded(Code(system="icd-10-cm", code=code, title=title), "invented")

    fracture = coded("S42.002A", "Fracture of unspecified part of left clavicle, initial encounter for closed fracture")
    any_fall = coded("W19.XXXA", "Unspecified fall, initial encounter")
    ladder = coded("W11.XXXA", "Fall on and from ladder, initial encounter")
    kept = without_superseded([fracture, any_fall, ladder])
    assert [c.code.code for c in kept] == ["S42.002A", "W11.XXXA"]
    # Codes of other categories say other things: the unspecified organism of sepsis stays beside R65.20.
    sepsis = coded("A41.9", "Sepsis, unspecified organism")
    severe = coded("R65.20", "Severe sepsis without septic shock")
    assert [c.code.code for c in without_superseded([sepsis, severe])] == ["A41.9", "R65.20"]


def test_the_tables_row_for_an_unnamed_drug_is_not_coded_beside_a_named_one(drug_data):
    text = engine.answer("Gastritis due to naproxen, drug taken as prescribed, initial encounter").text
    assert "T39.315A" in text
    assert "T50.905A" not in text


def test_a_diabetes_type_is_not_a_kidney_disease_stage(sepsis_data):
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm",
            release=Release.objects.get(dataset="icd-10-cm"),
            rows=[
                CodeRow(
                    code="E11.22",
                    title="Type 2 diabetes mellitus with diabetic chronic kidney disease",
                    parent="4",
                    billable=True,
                ),
                CodeRow(code="N18.2", title="Chronic kidney disease, stage 2 (mild)", parent="14", billable=True),
                CodeRow(code="N18.4", title="Chronic kidney disease, stage 4 (severe)", parent="14", billable=True),
            ],
            scope=Code.objects.none(),
        )
    e1122 = Code.objects.get(system="icd-10-cm", code="E11.22")
    Note.objects.create(code=e1122, type=Note.Type.USE_ADDITIONAL, text="code to identify stage of chronic kidney disease (N18.1-N18.6)")  # fmt: skip
    release = IndexTerm.objects.first().release  # the sepsis fixture's Index release
    diabetes = make_index_entry(release, "Diabetes, diabetic", position=20)
    type_2 = make_index_entry(release, "Diabetes, diabetic > type 2", position=21, parent=diabetes, main=diabetes)
    with_ = make_index_entry(release, "Diabetes, diabetic > type 2 > with", position=22, parent=type_2, main=diabetes)
    make_index_entry(release, "Diabetes, diabetic > type 2 > with > chronic kidney disease", "E11.22", position=23, parent=with_, main=diabetes)  # fmt: skip
    search.build_index()
    text = engine.answer("Type 2 diabetes with chronic kidney disease stage 4").text
    assert "N18.4" in text
    assert "N18.2" not in text

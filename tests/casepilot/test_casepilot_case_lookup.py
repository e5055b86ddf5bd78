"""Case coding looks conditions up as a coder does: the Index entry that is the condition word for
word, the Neoplasm Table for a neoplasm of a site (casepilot/tools/case_index.py, case_neoplasm.py)."""

import pytest
from django.db import transaction

from casepilot import engine
from casepilot.tools import case_text
from codes import search
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, IndexTerm, Note, Release, normalize_index_text

pytestmark = pytest.mark.django_db


def _codes(*rows: tuple[str, str]) -> None:
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm",
            release=Release.objects.get(dataset="icd-10-cm"),
            rows=[CodeRow(code=code, title=title, billable=True) for code, title in rows],
            scope=Code.objects.none(),
        )


def _entry(release, position: int, path: str, *, code: str = "", nemod: str = "", parent=None, main=None):
    """An Index entry as the importer writes it: its search text is its parent's and its own words."""
    title = path.split(" > ")[-1]
    return IndexTerm.objects.create(
        index="main", release=release, level=path.count(" > "), position=position, letter=path[0], title=title,
        nemod=nemod, code=code, code_compact=code.replace(".", ""), code_status="valid" if code else "",
        path=path, search_text=normalize_index_text(f"{parent.search_text if parent else ''} {title} {nemod}"),
        search_key=normalize_index_text(title),
        parent=parent, main=main,
    )  # fmt: skip


@pytest.fixture
def index(pilot_data):
    return register_release(dataset="icd10cm-index", version="2026", title="ICD-10-CM Index FY2026")


@pytest.fixture
def neoplasm_table(pilot_data):
    _codes(
        ("C18.9", "Malignant neoplasm of colon, unspecified"),
        ("C78.7", "Secondary malignant neoplasm of liver and intrahepatic bile duct"),
        ("C22.9", "Malignant neoplasm of liver, not specified as primary or secondary"),
        ("C78.00", "Secondary malignant neoplasm of unspecified lung"),
        ("C78.01", "Secondary malignant neoplasm of right lung"),
        ("C78.02", "Secondary malignant neoplasm of left lung"),
    )
    release = register_release(dataset="icd10cm-neoplasm", version="2026", title="ICD-10-CM Neoplasm Table FY2026")
    main = IndexTerm.objects.create(
        index="neoplasm", release=release, level=0, position=1, letter="N", title="Neoplasm, neoplastic",
        path="Neoplasm, neoplastic", cells=["C80.1", "C79.9", "D09.9", "D36.9", "D48.9", "D49.9"],
    )  # fmt: skip
    for position, (site, cells) in enumerate(
        [
            ("colon", ["C18.9", "C78.5", "", "", "", ""]),
            ("liver", ["C22.9", "C78.7", "D01.5", "D13.4", "D37.6", "D49.0"]),
            ("lingula, lung", ["C34.1-", "C78.0-", "D02.2-", "D14.3-", "D38.1", "D49.1"]),
            ("lung", ["C34.9-", "C78.0-", "D02.2-", "D14.3-", "D38.1", "D49.1"]),
        ],
        start=2,
    ):
        IndexTerm.objects.create(
            index="neoplasm", release=release, level=1, position=position, letter=site[0].upper(), title=site,
            path=f"Neoplasm, neoplastic > {site}", cells=cells, parent=main, main=main,
        )  # fmt: skip


def test_a_cancer_and_the_site_it_spread_to_come_from_the_neoplasm_table(neoplasm_table):
    text = engine.answer("Colon cancer metastatic to the liver").text
    assert "C18.9" in text
    assert "C78.7" in text
    assert "C22.9" not in text
    assert "Neoplasm Table: liver, column “Malignant secondary” C78.7" in text


def test_a_table_cell_with_a_dash_is_completed_with_the_side_the_record_gives(neoplasm_table):
    assert "C78.01" in engine.answer("Metastases to the right lung").text
    assert "C78.00" in engine.answer("Breast cancer with metastasis to the lung").text


def test_the_entry_that_is_the_condition_word_for_word_comes_first(index):
    """ "Pleural effusion" is Effusion > pleura, pleurisy (J90), not Effusion > malignant pleural."""
    _codes(("J90", "Pleural effusion, not elsewhere classified"), ("J91.0", "Malignant pleural effusion"))
    effusion = _entry(index, 1, "Effusion")
    _entry(index, 2, "Effusion > malignant pleural", code="J91.0", parent=effusion, main=effusion)
    _entry(index, 3, "Effusion > pleura, pleurisy, pleuritic", code="J90", parent=effusion, main=effusion)
    text = engine.answer("Pleural effusion").text
    assert "J90" in text
    assert "J91.0" not in text
    assert "Alphabetic Index: Effusion > pleura, pleurisy, pleuritic" in text


def test_a_one_letter_subterm_is_a_word_of_the_condition(index):
    _codes(("B18.2", "Chronic viral hepatitis C"), ("K73.9", "Chronic hepatitis, unspecified"))
    hepatitis = _entry(index, 1, "Hepatitis")
    c = _entry(index, 2, "Hepatitis > C", parent=hepatitis, main=hepatitis)
    _entry(index, 3, "Hepatitis > C > chronic", code="B18.2", parent=c, main=hepatitis)
    _entry(index, 4, "Hepatitis > chronic", code="K73.9", parent=hepatitis, main=hepatitis)
    text = engine.answer("Chronic hepatitis C").text
    assert "B18.2" in text
    assert "K73.9" not in text


def test_an_acronym_the_index_writes_as_a_modifier_says_its_words(index):
    _codes(("Z66", "Do not resuscitate"))
    status = _entry(index, 1, "Status")
    _entry(index, 2, "Status > do not resuscitate", code="Z66", nemod="(DNR)", parent=status, main=status)
    assert "Z66" in engine.answer("DNR status").text


def test_a_condition_induced_by_a_substance_with_no_adverse_effect_is_coded_by_its_entry(index):
    """Alcohol has no adverse-effect code in the Table of Drugs: alcohol-induced pancreatitis is no drug event."""
    _codes(("K86.0", "Alcohol-induced chronic pancreatitis"), ("K86.1", "Other chronic pancreatitis"))
    pancreatitis = _entry(index, 1, "Pancreatitis")
    chronic = _entry(index, 2, "Pancreatitis > chronic", code="K86.1", parent=pancreatitis, main=pancreatitis)
    _entry(index, 3, "Pancreatitis > chronic > alcohol-induced", code="K86.0", parent=chronic, main=pancreatitis)
    drugs = register_release(dataset="icd10cm-drugs", version="2026", title="ICD-10-CM Table of Drugs FY2026")
    IndexTerm.objects.create(
        index="drugs", release=drugs, level=0, position=1, letter="A", title="Alcohol", path="Alcohol",
        cells=["T51.91", "T51.92", "T51.93", "T51.94", "", ""], search_text="alcohol", search_key="alcohol",
    )  # fmt: skip
    text = engine.answer("Alcohol-induced chronic pancreatitis").text
    assert "K86.0" in text
    assert "T51" not in text


def test_a_fragment_with_no_code_of_its_own_is_a_detail_of_the_condition_before_it(index):
    """ "third trimester" after a comma: the trimester of the preterm labor, not a condition."""
    _codes(
        ("O60.00", "Preterm labor without delivery, unspecified trimester"),
        ("O60.03", "Preterm labor without delivery, third trimester"),
    )
    preterm = _entry(index, 1, "Preterm")
    labor = _entry(index, 2, "Preterm > labor", parent=preterm, main=preterm)
    _entry(index, 3, "Preterm > labor > without delivery", code="O60.00", parent=labor, main=preterm)
    text = engine.answer("Preterm labor without delivery, third trimester").text
    assert "O60.03" in text
    assert "O60.00" not in text


def test_a_pregnancy_code_the_index_gives_for_the_words_needs_no_pregnancy_word(index):
    _codes(("O21.0", "Mild hyperemesis gravidarum"))
    hyperemesis = _entry(index, 1, "Hyperemesis")
    _entry(index, 2, "Hyperemesis > gravidarum", code="O21.0", nemod="(mild)", parent=hyperemesis, main=hyperemesis)
    assert "O21.0" in engine.answer("Mild hyperemesis gravidarum").text


def test_a_prefixed_word_is_looked_up_as_the_index_hyphenates_it(index):
    """ "preeclampsia" is the Index's Pre-eclampsia."""
    _codes(("O14.10", "Severe pre-eclampsia, unspecified trimester"))
    main = _entry(index, 1, "Pre-eclampsia")
    _entry(index, 2, "Pre-eclampsia > severe", code="O14.10", parent=main, main=main)
    text = engine.answer("Severe preeclampsia").text
    assert "O14.10" in text
    assert "Alphabetic Index: Pre-eclampsia > severe" in text


def test_an_event_word_that_begins_a_main_term_names_a_condition_not_a_poisoning(index):
    _codes(("L23.7", "Allergic contact dermatitis due to plants, except food"))
    _entry(index, 1, "Poison ivy, oak, sumac or other plant dermatitis", code="L23.7", nemod="(allergic) (contact)")
    text = engine.answer("Contact dermatitis due to poison ivy").text
    assert "T65" not in text
    assert "drug event" not in text


def test_of_two_entries_word_for_word_the_one_that_says_least_besides_comes_first(index):
    """ "semilunar bone, wrist" is a bone of the wrist, not another word for it."""
    _codes(("S62.102A", "Fracture of unspecified carpal bone, left wrist, initial encounter for closed fracture"))
    _codes(("S62.122A", "Displaced fracture of lunate [semilunar], left wrist, initial encounter for closed fracture"))
    fracture = _entry(index, 1, "Fracture, traumatic")
    _entry(index, 2, "Fracture, traumatic > semilunar bone, wrist", code="S62.122A", parent=fracture, main=fracture)
    _entry(index, 3, "Fracture, traumatic > wrist", code="S62.102A", parent=fracture, main=fracture)
    text = engine.answer("Fracture of left wrist, initial encounter").text
    assert "S62.102A" in text
    assert "S62.122A" not in text


def test_a_complication_is_found_through_the_see_also_of_its_own_entry(index):
    """Neuropathy > peripheral, see also Polyneuropathy: diabetes with peripheral neuropathy is E11.42, alone."""
    _codes(
        ("E11.40", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified"),
        ("E11.42", "Type 2 diabetes mellitus with diabetic polyneuropathy"),
        ("G62.9", "Polyneuropathy, unspecified"),
    )
    diabetes = _entry(index, 1, "Diabetes, diabetic", nemod="(mellitus) (sugar)")
    type2 = _entry(index, 2, "Diabetes, diabetic > type 2", parent=diabetes, main=diabetes)
    with_ = _entry(index, 3, "Diabetes, diabetic > type 2 > with", parent=type2, main=diabetes)
    _entry(index, 4, "Diabetes, diabetic > type 2 > with > neuropathy", code="E11.40", parent=with_, main=diabetes)
    _entry(index, 5, "Diabetes, diabetic > type 2 > with > polyneuropathy", code="E11.42", parent=with_, main=diabetes)
    neuropathy = _entry(index, 6, "Neuropathy, neuropathic")
    peripheral = _entry(
        index,
        7,
        "Neuropathy, neuropathic > peripheral",
        code="G62.9",
        nemod="(nerve)",
        parent=neuropathy,
        main=neuropathy,
    )
    peripheral.see_also = "Polyneuropathy"
    peripheral.save()
    text = engine.answer("What's the ICD-10 code for DM2 with peripheral neuropathy?").text
    assert "E11.42" in text
    assert "E11.40" not in text
    assert "G62.9" not in text
    assert "see also Polyneuropathy" in text


def test_a_title_with_what_the_case_says_it_is_without_is_not_the_code(index):
    _codes(
        ("S61.211A", "Laceration without foreign body of left index finger without damage to nail, initial encounter"),
        ("S61.221A", "Laceration with foreign body of left index finger without damage to nail, initial encounter"),
        ("S61.311A", "Laceration without foreign body of left index finger with damage to nail, initial encounter"),
        ("S61.219A", "Laceration without foreign body of unspecified finger without damage to nail, initial encounter"),
    )
    laceration = _entry(index, 1, "Laceration")
    _entry(index, 2, "Laceration > finger", code="S61.219A", parent=laceration, main=laceration)
    text = engine.answer(
        "Laceration of left index finger without foreign body, without damage to nail, initial encounter"
    ).text
    assert "S61.211A" in text
    assert "S61.221A" not in text
    assert "S61.311A" not in text


def test_an_acute_exacerbation_of_a_chronic_condition_is_acute_on_chronic(index):
    _codes(
        ("I50.22", "Chronic systolic (congestive) heart failure"),
        ("I50.23", "Acute on chronic systolic (congestive) heart failure"),
        ("I50.20", "Unspecified systolic (congestive) heart failure"),
    )
    failure = _entry(index, 1, "Failure")
    heart = _entry(index, 2, "Failure > heart", parent=failure, main=failure)
    _entry(index, 3, "Failure > heart > systolic", code="I50.20", nemod="(congestive)", parent=heart, main=failure)
    text = engine.answer("Acute exacerbation of chronic systolic heart failure").text
    assert "I50.23" in text


def test_an_acute_exacerbation_of_an_airway_disease_is_its_code_with_exacerbation(index):
    _codes(
        ("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"),
        ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
    )
    disease = _entry(index, 1, "Disease, diseased")
    pulmonary = _entry(index, 2, "Disease, diseased > pulmonary", parent=disease, main=disease)
    copd = _entry(index, 3, "Disease, diseased > pulmonary > chronic obstructive", code="J44.9", parent=pulmonary, main=disease)  # fmt: skip
    with_ = _entry(index, 4, "Disease, diseased > pulmonary > chronic obstructive > with", parent=copd, main=disease)
    _entry(index, 5, "Disease, diseased > pulmonary > chronic obstructive > with > exacerbation", code="J44.1", nemod="(acute)", parent=with_, main=disease)  # fmt: skip
    text = engine.answer("Acute exacerbation of chronic obstructive pulmonary disease").text
    assert "J44.1" in text


def test_a_negation_the_tabular_writes_as_a_prefix_is_not_read_as_its_opposite(index):
    _codes(
        ("J10.1", "Influenza due to other identified influenza virus with other respiratory manifestations"),
        ("J11.1", "Influenza due to unidentified influenza virus with other respiratory manifestations"),
    )
    influenza = _entry(index, 1, "Influenza", code="J11.1")
    _entry(index, 2, "Influenza > due to > identified influenza virus NEC", code="J10.1", parent=influenza, main=influenza)  # fmt: skip
    text = engine.answer("Influenza, virus not identified").text
    assert "J11.1" in text
    assert "J10.1" not in text


def test_a_patient_who_fell_has_a_fall(index):
    _codes(("W11.XXXA", "Fall on and from ladder, initial encounter"))
    search.build_index()
    assert "W11.XXXA" in engine.answer("Patient fell from a ladder, initial encounter").text


def test_a_history_is_the_entry_of_its_condition_noun_when_none_says_its_modifiers(index):
    _codes(("Z86.718", "Personal history of other venous thrombosis and embolism"))
    history = _entry(index, 1, "History")
    personal = _entry(index, 2, "History > personal", parent=history, main=history)
    _entry(index, 3, "History > personal > thrombosis", code="Z86.718", nemod="(venous)", parent=personal, main=history)
    text = engine.answer("History of DVT").text
    assert "Z86.718" in text
    assert "Alphabetic Index: History > personal > thrombosis" in text


def test_a_morphology_the_index_sends_to_the_table_by_site_is_coded_from_it(neoplasm_table, index):
    """Carcinoma (malignant), see also Neoplasm, by site, malignant: no Carcinoma > squamous cell entry."""
    _codes(("C34.90", "Malignant neoplasm of unspecified part of unspecified bronchus or lung"))
    carcinoma = _entry(index, 1, "Carcinoma", nemod="(malignant)")
    carcinoma.see_also = "Neoplasm, by site, malignant"
    carcinoma.save()
    text = engine.answer("Squamous cell carcinoma of the lung").text
    assert "C34.90" in text
    assert "Neoplasm Table: lung, column “Malignant primary”" in text


def test_a_comma_in_an_index_term_that_adds_a_qualifier_is_no_alternative(index):
    """ "Fracture, pathological" is a pathological fracture, not another word for a fracture."""
    _codes(
        ("M84.411A", "Pathological fracture, right shoulder, initial encounter for fracture"),
        ("S42.001A", "Fracture of unspecified part of right clavicle, initial encounter for closed fracture"),
    )
    pathological = _entry(index, 1, "Fracture, pathological")
    _entry(index, 2, "Fracture, pathological > clavicle", code="M84.411A", parent=pathological, main=pathological)
    traumatic = _entry(index, 3, "Fracture, traumatic")
    _entry(index, 4, "Fracture, traumatic > clavicle", code="S42.001A", parent=traumatic, main=traumatic)
    text = engine.answer("Fracture of right clavicle, initial encounter").text
    assert "S42.001A" in text
    assert "M84.411A" not in text


@pytest.mark.parametrize(
    ("case", "conditions"),
    [
        ("Metastatic prostate cancer to bone", ["prostate malignant neoplasm", "secondary malignant neoplasm of bone"]),
        ("Metastatic melanoma to the lung", ["melanoma", "secondary malignant neoplasm of lung"]),
        ("Metastatic carcinoma to the bone", ["secondary malignant neoplasm of bone"]),
        (
            "Lung cancer with metastases to the brain and bone",
            [
                "Lung malignant neoplasm",
                "secondary malignant neoplasm of brain",
                "secondary malignant neoplasm of bone",
            ],
        ),
    ],
)
def test_the_sites_a_cancer_spread_to_are_secondary_neoplasms_each_its_own(case, conditions):
    from casepilot.tools.case_text import read_case

    assert [c.text for c in read_case(case)] == conditions


def test_linked_conditions_no_code_says_together_are_coded_each(index):
    _codes(
        ("A41.9", "Sepsis, unspecified organism"),
        ("J18.9", "Pneumonia, unspecified organism"),
        ("N17.9", "Acute kidney failure, unspecified"),
    )
    _entry(index, 1, "Sepsis", code="A41.9", nemod="(generalized) (unspecified organism)")
    _entry(index, 2, "Pneumonia", code="J18.9", nemod="(acute) (double) (migratory) (purulent) (septic) (unresolved)")
    injury = _entry(index, 3, "Injury")
    kidney = _entry(index, 4, "Injury > kidney", parent=injury, main=injury)
    _entry(index, 5, "Injury > kidney > acute", code="N17.9", nemod="(nontraumatic)", parent=kidney, main=injury)
    text = engine.answer("Sepsis due to pneumonia with acute kidney injury").text
    assert text.index("A41.9") < text.index("J18.9")
    assert "N17.9" in text


def test_a_subterm_of_link_words_alone_is_a_meaning_the_case_must_write(index):
    """Gout > in (due to) renal impairment > knee is not the code of a gout of the left knee."""
    _codes(
        ("M10.062", "Idiopathic gout, left knee"),
        ("M10.362", "Gout due to renal impairment, left knee"),
        ("M10.9", "Gout, unspecified"),
    )
    gout = _entry(index, 1, "Gout, gouty", code="M10.9", nemod="(acute) (attack) (flare)")
    idiopathic = _entry(index, 2, "Gout, gouty > idiopathic", code="M10.00", parent=gout, main=gout)
    _entry(index, 3, "Gout, gouty > idiopathic > knee", code="M10.062", parent=idiopathic, main=gout)
    within = _entry(index, 4, "Gout, gouty > in", code="M10.30", nemod="(due to)", parent=gout, main=gout)
    _entry(index, 5, "Gout, gouty > in > knee", code="M10.362", parent=within, main=gout)
    text = engine.answer("Gout, left knee").text
    assert "M10.362" not in text


def test_a_site_the_record_writes_otherwise_than_the_index_is_looked_up_as_the_index_names_it(index):
    """The Index files the colon under "intestine, large" (Diverticulum > colon, see Diverticulosis,
    intestine, large): "diverticulitis of the colon" is K57.32, not the main term's K57.92; the code
    does not leave "sigmoid colon" over as a condition of its own."""
    _codes(
        ("K57.92", "Diverticulitis of intestine, part unspecified, without perforation or abscess without bleeding"),
        ("K57.32", "Diverticulitis of large intestine without perforation or abscess without bleeding"),
        ("N80.529", "Endometriosis of sigmoid colon"),
        ("K63.5", "Polyp of colon"),
        ("K63.9", "Disease of intestine, unspecified"),
    )
    diverticulitis = _entry(index, 1, "Diverticulitis", code="K57.92")
    intestine = _entry(
        index, 2, "Diverticulitis > intestine", code="K57.92", parent=diverticulitis, main=diverticulitis
    )
    _entry(index, 3, "Diverticulitis > intestine > large", code="K57.32", parent=intestine, main=diverticulitis)
    polyp = _entry(index, 4, "Polyp, polypus", code="K63.9")
    _entry(index, 5, "Polyp, polypus > colon", code="K63.5", parent=polyp, main=polyp)
    search.build_index()
    text = engine.answer("Diverticulitis of the sigmoid colon").text
    assert "K57.32" in text
    assert "K57.92" not in text
    assert "N80.529" not in text
    assert "the Index files the sigmoid colon under large intestine" in text
    assert "Alphabetic Index: Diverticulitis > intestine > large" in text
    # Where the Index has the site as the record writes it, that entry is the condition's.
    polyp_text = engine.answer("Polyp of colon").text
    assert "K63.5" in polyp_text
    assert "Alphabetic Index: Polyp, polypus > colon" in polyp_text
    assert "files the colon" not in polyp_text


def test_a_plural_is_the_singular_main_term_and_a_see_says_what_its_pointer_names(index):
    """ "Gallstones" is the main term Gallstone; Gallstone > with > cholecystitis sends the coder to
    Calculus > gallbladder > with > cholecystitis, whose "acute" is K80.00. The gallstones are said
    by that code, not a condition of their own (K56.3 is a gallstone causing an obstruction)."""
    _codes(
        ("K80.00", "Calculus of gallbladder with acute cholecystitis without obstruction"),
        ("K80.10", "Calculus of gallbladder with chronic cholecystitis without obstruction"),
        ("K81.0", "Acute cholecystitis"),
        ("K56.3", "Gallstone ileus"),
    )
    calculus = _entry(index, 1, "Calculus, calculi, calculous")
    gallbladder = _entry(index, 2, "Calculus, calculi, calculous > gallbladder", parent=calculus, main=calculus)
    with_ = _entry(index, 3, "Calculus, calculi, calculous > gallbladder > with", parent=gallbladder, main=calculus)
    cholecystitis = _entry(
        index,
        4,
        "Calculus, calculi, calculous > gallbladder > with > cholecystitis",
        code="K80.10",
        parent=with_,
        main=calculus,
    )
    _entry(
        index, 5, "Calculus, calculi, calculous > gallbladder > with > cholecystitis > acute", code="K80.00",
        parent=cholecystitis, main=calculus,
    )  # fmt: skip
    acute = _entry(index, 6, "Cholecystitis")
    _entry(index, 7, "Cholecystitis > acute", code="K81.0", parent=acute, main=acute)
    gallstone = _entry(index, 8, "Gallstone", nemod="(colic) (cystic duct) (gallbladder) (impacted) (multiple)")
    gallstone_with = _entry(index, 9, "Gallstone > with", parent=gallstone, main=gallstone)
    pointer = _entry(index, 10, "Gallstone > with > cholecystitis", parent=gallstone_with, main=gallstone)
    pointer.see, pointer.see_target = "Calculus, gallbladder, with cholecystitis", cholecystitis
    pointer.save()
    _entry(index, 11, "Gallstone > causing intestinal obstruction", code="K56.3", parent=gallstone, main=gallstone)
    search.build_index()
    text = engine.answer("Gallstones with acute cholecystitis").text
    assert "K80.00" in text
    assert "K56.3" not in text
    assert "K81.0" not in text
    assert "Gallstone > with > cholecystitis (see Calculus, gallbladder, with cholecystitis)" in text


def test_a_code_shaped_word_of_the_titles_among_other_words_is_that_word(index):
    """ "B12" is shaped like a code but no code: in "vitamin B12 deficiency anemia" it is the vitamin.
    Alone, or a token no title writes, it is still a code that does not exist."""
    _codes(("D51.9", "Vitamin B12 deficiency anemia, unspecified"))
    anemia = _entry(index, 1, "Anemia")
    deficiency = _entry(index, 2, "Anemia > deficiency", parent=anemia, main=anemia)
    _entry(index, 3, "Anemia > deficiency > vitamin B12 NOS", code="D51.9", parent=deficiency, main=anemia)
    search.build_index()
    text = engine.answer("Vitamin B12 deficiency anemia").text
    assert "D51.9" in text
    assert "not a code" not in text
    assert "K5792X is not a code in any code set" in engine.answer("Is K5792X billable?").text


def test_a_side_the_index_has_as_a_subterm_is_the_entry_the_record_states(index):
    """The side is the Tabular's to give, except where the Index has it: Osteoarthritis > knee >
    bilateral is M17.0; one side named is > unilateral, M17.1- completed with that side; no side,
    the knee's own M17.9. "Both knees" keeps its site."""
    _codes(
        ("M17.0", "Bilateral primary osteoarthritis of knee"),
        ("M17.10", "Unilateral primary osteoarthritis, unspecified knee"),
        ("M17.11", "Unilateral primary osteoarthritis, right knee"),
        ("M17.12", "Unilateral primary osteoarthritis, left knee"),
        ("M17.9", "Osteoarthritis of knee, unspecified"),
    )
    osteoarthritis = _entry(index, 1, "Osteoarthritis")
    knee = _entry(index, 2, "Osteoarthritis > knee", code="M17.9", parent=osteoarthritis, main=osteoarthritis)
    _entry(index, 3, "Osteoarthritis > knee > bilateral", code="M17.0", parent=knee, main=osteoarthritis)
    unilateral = _entry(index, 4, "Osteoarthritis > knee > unilateral", parent=knee, main=osteoarthritis)
    unilateral.code, unilateral.code_compact, unilateral.code_status = "M17.1-", "M171", IndexTerm.Status.INCOMPLETE
    unilateral.completions, unilateral.completion_count = ["M17.10", "M17.11", "M17.12"], 3
    unilateral.save()
    search.build_index()
    bilateral = engine.answer("Bilateral knee osteoarthritis").text
    assert "M17.0" in bilateral
    assert "Alphabetic Index: Osteoarthritis > knee > bilateral" in bilateral
    assert "M17.0" in engine.answer("Osteoarthritis of both knees").text
    left = engine.answer("Osteoarthritis of the left knee").text
    assert "M17.12" in left
    assert "M17.9" not in left
    assert "M17.9" in engine.answer("Osteoarthritis of knee").text


def test_a_level_of_two_words_joined_by_or_is_either_and_inclusion_terms_are_said(index):
    """Disorder > opioid use > moderate or severe is F11.20 for a moderate one; F11.20's inclusion
    term says the words its title does not ("Opioid use disorder, moderate"): no other code for them."""
    _codes(
        ("F11.20", "Opioid dependence, uncomplicated"),
        ("F11.10", "Opioid abuse, uncomplicated"),
        ("F11.988", "Opioid use, unspecified with other opioid-induced disorder"),
        ("F50.811", "Binge eating disorder, moderate"),
    )
    Note.objects.create(
        code=Code.objects.get(code="F11.20"), type=Note.Type.INCLUSION, text="Opioid use disorder, moderate"
    )
    disorder = _entry(index, 1, "Disorder")
    opioid = _entry(index, 2, "Disorder > opioid use", parent=disorder, main=disorder)
    _entry(index, 3, "Disorder > opioid use > mild", code="F11.10", parent=opioid, main=disorder)
    worse = _entry(index, 4, "Disorder > opioid use > moderate or severe", code="F11.20", parent=opioid, main=disorder)
    _entry(index, 5, "Disorder > opioid use > moderate or severe > with > opioid-induced > anxiety disorder", code="F11.988", parent=worse, main=disorder)  # fmt: skip
    _entry(index, 6, "Disorder > binge eating > moderate", code="F50.811", parent=disorder, main=disorder)
    search.build_index()
    text = engine.answer("Opioid use disorder, moderate").text
    assert "F11.20" in text
    assert "Alphabetic Index: Disorder > opioid use > moderate or severe" in text
    assert "F11.988" not in text
    assert "F50.811" not in text


def test_a_see_is_followed_to_the_entry_of_the_words_it_names_and_the_case_says(index):
    """Diabetes > uncontrolled > meaning > hyperglycemia says "see Diabetes, by type, with,
    hyperglycemia": type 2 diabetes with hyperglycemia, E11.65, not the first type 2 "with" entry."""
    _codes(
        ("E11.44", "Type 2 diabetes mellitus with diabetic amyotrophy"),
        ("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
        ("E11.9", "Type 2 diabetes mellitus without complications"),
    )
    diabetes = _entry(index, 1, "Diabetes, diabetic", code="E11.9")
    type2 = _entry(index, 2, "Diabetes, diabetic > type 2", code="E11.9", parent=diabetes, main=diabetes)
    with_ = _entry(index, 3, "Diabetes, diabetic > type 2 > with", parent=type2, main=diabetes)
    _entry(index, 4, "Diabetes, diabetic > type 2 > with > amyotrophy", code="E11.44", parent=with_, main=diabetes)
    _entry(index, 5, "Diabetes, diabetic > type 2 > with > hyperglycemia", code="E11.65", parent=with_, main=diabetes)
    uncontrolled = _entry(index, 6, "Diabetes, diabetic > uncontrolled", parent=diabetes, main=diabetes)
    meaning = _entry(index, 7, "Diabetes, diabetic > uncontrolled > meaning", parent=uncontrolled, main=diabetes)
    pointer = _entry(index, 8, "Diabetes, diabetic > uncontrolled > meaning > hyperglycemia", parent=meaning, main=diabetes)  # fmt: skip
    pointer.see, pointer.see_target = "Diabetes, by type, with, hyperglycemia", diabetes
    pointer.save()
    search.build_index()
    text = engine.answer("Uncontrolled type 2 diabetes with hyperglycemia").text
    assert "E11.65" in text
    assert "E11.44" not in text
    assert "> Diabetes, diabetic > type 2 > with > hyperglycemia" in text


def test_the_weeks_of_gestation_say_the_trimester_of_a_pregnancy_code(index):
    """Guideline I.C.15.a.3: the third trimester is from 28 weeks. A case at 32 weeks that names no
    trimester is coded in the third, not the unspecified one; one that names it keeps its words."""
    _codes(
        ("O13.1", "Gestational [pregnancy-induced] hypertension without significant proteinuria, first trimester"),
        ("O13.3", "Gestational [pregnancy-induced] hypertension without significant proteinuria, third trimester"),
        (
            "O13.9",
            "Gestational [pregnancy-induced] hypertension without significant proteinuria, unspecified trimester",
        ),
    )
    hypertension = _entry(index, 1, "Hypertension, hypertensive")
    _entry(index, 2, "Hypertension, hypertensive > gestational", code="O13.9", parent=hypertension, main=hypertension)
    search.build_index()
    text = engine.answer("Gestational hypertension, 32 weeks").text
    assert "O13.3" in text
    assert "O13.9" not in text
    assert "the third trimester by the weeks of gestation documented (guideline I.C.15.a.3)" in text
    assert "O13.1" in engine.answer("Gestational hypertension, first trimester").text
    assert "O13.9" in engine.answer("Gestational hypertension").text


@pytest.mark.parametrize(
    ("case", "trimester"),
    [
        ("Pregnant patient at 20 weeks with UTI", "second trimester"),
        ("32 weeks pregnant with gestational hypertension", "third trimester"),
        ("G1P0, 12 weeks, nausea and vomiting", "first trimester"),
        ("28 wks gestation", "third trimester"),
        ("Gestational hypertension at 30 weeks, second trimester", ""),  # the trimester it names stands
        ("Pregnant, cough for 3 weeks", ""),  # weeks of a cough are not weeks of gestation
    ],
)
def test_the_trimester_of_the_weeks_of_gestation_a_case_states(case, trimester):
    assert case_text.trimester_of(case) == trimester


def test_a_screening_test_named_as_the_reason_for_the_visit_is_an_encounter_for_it(index):
    """ "Screening mammogram" is Z12.31, Encounter for screening mammogram; "screening for" a
    condition reads as written (Z11.4), and a screening test's result is no encounter for one."""
    _codes(
        ("Z12.31", "Encounter for screening mammogram for malignant neoplasm of breast"),
        ("Z12.39", "Encounter for other screening for malignant neoplasm of breast"),
        ("Z11.4", "Encounter for screening for human immunodeficiency virus [HIV]"),
        ("R76.11", "Nonspecific reaction to tuberculin skin test without active tuberculosis"),
    )
    screening = _entry(index, 1, "Screening", nemod="(for)")
    neoplasm = _entry(index, 2, "Screening > neoplasm", parent=screening, main=screening)
    breast = _entry(index, 3, "Screening > neoplasm > breast", code="Z12.39", parent=neoplasm, main=screening)
    _entry(index, 4, "Screening > neoplasm > breast > routine mammogram", code="Z12.31", parent=breast, main=screening)
    _entry(index, 5, "Screening > human immunodeficiency virus (HIV)", code="Z11.4", parent=screening, main=screening)
    search.build_index()
    assert "Z12.31" in engine.answer("Screening mammogram").text
    assert "Z11.4" in engine.answer("Screening for HIV").text
    assert case_text.expand("Positive screening test") == "Positive screening test"

"""Reading a query (codes.search.parsing): pure functions, no database; the lexicon is a dict."""

from codes.search.parsing import (
    STOP_WORDS,
    body_part_forms,
    closest_word,
    compounds,
    edit_distance,
    is_default_title,
    looks_like_code,
    named_code_set,
    parse_words,
    phrases,
    title_phrase,
    with_body_part_forms,
    with_laterality_spelt,
    with_placeholder,
    without_words,
    word_key,
    words_of,
)


class FakeLexicon:
    def __init__(self, words=(), synonyms=None):
        self.words = dict.fromkeys(words, 1)
        self.table = synonyms or {}

    def synonyms(self, tokens, *, as_you_type, extra=None):
        found = {}
        for gram, span in (extra or {}).items():
            if gram in self.table:
                found[span] = [(gram, r) for r in self.table[gram]]
        for n in range(1, 5):
            for start in range(len(tokens) - n + 1):
                gram = " ".join(tokens[start : start + n])
                if gram in self.table:
                    found[(start, start + n)] = [(gram, r) for r in self.table[gram]]
        return found

    def known(self, words):
        return {w for w in words if w in self.words}

    def is_prefix(self, fragment):
        return any(w.startswith(fragment) and w != fragment for w in self.words)

    def fragments(self, words):
        return set()

    def correct(self, word):
        return closest_word(word, self.words.items())


def test_words_are_folded_and_stop_words_are_one_set():
    assert words_of("Sjögren's Syndrome") == ["sjogren", "s", "syndrome"]
    assert {"the", "of", "with"} <= STOP_WORDS


def test_codes_are_recognised_and_placeholders_restored():
    assert looks_like_code("E11.9")
    assert looks_like_code("m4856xa")
    assert not looks_like_code("pneumonia")
    assert "M4856XA" in with_placeholder("M4856A")
    assert "T401XXA" in with_placeholder("T401A")


def test_nonessential_words_leave_the_title_phrase():
    assert title_phrase("Essential (primary) hypertension") == "essential hypertension"
    assert title_phrase("Pneumonia, unspecified organism") == "pneumonia organism"


def test_edit_distance_counts_transpositions_once():
    assert edit_distance("pnuemonia", "pneumonia", 2) == 1
    assert edit_distance("diabetis", "diabetes", 2) == 1
    assert edit_distance("abc", "xyz123", 2) == 3  # gave up above the limit


def test_the_longest_synonym_makes_one_slot_with_alternatives():
    lexicon = FakeLexicon(["heart", "attack", "acute"], {"heart attack": ["myocardial infarction"]})
    slots, corrections = parse_words("acute heart attack", lexicon)
    assert [[t.word for t in s.terms] for s in slots] == [["acute"], ["heart", "attack"]]
    assert [t.word for t in slots[1].alternatives[0]] == ["myocardial", "infarction"]
    assert slots[1].labels == ["heart attack → myocardial infarction"]
    assert corrections == {}


def test_misspellings_are_corrected_and_fragments_completed():
    lexicon = FakeLexicon(["pneumonia", "bacterial"])
    slots, corrections = parse_words("pnuemonia bacter", lexicon, as_you_type=True)
    assert corrections == {"pnuemonia": "pneumonia"}
    assert slots[0].terms[0].word == "pneumonia"
    assert slots[1].terms[0].prefix


def test_a_rare_word_alone_that_starts_common_ones_is_read_as_a_fragment():
    class Rare(FakeLexicon):
        def fragments(self, words):
            return words & {"diab"}

    lexicon = Rare(["diab", "diabetes", "foot"])
    assert parse_words("diab", lexicon)[0][0].terms[0].prefix
    assert not parse_words("diab foot", lexicon)[0][0].terms[0].prefix  # a word of a longer query is itself
    assert not parse_words("foot", lexicon)[0][0].terms[0].prefix


def test_a_one_part_synonym_query_reads_as_its_replacement_too():
    lexicon = FakeLexicon([], {"mi": ["myocardial infarction"]})
    slots, _ = parse_words("MI", lexicon)
    assert phrases("MI", slots) == ["mi", "myocardial infarction"]


def test_a_misspelt_word_still_reaches_its_synonym():
    lexicon = FakeLexicon(["broken", "arm"], {"broken arm": ["fracture arm"]})
    slots, corrections = parse_words("brokn arm", lexicon)
    assert corrections == {"brokn": "broken"}
    assert [t.word for t in slots[0].alternatives[0]] == ["fracture", "arm"]
    assert phrases("brokn arm", slots)[0] == "broken arm"


def test_a_key_reads_a_word_in_any_of_its_forms():
    assert word_key("hypertension with chronic kidney disease") == word_key("Disease, kidney, chronic, hypertensive")
    assert word_key("diabetic neuropathy") == word_key("neuropathy diabetes")


def test_an_index_path_and_a_query_share_a_key_in_any_order():
    assert word_key("Ulcer duodenal") == word_key("duodenal ulcers") == "duodenal ulcer"
    assert word_key("Pneumonia, unspecified") == "pneumonia"


def test_a_query_is_read_with_its_synonyms_in_place_too():
    lexicon = FakeLexicon(["breast"], {"ca": ["malignant neoplasm", "cancer"]})
    slots, _ = parse_words("breast ca", lexicon)
    assert phrases("breast ca", slots) == ["breast ca", "breast malignant neoplasm", "breast cancer"]


def test_the_default_code_is_the_unspecified_one_not_the_other_one():
    assert is_default_title("Pneumonia, unspecified organism")
    assert is_default_title("Type 2 diabetes mellitus without complications")
    assert not is_default_title("Type 2 diabetes mellitus with unspecified complications")
    assert not is_default_title("Other specified arthritis, unspecified site")  # NEC, guideline I.A.9


def test_anatomys_nouns_and_adjectives_are_each_others_forms():
    assert "sacral" in body_part_forms("sacrum")
    assert "sacrum" in body_part_forms("sacral")
    assert "pelvic" in body_part_forms("pelvis")
    assert "cervix" in body_part_forms("cervical")
    assert "medius" not in body_part_forms("medial")  # -al is not read back as -us
    lexicon = FakeLexicon(["pressure", "ulcer", "sacrum", "sacral"])
    slots, _ = parse_words("pressure ulcer sacrum", lexicon)
    other = with_body_part_forms(slots, lexicon)
    assert [t.word for t in other[2].alternatives[0]] == ["sacral"]
    assert other[:2] == slots[:2]


def test_a_synonym_keeps_its_stop_words():
    # Without them "can't sleep" is "sleep" (apnea, disorders); with them it is insomnia.
    lexicon = FakeLexicon(["sleep", "blood"], {"can t sleep": ["insomnia"], "throwing up": ["vomiting"]})
    slots, _ = parse_words("can't sleep", lexicon)
    assert [t.word for t in slots[0].alternatives[0]] == ["insomnia"]
    slots, _ = parse_words("throwing up blood", lexicon)
    assert [t.word for t in slots[0].alternatives[0]] == ["vomiting"]
    assert [t.word for t in slots[1].terms] == ["blood"]


def test_two_words_the_texts_write_as_one_are_read_as_it_too():
    lexicon = FakeLexicon(["postnasal", "drip", "post", "nasal"])
    slots, _ = parse_words("post nasal drip", lexicon)
    assert [t.word for t in slots[0].terms] == ["post", "nasal"]
    assert [[t.word for t in a] for a in slots[0].alternatives] == [["postnasal"]]
    assert slots[0].labels == ["post nasal → postnasal"]
    assert len(parse_words("nasal drip", lexicon)[0]) == 2  # "nasaldrip" is no word
    assert compounds(["post", "nasal"], {}, as_you_type=True) == {}  # not the word being typed


def test_a_code_set_named_beside_other_words_is_read_off_the_query():
    assert named_code_set("icd 10 code for hypertension") == ("icd-10-cm", "hypertension")
    assert named_code_set("ICD-10-CM Diabetes") == ("icd-10-cm", "Diabetes")
    assert named_code_set("sepsis drg") == ("ms-drg", "sepsis")
    assert named_code_set("MS-DRG heart failure") == ("ms-drg", "heart failure")
    assert named_code_set("hcpcs level ii code for walker") == ("hcpcs", "walker")
    assert named_code_set("cpt knee arthroscopy") == ("cpt", "knee arthroscopy")
    assert named_code_set("icd-10-pcs appendectomy") == ("icd-10-pcs", "appendectomy")
    assert named_code_set("pcs code for appendectomy") == ("icd-10-pcs", "appendectomy")
    # Also something else, or nothing but the name: no code set.
    assert named_code_set("icd placement") == (None, "icd placement")
    assert named_code_set("pcs after a fall") == (None, "pcs after a fall")
    assert named_code_set("cpt") == (None, "cpt")
    assert named_code_set("hydrocephalus") == (None, "hydrocephalus")


def test_laterality_is_spelt_out_beside_other_words_only():
    assert with_laterality_spelt("rt knee pain") == "right knee pain"
    assert with_laterality_spelt("pain LT shoulder") == "pain left shoulder"
    assert with_laterality_spelt("b/l knee oa") == "bilateral knee oa"
    assert with_laterality_spelt("bilat cataracts") == "bilateral cataracts"
    assert with_laterality_spelt("lt") == "lt"  # alone: the modifier LT
    assert with_laterality_spelt("salt water") == "salt water"


def test_what_a_query_says_the_code_is_without_is_read_off_it():
    assert without_words("asthma w/o exacerbation") == ("asthma", ["exacerbation"])
    assert without_words("type 2 diabetes without any complications") == ("type 2 diabetes", ["complications"])
    assert without_words("migraine without aura without status") == ("migraine", ["aura", "status"])
    # The MS-DRG titles' own words, and a query of nothing else, are left as they are.
    assert without_words("heart failure without cc/mcc") == ("heart failure without cc/mcc", [])
    assert without_words("without contrast") == ("without contrast", [])

"""Case to codes, step 1: reading a described case into conditions (abbreviations expanded,
negated and uncertain ones marked, the "with" presumption applied) and weighing a code title
against the words the case documents (casepilot/tools/case.py has the method)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from codes.models import IndexTerm

ABBREVIATIONS = {
    "ckd": "chronic kidney disease", "esrd": "end stage renal disease", "aki": "acute kidney injury",
    "dm": "diabetes mellitus", "t2dm": "type 2 diabetes mellitus", "t1dm": "type 1 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus", "htn": "hypertension", "uti": "urinary tract infection",
    "copd": "chronic obstructive pulmonary disease", "gerd": "gastro-esophageal reflux disease",
    "bph": "benign prostatic hyperplasia", "chf": "congestive heart failure", "mi": "myocardial infarction",
    "nstemi": "non-st elevation nstemi myocardial infarction", "stemi": "st elevation stemi myocardial infarction",
    "afib": "atrial fibrillation", "osa": "obstructive sleep apnea", "rsv": "respiratory syncytial virus",
    "mrsa": "methicillin resistant staphylococcus aureus", "mssa": "methicillin susceptible staphylococcus aureus",
    "e coli": "escherichia coli", "bmi": "body mass index", "dka": "diabetic ketoacidosis",
    "mdd": "major depressive disorder", "gad": "generalized anxiety disorder", "sob": "shortness of breath",
    "cad": "coronary artery disease", "dvt": "deep vein thrombosis", "pe": "pulmonary embolism",
    "lll": "left lower lobe", "rll": "right lower lobe", "hf": "heart failure", "oa": "osteoarthritis",
    "ra": "rheumatoid arthritis", "cva": "cerebral infarction", "tia": "transient ischemic attack",
    "dx": "", "hx": "history of", "h/o": "history of", "pt": "patient", "w/": "with", "w/o": "without", "s/p": "status post", "exam": "examination",
    "strep": "streptococcal", "lt": "left", "rt": "right", "bilat": "bilateral", "yo": "year old",
}  # fmt: skip
# Phrases that carry no condition of their own.
FILLER = re.compile(
    r"\b(what's|whats|what|which|is|are|the|a|an|icd-?10(-?cm)?|codes?|coding|diagnos[ie]s|for|please|patient|pt|"
    r"presents?|presenting|with a|complains? of|c/o|has|had|have|history and|seen|visit|encounter for the|"
    r"how do i|how should i|can i|do i|should i|this|these|them|it|code it|seen in|office|clinic|today|"
    r"external cause code|assign|report|sequenc\w*|which code goes first|which goes first|goes first|"
    r"which code first|injury or external cause|how|code|codes and order|in what order|order)\b|[?!]",
    re.I,
)
NEGATION = re.compile(
    r"^\s*(?:patient\s+|pt\s+)?(no|not|without|free of|absence of)\b|\b(denies|denied|negative for|ruled out|was excluded)\b",
    re.I,
)
# Fragments that only qualify the condition before them ("initial encounter", "uncomplicated").
QUALIFIER_WORDS = {
    "initial", "subsequent", "sequela", "closed", "open", "right", "left", "bilateral", "uncomplicated", "adult", "pediatric", "cigarettes", "cigars", "chewing", "diet", "controlled",
    "acute", "chronic", "severe", "mild", "moderate", "persistent", "intermittent", "recurrent", "single", "episode",
    "ear", "eye", "side", "sided", "primary", "upper", "lower", "limb", "routine", "healing", "stage", "intractable", "encounter", "female", "male",
}  # fmt: skip

# Who the patient is ("72-year-old woman with"): the age and sex codes take from the claim, not a condition.
DEMOGRAPHICS = re.compile(
    r"\b\d{1,3}[- ]?(?:years?|yrs?|y)[- ]?(?:old|o)\b(?:\s+(?:male|female|man|woman|boy|girl|patient))?"
    r"(?:\s+(?:with|who has|presents with|presenting with))?\s*",
    re.I,
)
UNCERTAIN = re.compile(
    r"\b(probable|probably|suspected|suspect|possible|possibly|likely|questionable|rule out|r/o|"
    r"presumed|consistent with|compatible with|test pending)\b",
    re.I,
)
INPATIENT = re.compile(r"\b(inpatient|admitted|admission|discharge[ds]?|hospitali[sz]ed)\b", re.I)
SPLIT = re.compile(
    r"[,;:]\s+|\.\s+|\s+and\s+|\s+(?=on (?:long[- ]term|oral|insulin|dialysis)\b)|\s+in a patient with\s+|"
    r"\s+but\s+|(?<!\bfall)(?<!\bfell)(?<!\bfalling)(?<!\bfalls)\s+from (?:a |an )?(?:primary )?|\s+(?=secondary malignant)|(?<=therapy)\s+for\s+",
    re.I,
)
STOP = {
    "of", "the", "and", "or", "to", "in", "on", "at", "by", "as", "a", "an", "with", "without", "due", "other",
    "unspecified", "specified", "not", "elsewhere", "classified", "type", "site", "nos", "current", "use",
    "long", "term", "encounter", "daily", "who", "uses", "takes", "from", "for",
    "his", "her", "their", "is", "are", "was", "which", "that", "mellitus", "disease", "condition", "all",
}  # fmt: skip
LATERALITY = {"right", "left", "bilateral", "ear", "eye", "side"}
# Words that only link an Index entry's others ("encounter for", "fracture of").
LINK_WORDS = {"of", "the", "and", "or", "to", "in", "on", "at", "by", "as", "a", "an", "for", "with", "due", "nec"}
# Words a record writes between a condition and its detail that no Index path needs.
CONNECTORS = {"by", "the", "a", "an"}
# Title words that add a detail a case may not document (penalised when the case does not say them).
QUALIFIERS = {"right", "left", "bilateral", "acute", "chronic", "recurrent", "intractable", "with", "stage"}
# The "with" presumption: a condition the classification links to diabetes or to hypertension.
DIABETES = re.compile(r"\b(diabet\w*|dm)\b", re.I)
DIABETES_WITH = re.compile(
    r"kidney|nephropath|renal|neuropath|polyneuropath|retinopath|gastroparesis|foot ulcer|ulcer|"
    r"angiopath|peripheral vascular|hyperglycemi|hypoglycemi|ketoacidosis|cataract|arthropathy|dermatitis|"
    r"periodontal|hyperosmolar|macular",
    re.I,
)
HYPERTENSION = re.compile(r"\bhypertension\b|\bhypertensive\b", re.I)
HEART = re.compile(r"heart failure|\bchf\b|heart disease|cardiomyopathy", re.I)
KIDNEY = re.compile(r"chronic kidney disease|end stage renal|\bckd\b|\besrd\b", re.I)


@dataclass
class Condition:
    text: str  # as documented, abbreviations expanded
    negated: bool = False
    uncertain: bool = False
    # Its words that the code of the condition it came from left out ("urinary tract infection" of
    # "E. coli UTI" after A41.51), looked up when the whole finds no code of its own.
    rest: str = ""
    # The category of that code: a code of the same category is another choice for the same
    # condition ("exam" after "exam with abnormal findings"), not a second code.
    category: str = ""


# Lay and clinical wordings the code titles say otherwise (the Alphabetic Index's "see" terms).
# The sites after "to": words up to the end of the phrase, joined by "and".
SITES = r"(?P<sites>(?:the )?[\w' -]+?(?: and (?:the )?[\w' -]+?)*)(?=$|[,;.]| with | due to )"
REWRITES = [
    (r"\be\.\s?coli\b", "e coli"),
    (r"\b(\w+) cancer metastatic to (?:the )?(\w+)", r"\1 cancer, secondary malignant neoplasm of \2"),
    # The sites a cancer spread to are secondary neoplasms, each its own condition (Metastasis,
    # metastatic > cancer > to specified site, see Neoplasm, secondary, by site): "lung cancer with
    # metastases to the brain and bone", "metastatic prostate cancer to bone".
    (
        r"(?:\s*\bwith)?\s*\b(?:metastas[ie]s|mets|metastatic (?:disease|spread)) (?:to|in|into|involving) " + SITES,
        lambda match: _secondary(match.group("sites")),
    ),
    (
        r"\bmetastatic (?:(?P<primary>\w+) )?(?P<noun>cancer|carcinoma|malignancy|malignant neoplasm|melanoma|sarcoma) "
        r"(?:to|in|into|involving) " + SITES,
        lambda match: _primary(match) + _secondary(match.group("sites")),
    ),
    (r"\b(\w+) metastas[ie]s\b", r"secondary malignant neoplasm of \1"),
    (r"\bmetastatic to (?:the )?(\w+)", r", secondary malignant neoplasm of \1"),
    (r"\bcancer\b", "malignant neoplasm"),
    # The Index and the Tabular say an acute exacerbation of a chronic condition "acute on chronic"
    # (Failure > heart > systolic > acute > on chronic), but of the airway diseases "with (acute)
    # exacerbation" (J44.1 COPD, J45.-1 asthma, J47.1 bronchiectasis): those keep their words.
    (
        r"\bacute exacerbation of (?:the |a |an |his |her )?chronic\b(?! (?:obstructive|asthma|bronchiectasis|bronchitis))",
        "acute on chronic",
    ),
    # The Tabular writes these negations as a prefix ("Influenza due to unidentified influenza virus"):
    # "virus not identified" must not read as "identified" ("not elsewhere classified" stays).
    (r"\bnot (identified|specified)\b", r"un\1"),
    # The External Cause Index's main term is Fall, falling; a record says the patient "fell".
    (r"\bfell\b", "fall"),
    # Dependence > on > renal dialysis (hemodialysis) (peritoneal): either is the dialysis a record says.
    (r"\bon (?:hemodialysis|peritoneal dialysis)\b", "on dialysis"),
    # A manifestation "in" a disease: the "in diseases classified elsewhere" code, and the disease.
    (r"^(\w+) in (?!a |an |the )([\w' ]+ disease)\b", lambda match: _in_disease(match)),
    # The site stays: "both knees" is bilateral knee osteoarthritis, not bilateral of an unknown site.
    (r"\bboth (eyes|ears|sides)\b", "bilateral"),
    (r"\bboth (knees|hips|lungs|shoulders|wrists|ankles|hands|feet)\b", r"bilateral \1"),
    (
        r"\b(admission|admitted|encounter) for (?:antineoplastic )?chemo(?:therapy)?\b",
        "encounter for antineoplastic chemotherapy",
    ),
    (
        r"\b(admission|admitted|encounter) for (?:antineoplastic )?(?:radiation therapy|radiotherapy|radiation)\b",
        "encounter for antineoplastic radiation therapy",
    ),
    (r"\b(admission|admitted) for\b", "encounter for"),
    # A screening test the record names as the visit's reason is an encounter for it (the Tabular's
    # "Encounter for screening mammogram ...", Z12.31); "screening for" a condition reads as it is.
    (r"(?:^|(?<=[,;.]\s))(?:routine\s+)?screening\b(?!\s+for\b)", "encounter for screening"),
]


def _primary(match: re.Match) -> str:
    """The primary a "metastatic ... to" names: its site ("metastatic prostate cancer": prostate
    cancer), or a morphology with a code of its own ("metastatic melanoma": melanoma), else none."""
    primary, noun = match.group("primary"), match.group("noun").lower()
    if primary:
        return f"{primary} {noun if noun in ('melanoma', 'sarcoma') else 'cancer'}"
    return noun if noun in ("melanoma", "sarcoma") else ""


def _secondary(sites: str) -> str:
    """ "the brain and bone": ", secondary malignant neoplasm of brain, secondary malignant neoplasm of bone"."""
    parts = [re.sub(r"^the\s+", "", part.strip()) for part in re.split(r"\s+and\s+|,\s*", sites)]
    return "".join(f", secondary malignant neoplasm of {part}" for part in parts if part)


def _in_disease(match: re.Match) -> str:
    """ "Anemia in end stage renal disease": the Index's own "in" entry when it has one (Anemia >
    in > end stage renal disease D63.1), else the manifestation "in diseases classified
    elsewhere" and the disease as its own condition."""
    manifestation, disease = match.groups()
    below_in = IndexTerm.objects.lookup(f"{manifestation} in {disease}").filter(path__icontains=" > in > ")
    if below_in.exists():
        return match.group(0)
    return f"{manifestation} in other diseases classified elsewhere, {disease}"


# Sites as records write them, and as the Index's subterms name them: the Index reads the colon
# as the large intestine (Diverticulum > colon, see Diverticulosis, intestine, large) and has
# Fracture > clavicle, not > collarbone (and Ingrowing, not ingrown). Read only when the code found
# for the words as written leaves the site out (case.code_case): Polyp > colon is an entry of its own.
INDEX_SITES = {
    "sigmoid colon": "large intestine", "ascending colon": "large intestine",
    "descending colon": "large intestine", "transverse colon": "large intestine", "colon": "large intestine",
    "large bowel": "large intestine", "small bowel": "small intestine", "bowel": "intestine",
    "collarbone": "clavicle", "collar bone": "clavicle", "kneecap": "patella", "knee cap": "patella",
    "shinbone": "tibia", "shin bone": "tibia", "thighbone": "femur", "thigh bone": "femur",
    "breastbone": "sternum", "breast bone": "sternum", "tailbone": "coccyx", "tail bone": "coccyx",
    "heel bone": "calcaneus", "jawbone": "mandible", "jaw bone": "mandible",
    "toenail": "nail of toe", "fingernail": "nail of finger", "ingrown": "ingrowing",
    "womb": "uterus", "voice box": "larynx", "windpipe": "trachea", "gullet": "esophagus",
    "eardrum": "tympanum", "ear drum": "tympanum",
}  # fmt: skip
_INDEX_SITE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, INDEX_SITES), key=len, reverse=True)) + r")\b", re.I)


def index_sites(text: str) -> list[tuple[str, str]]:
    """The sites a condition writes otherwise than the Index: (as written, as the Index names it)."""
    return [(match.group(1), INDEX_SITES[match.group(1).lower()]) for match in _INDEX_SITE.finditer(text)]


def as_index_sites(text: str) -> str:
    """The condition with its sites named as the Index names them (INDEX_SITES)."""
    return _INDEX_SITE.sub(lambda match: INDEX_SITES[match.group(1).lower()], text)


def expand(text: str) -> str:
    for pattern, replacement in REWRITES:
        text = re.sub(pattern, replacement, text, flags=re.I)
    text = re.sub(r"\bstage\s+(\d)\s*([ab])\b", r"stage \1\2", text, flags=re.I)

    def repl(match: re.Match) -> str:
        return ABBREVIATIONS.get(match.group(0).lower(), match.group(0))

    return re.sub(
        r"(?<![\w/])(" + "|".join(re.escape(k) for k in ABBREVIATIONS) + r")(?![\w/])", repl, text, flags=re.I
    )


# Cached: a case weighs hundreds of titles whose words repeat (400,000 calls for five cases): 279 -> 240 ms CPU a case.
@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    word = word.lower().replace("'s", "")
    # An organism's Latin epithet is not the disease it causes: pneumoniae is not pneumonia.
    if len(word) > 5 and word.endswith("ae"):
        return word[:7] + "ae"
    for suffix in ("ies", "es", "s", "ic", "al", "ia"):
        if len(word) > 5 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    else:
        # A short plural is its singular too ("knees", "lungs"), not "-us" and "-is" words (sinus, iris).
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    return word[:7]


# Endings that make an adjective or a plural of the word an Index entry writes ("pleural" of
# "pleura", "peritoneal" of "peritonei", "axillary" of "axilla", "knees" of "knee").
ENDINGS = ("ary", "eal", "ial", "ian", "ine", "ous", "al", "ar", "ic", "um", "us", "ae", "ei", "es", "a", "s", "y", "i", "e")  # fmt: skip


def alternatives(level: str) -> list[str]:
    """The forms an Index level gives, split at its commas when the part after a comma is another
    form of the first word ("pleura, pleurisy, pleuritic"; "Diabetes, diabetic"), else one phrase
    whose words all count ("Fracture, pathological" is a pathological fracture; "semilunar bone, wrist")."""
    parts = [p.strip() for p in level.split(",") if p.strip()]
    if not parts:
        return []
    first = (parts[0].split() or [""])[0].lower()
    forms = [parts[0]]
    for part in parts[1:]:
        word = part.split()[0].lower()
        if word[:4] == first[:4]:
            forms.append(part)
        else:
            forms[-1] = f"{forms[-1]} {part}"
    return forms


def root(word: str) -> str:
    """A word without its adjective or plural endings (up to three, keeping four letters), so the
    forms the Index and a record write of one word meet: pleura, pleural: pleur."""
    word = word.lower()
    for _ in range(3):
        ending = next((e for e in ENDINGS if word.endswith(e) and len(word) - len(e) >= 4), "")
        if not ending:
            break
        word = word[: -len(ending)]
    return word


# A prefix and its word are one word, written with a hyphen or not ("pre-eclampsia", "preeclampsia").
HYPHENATED = re.compile(r"\b(pre|post|non|anti|intra|extra|sub|peri|para|hyper|hypo)-(?=[a-z]{4})")


def words_of(text: str) -> set[str]:
    text = HYPHENATED.sub(r"\1", text.lower())
    return {
        # One letter counts: hepatitis C, vitamin D, group B ("a" is a stop word).
        stem(w)
        for w in re.findall(r"[a-z0-9]+(?:'s)?", text)
        if w not in STOP
    }


# Weeks of gestation as records write them ("at 32 weeks", "32 weeks pregnant", "32 wks gestation",
# "G1P0, 32 weeks, ..."), not any weeks ("cough for 3 weeks").
GESTATION_WEEKS = re.compile(
    r"\b(?:at|of)\s+(\d{1,2})\s*(?:weeks?|wks?)\b"
    r"|\b(\d{1,2})\s*(?:weeks?|wks?)'?\s*(?:pregnant|gestation|ega|ga)\b"
    r"|(?:^|[,;]\s*)(\d{1,2})\s*(?:weeks?|wks?)\s*(?=$|[,;.])",
    re.I,
)


def trimester_of(text: str) -> str:
    """The trimester of the weeks of gestation a case states, when it names none: the first is
    under 14 weeks, the second 14 to under 28, the third from 28 weeks (guideline I.C.15.a.3)."""
    match = GESTATION_WEEKS.search(text)
    if match is None or re.search(r"\btrimester\b", text, re.I):
        return ""
    weeks = int(next(group for group in match.groups() if group))
    return "first trimester" if weeks < 14 else "second trimester" if weeks < 28 else "third trimester"


def read_case(text: str) -> list[Condition]:
    """The conditions of a case, in the order documented, each marked negated or uncertain."""
    text = DEMOGRAPHICS.sub("", expand(" ".join(text.split())))
    conditions: list[Condition] = []
    for part in SPLIT.split(text):
        negated = bool(NEGATION.search(part))
        uncertain = bool(UNCERTAIN.search(part))
        part = UNCERTAIN.sub(" ", NEGATION.sub(" ", part))
        part = " ".join(FILLER.sub(" ", part).split()).strip(" :-")
        words = words_of(part)
        if not part or not words:
            continue
        if (
            conditions
            and not negated
            and not conditions[-1].negated
            # (and the words of that condition again: "initial encounter for closed fracture")
            and words
            <= {stem(w) for w in QUALIFIER_WORDS}
            | {w for w in words if w[:1].isdigit()}
            | words_of(conditions[-1].text)
            and not re.search(r"body mass", part)
        ):
            conditions[-1].text += f" {part}"  # "initial encounter" qualifies the condition before it
            continue
        conditions.append(Condition(part, negated=negated, uncertain=uncertain))
    return conditions


def combine(conditions: list[Condition]) -> list[Condition]:
    """The "with" presumption: diabetes and hypertension take the conditions linked to them."""
    kept = [c for c in conditions if not c.negated and not c.uncertain]
    out = list(conditions)
    diabetes = next((c for c in kept if DIABETES.search(c.text) and " with " not in c.text), None)
    if diabetes:
        for other in kept:
            if other is not diabetes and DIABETES_WITH.search(other.text) and not DIABETES.search(other.text):
                diabetes.text = f"{diabetes.text} with diabetic {other.text}"
                break
    # Not a condition already worded as the heart disease ("hypertensive heart disease with heart
    # failure"), unless it is "hypertension with" or "and" the heart disease.
    hypertension = next(
        (
            c
            for c in kept
            if HYPERTENSION.search(c.text)
            and (not HEART.search(c.text + " x") or re.search(r"\bhypertension (?:with|and)\b", c.text, re.I))
        ),
        None,
    )
    # "Hypertension with CKD stage 3a", "Hypertension with heart failure": the kidney or heart disease
    # written in the same phrase is its own condition too (an N18 stage, an I50 type, beside the
    # combination code).
    if (
        hypertension
        and (KIDNEY.search(hypertension.text) or HEART.search(hypertension.text))
        and not re.search(r"hypertensive", hypertension.text, re.I)
    ):
        rest = re.sub(r"^.*?\bhypertension\b\s*(?:with|and|due to)?\s*", "", hypertension.text, flags=re.I)
        if rest and (KIDNEY.search(rest) or HEART.search(rest)):
            hypertension.text = "hypertension"
            extra = Condition(rest)
            out.insert(out.index(hypertension) + 1, extra)
            kept.append(extra)
    if hypertension and not KIDNEY.search(hypertension.text):
        heart = any(HEART.search(c.text) for c in kept)
        kidney = next((c for c in kept if KIDNEY.search(c.text)), None)
        # I12 and I13 split CKD in two: stage 5 or end stage renal disease, and stages 1-4 or unspecified.
        late = kidney is not None and re.search(r"stage 5\b|end stage renal disease", kidney.text, re.I)
        stages = (
            "stage 5 chronic kidney disease, or end stage renal disease"
            if late
            else "stage 1 through stage 4 chronic kidney disease, or unspecified chronic kidney disease"
        )
        if heart and kidney:
            hypertension.text = f"hypertensive heart and chronic kidney disease with heart failure and {stages}"
        elif kidney:
            hypertension.text = f"hypertensive chronic kidney disease with {stages}"
        elif heart:
            hypertension.text = "hypertensive heart disease with heart failure"
    return out


SECONDARY = "seconda"  # words_of("secondary")


NUMBER_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s+or\s+(greater|more|less)|less than (\d+(?:\.\d+)?)"
)


def title_ranges(title: str) -> list[tuple[float, float, set[str]]]:
    """The number ranges a title gives, each with the numbers that write its bounds."""
    found = []
    for match in NUMBER_RANGE.finditer(title.lower()):
        low, high, above, way, below = match.groups()
        if low:
            bounds = (float(low), float(high))
        elif above:
            bounds = (float(above), math.inf) if way in ("greater", "more") else (-math.inf, float(above))
        else:
            bounds = (-math.inf, float(below))
        found.append((*bounds, set(re.findall(r"\d+", match.group(0)))))
    return found


def title_score(case_words: set[str], title: str, numbers: set[str]) -> float:
    # Words in parentheses are nonessential modifiers (convention I.A.7): they neither match nor
    # cost ("Unspecified systolic (congestive) heart failure" is not the code of congestive heart failure).
    title = re.sub(r"\([^)]*\)", " ", title)
    title_words = words_of(title)
    matched = case_words & title_words
    # "without X" in a title is the default when the record does not document X: not an extra detail.
    said = words_of(re.split(r"\bwithout\b|\bnot\b", title, maxsplit=1)[0])
    extra = {w for w in said - case_words if w in QUALIFIERS or w.isdigit() or len(w) > 3}
    if "male" not in case_words:
        extra.discard("female")  # a breast is female unless the record says male (see below)
    title_numbers = set(re.findall(r"\b\d+[ab]?\b", title.lower()))
    # A range in the title ("BMI 40.0-44.9", "70 or greater") that holds a number the case gives
    # (BMI 42): the number is said, the range's bounds are not details the case lacks.
    ranges = title_ranges(title)
    inside = {n for n in numbers if n.isdigit() and any(low <= int(n) <= high for low, high, _ in ranges)}
    if inside:
        title_numbers -= set().union(*(bounds for *_, bounds in ranges))
    score = (
        len(matched)
        + len(inside)
        - 0.4 * len(extra)
        - 1.5 * len(numbers - title_numbers - inside)
        - 1.0 * len(title_numbers - numbers)
    )
    lowered = title.lower()
    if "unspecified" in lowered:
        score += 0.2  # the general code when the record says no more
    # The Index makes "male" the subterm (Paget's disease > breast C50.01-, > male C50.02-): a
    # breast code for a male patient needs the record to say so; female is the default.
    if "male" in title_words and "male" not in case_words:
        score -= 0.5
    if lowered.startswith("other") and "other" not in case_words:
        score -= 0.5  # "other specified" needs a specified type the record names
    # A neoplasm is primary unless the record says secondary (metastatic); an "NOS" title ("not
    # specified as primary or secondary") is for records that say neither.
    if SECONDARY in title_words and SECONDARY not in case_words:
        score -= 1.5
    nos = re.search(r"not specified as (\w+) or (\w+)", lowered)
    if nos and words_of(nos.group(0)) & case_words:
        score -= 2
    return score

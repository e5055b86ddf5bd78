"""Measure the PHI redactor (casepilot/phi.py) on synthetic case notes with planted PHI.

    python bench/phi.py            # measure on tests/casepilot/phi_notes.jsonl, dev and held-out apart
    python bench/phi.py --write    # regenerate that file (fixed seeds) from the templates below

Each note is written from a template of the kind coders paste (office notes, op notes, ED notes,
billing questions, emails), with invented identifiers planted in slots; the file records each
planted span (kind, start, end). No real patient is in it: names are drawn at random from lists
of common names. Two thirds of the notes are the "dev" split, the rules are tuned on it; the
"held-out" third is drawn with another seed and from other name lists (HELD_OUT_FIRST/LAST,
never looked at while tuning), so its figures show how the rules do on names they were not
tuned on. Codes (ICD-10-CM, CPT, HCPCS, ICD-10-PCS) outside planted PHI must never be redacted. Reported: recall of planted PHI per kind (a span counts as found
when every character of it is redacted) and the words wrongly redacted (words outside any planted
span that were replaced), with the clinical words the redactor must keep checked separately.
Some templates carry PHI without a cue ("seen with her husband Tom") on purpose: the figures show
what the rules miss, not only what they catch.
"""

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOTES = ROOT / "tests" / "casepilot" / "phi_notes.jsonl"


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "John Maria Robert Linda James Patricia Michael Barbara William Elizabeth David Jennifer Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Donald Ashley Steven Kimberly Paul Donna Andrew Emily Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda Stephen Pamela Larry Emma Justin Nicole Scott Helen Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Frank Carolyn Patrick Janet Raymond Catherine Jack Maria Dennis Heather Jerry Diane Tyler Ruth Aaron Julie Jose Olivia Adam Joyce Nathan Virginia Henry Victoria Douglas Kelly Zachary Lauren Peter Christina Kyle Joan Ethan Evelyn Walter Judith Noah Megan Jeremy Andrea Christian Cheryl Keith Hannah Roger Jacqueline Terry Martha Gerald Gloria Harold Teresa Sean Ann Austin Sara Carl Madison Arthur Frances Lawrence Kathryn Dylan Janice Jesse Jean Jordan Abigail Bryan Alice Billy Joe Bruce Judy Gabriel Sophia Logan Grace Albert Denise Willie Amber Alan Doris Juan Marilyn Wayne Danielle Elijah Beverly Randy Isabella Roy Theresa Vincent Diana Ralph Natalie Eugene Brittany Russell Charlotte Bobby Marie Mason Kayla Philip Alexis Louis Lori"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez O'Brien McCarthy Nowak Kowalski Okafor Yamamoto Schmidt Dubois Rossi Haddad"
)
# Names for the held-out notes only: none of them is in FIRST or LAST.
HELD_OUT_FIRST = _words(
    "Wei Priya Mateo Siobhan Oluwaseun Dmitri Ingrid Tomasz Fatima Kenji Anh Yusuf Camila Rhys Aaliyah Bjorn Leilani Tariq Esperanza Hiroshi Nadia Declan Amara Luca Freya Ravi Marisol Emeka Astrid Joaquin Soo-jin Imani Cormac Yelena Dante Keanu Ximena Arjun Zainab Malik Greta Ezra Noor Callum Thandiwe Bodhi Paloma Idris Maeve Santiago"
)
HELD_OUT_LAST = _words(
    "Zhang Chen Okonkwo Murphy Fitzgerald Nakamura Petrov Lindqvist Abernathy Castellanos Quispe Oyelaran Kaczmarek Vandenberg Delacroix Ferreira Haugen Iyer Jablonski Kowalczyk Laine MacLeod Nakashima O'Sullivan Papadopoulos Quinteros Rahman Sato Takahashi Underwood Villanueva Whitfield Xiong Yilmaz Zelenko Abbasi Bui Calloway Dunleavy Esposito Gallagher Hoang Ivanova Juarez Kapoor Lozano Mbeki Novak Ostrowski"
)
STREETS = _words(
    "Oak Maple Cedar Pine Elm Washington Lake Hill Park Sunset Ridge Meadow Highland Church River Spring Mill Forest Willow Chestnut"
)
SUFFIX = _words("Street St Avenue Ave Road Rd Drive Dr Lane Ln Court Ct Boulevard Blvd Way")
CITIES = [
    ("Springfield", "IL"),
    ("Madison", "WI"),
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Tucson", "AZ"),
    ("Salem", "OR"),
    ("Dayton", "OH"),
    ("Albany", "NY"),
    ("Raleigh", "NC"),
    ("Boise", "ID"),
]
MONTHS = _words("January February March April May June July August September October November December")

# Clinical content the redactor must keep: codes, doses, labs, eponyms, dates of service.
CLINICAL = [
    "Dx: E11.65 type 2 diabetes with hyperglycemia; I10. Metformin 500 mg BID, lisinopril 10 mg daily.",
    "A1c 8.2%, creatinine 1.1 mg/dL, eGFR 72. Billed 99214-25 and 11102.",
    "History of Parkinson's disease (G20.A1) on carbidopa-levodopa 25/100 mg TID.",
    "Crohn's disease of small intestine (K50.00), infliximab 5 mg/kg q8 weeks, J1745 x 40 units.",
    "Left knee arthroscopy with partial medial meniscectomy, CPT 29881, modifier LT.",
    "Chest pain, troponin 0.02 ng/mL, ECG normal sinus rhythm, 93000. Dx R07.9.",
    "Laceration repair 3.5 cm scalp, 12002, tetanus toxoid 90714.",
    "Hashimoto thyroiditis E06.3, TSH 6.8 mIU/L, levothyroxine 50 mcg daily.",
    "Bell's palsy right side (G51.0), prednisone 60 mg x 5 days.",
    "COPD exacerbation J44.1, albuterol 2.5 mg nebulized, SpO2 91% on room air.",
    "Colonoscopy with biopsy 45380, polyp 6 mm sigmoid, Dx K63.5, Z12.11.",
    "Hodgkin lymphoma in remission (C81.90), Apgar not applicable, ECOG 1.",
    "Dexamethasone 4 mg IV (J1100 x 4 units), ondansetron 4 mg (J2405 x 1).",
    "Foley catheter placed, 51702; UA positive for nitrites, N39.0.",
    "Follow-up of Barrett's esophagus K22.70, EGD 43239 scheduled.",
]


# Sentences that look like PHI to simple rules but are not: each note gets one, and every word
# the redactor removes from them counts as wrongly redacted.
DISTRACTORS = [
    "Patient Education given on diet and exercise.",
    "Contact: Radiology for the final read.",
    "Follow up with Cardiology in 2 weeks; call 911 if chest pain returns.",
    "Dr. Parkinson reviewed the films; Crohn disease activity index 220.",
    "Account reviewed by Billing; policy per NCCI chapter 11.",
    "Seen at 1400 hours in Room 12, Bed B.",
    "Medicare Part B, ABN signed, GA modifier appended.",
    "Mr. Yuk sticker education for the toddler's family.",
    "Patient Portal message answered by Nurse Triage.",
    "Referred to Mayo Clinic; Glasgow Coma Scale 15.",
    "Pt ID band checked x2 before the transfusion of 2 units PRBC.",
    "Born at 38 weeks by C-section, birth weight 3.2 kg (Z38.01).",
    "Wife reports he snores; husband denies daytime sleepiness.",
    "Signed consent on file; Sincerely appreciated by the team.",
    "Lives at home with spouse; ambulates 100 ft with a walker.",
]


class Note:
    def __init__(self) -> None:
        self.text = ""
        self.spans: list[dict] = []

    def add(self, text: str) -> None:
        self.text += text

    def phi(self, kind: str, value: str) -> None:
        self.spans.append({"kind": kind, "start": len(self.text), "end": len(self.text) + len(value), "text": value})
        self.text += value


def _dob(rng: random.Random) -> str:
    y, m, d = rng.randint(1930, 2005), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{MONTHS[m - 1]} {d}, {y}"])


def _dos(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2024"


def _phone(rng: random.Random) -> str:
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    return rng.choice([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}"])


def _address(rng: random.Random) -> str:
    city, state = rng.choice(CITIES)
    street = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIX)}"
    if rng.random() < 0.3:
        street += f", Apt {rng.randint(1, 40)}"
    return f"{street}, {city}, {state} {rng.randint(10000, 99999)}"


def build(rng: random.Random, first_names: list[str] = FIRST, last_names: list[str] = LAST) -> Note:
    first, last = rng.choice(first_names), rng.choice(last_names)
    full = f"{first} {last}"
    note = Note()
    style = rng.randrange(15)
    clinical = rng.sample(CLINICAL, 2)
    clinical[1] = f"{clinical[1]} {rng.choice(DISTRACTORS)}"
    if style == 0:
        note.add("Patient: ")
        note.phi("name", full)
        note.add("\nDOB: ")
        note.phi("dob", _dob(rng))
        note.add("\nMRN: ")
        note.phi("mrn", f"{rng.randint(100000, 99999999)}")
        note.add(f"\nDOS: {_dos(rng)}\n{clinical[0]}\n{clinical[1]}\n")
    elif style == 1:
        title = rng.choice(["Mr.", "Mrs.", "Ms."])
        note.add(f"{title} ")
        note.phi("name", last)
        note.add(f" is a 67 y/o seen on {_dos(rng)}. {clinical[0]} ")
        note.phi("name", last)
        note.add(" reports improvement. Home phone ")
        note.phi("phone", _phone(rng))
        note.add(f". {clinical[1]}\n")
    elif style == 2:
        note.add("pt name ")
        note.phi("name", f"{last}, {first}")
        note.add("  acct # ")
        note.phi("account", f"{rng.randint(1000000, 999999999)}")
        note.add(f"\n{clinical[0]}\nQuestion: can we bill {rng.choice(['99213', '99214', '99215'])} with 25 here?\n")
    elif style == 3:
        note.add(f"ED note {_dos(rng)}. {clinical[0]}\nContact: ")
        note.phi("name", full)
        note.add(" (daughter), cell ")
        note.phi("phone", _phone(rng))
        note.add(". Lives at ")
        note.phi("address", _address(rng))
        note.add(f".\n{clinical[1]}\n")
    elif style == 4:
        note.add("Hi team,\nCoding question on this one: ")
        note.add(f"{clinical[0]} {clinical[1]}\nPatient ")
        note.phi("name", full)
        note.add(", SSN ")
        note.phi("ssn", f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}")
        note.add(", date of birth ")
        note.phi("dob", _dob(rng))
        note.add(".\nThanks,\n")
        note.phi("name", f"{rng.choice(FIRST)}")
        note.add("\n")
    elif style == 5:
        note.add(f"OPERATIVE NOTE\nDate of surgery: {_dos(rng)}\nPatient name: ")
        note.phi("name", full)
        note.add("   Medical record number: ")
        note.phi("mrn", f"MR{rng.randint(10000, 999999)}")
        note.add(f"\nProcedure: {clinical[0]}\nFindings: {clinical[1]}\nElectronically signed by: ")
        note.phi("name", f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        note.add(", MD\n")
    elif style == 6:
        note.add("Member ID ")
        note.phi("account", f"{rng.choice(['XJH', 'W', 'MBR'])}{rng.randint(10000000, 999999999)}")
        note.add(" denied for ")
        note.add(f"{clinical[0]} Email from the patient (")
        note.phi("email", f"{first.lower()}.{last.lower()}@example.com")
        note.add(f") asks why. {clinical[1]}\n")
    elif style == 7:
        # No cue before the name: the rules are expected to miss some of these.
        note.add(f"{clinical[0]} Seen with her husband ")
        note.phi("name", rng.choice(FIRST))
        note.add(f" who drove her in. {clinical[1]} Pt born ")
        note.phi("dob", _dob(rng))
        note.add(".\n")
    elif style == 8:
        note.add("RE: ")
        note.phi("name", full)
        note.add("\nD.O.B. ")
        note.phi("dob", _dob(rng))
        note.add("\nAddress: ")
        note.phi("address", _address(rng))
        note.add("\nPhone: ")
        note.phi("phone", _phone(rng))
        note.add(f"\n{clinical[0]} Dates of service {_dos(rng)} to {_dos(rng)}.\n")
    elif style == 9:
        # Names with no cue at all, in running text.
        note.add(f"{clinical[0]} ")
        note.phi("name", full)
        note.add(f" tolerated the procedure well. {clinical[1]} Policy # ")
        note.phi("account", f"{rng.randint(100000000, 999999999)}")
        note.add(".\n")
    elif style == 10:
        # Typed in lower case, as in a quick message.
        title = rng.choice(["mrs.", "mr.", "ms."])
        note.add(f"quick one: {title} ")
        note.phi("name", last.lower())
        note.add(f" came back today. {clinical[0]} {clinical[1]}\n")
    elif style == 11:
        note.add("patient: ")
        note.phi("name", f"{first.lower()} {last.lower()}")
        note.add(f", {rng.randint(20, 90)} yo. {clinical[0]}\n{clinical[1]}\n")
    elif style == 12:
        # A header line from a schedule or a face sheet: surname first, then the date of birth.
        note.phi("name", f"{last}, {first}")
        note.add(" ")
        note.phi("dob", _dob(rng))
        note.add(f"\nDOS {_dos(rng)}. {clinical[0]}\n{clinical[1]}\n")
    elif style == 13:
        note.add(f"Coding question: a {rng.choice(['patient', 'woman', 'man'])} named ")
        note.phi("name", full)
        note.add(f" was seen {_dos(rng)}. {clinical[0]} {clinical[1]}\n")
    else:
        # An address right before the codes: the address must end where the codes start.
        note.add(f"{clinical[0]}\nAddress: ")
        note.phi("address", _address(rng))
        note.add(f" {rng.choice(['I10', 'E11.9', 'Z00.00', 'J44.1'])} hypertension follow-up. {clinical[1]}\n")
    return note


def write(dev: int = 220, held_out: int = 110) -> None:
    rows = []
    rng = random.Random(20240603)
    for _ in range(dev):
        rows.append(("dev", build(rng)))
    rng = random.Random(77031)  # another seed and other names: never tuned on
    for _ in range(held_out):
        rows.append(("held-out", build(rng, HELD_OUT_FIRST, HELD_OUT_LAST)))
    with NOTES.open("w") as out:
        for i, (split, note) in enumerate(rows):
            out.write(json.dumps({"id": i + 1, "split": split, "text": note.text, "phi": note.spans}) + "\n")
    print(f"wrote {len(rows)} notes ({dev} dev, {held_out} held-out) to {NOTES.relative_to(ROOT)}")


# Code shapes that must survive redaction: ICD-10-CM, CPT, HCPCS Level II, ICD-10-PCS.
CODE = re.compile(
    r"\b(?:[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?|\d{4}[0-9FTU]|[A-V]\d{4}|(?=[0-9A-HJ-NP-Z]*\d)[0-9A-HJ-NP-Z]{7})\b"
)


def measure_split(notes: list[dict]) -> dict:
    """Recall per kind, ordinary words and codes wrongly redacted, for one set of notes."""
    from casepilot.phi import redact

    planted: Counter = Counter()
    found: Counter = Counter()
    words = wrong = codes = codes_wrong = 0
    wrong_words: Counter = Counter()
    clinical_kept = clinical_total = 0
    for note in notes:
        text = note["text"]
        result = redact(text)
        covered = [False] * len(text)
        for item in result.found:
            for i in range(item.start, item.end):
                covered[i] = True
        in_phi = [False] * len(text)
        for span in note["phi"]:
            planted[span["kind"]] += 1
            for i in range(span["start"], span["end"]):
                in_phi[i] = True
            if all(covered[i] or text[i] in " ,." for i in range(span["start"], span["end"])):
                found[span["kind"]] += 1
        for match in re.finditer(r"[\w'./-]+", text):
            if any(in_phi[match.start() : match.end()]):
                continue
            words += 1
            if any(covered[match.start() : match.end()]):
                wrong += 1
                wrong_words[match.group()] += 1
        for match in CODE.finditer(text):
            if not any(in_phi[match.start() : match.end()]):
                codes += 1
                codes_wrong += any(covered[match.start() : match.end()])
        for sentence in CLINICAL + DISTRACTORS:
            if sentence in text:
                clinical_total += 1
                clinical_kept += sentence in result.text
    return {
        "notes": len(notes),
        "planted": planted,
        "found": found,
        "words": words,
        "wrong": wrong,
        "wrong_words": wrong_words,
        "codes": codes,
        "codes_wrong": codes_wrong,
        "clinical": (clinical_kept, clinical_total),
    }


def load() -> list[dict]:
    return [json.loads(line) for line in NOTES.read_text().splitlines() if line.strip()]


def measure() -> None:
    notes = load()
    for split in ("dev", "held-out"):
        m = measure_split([n for n in notes if n.get("split", "dev") == split])
        planted, found = m["planted"], m["found"]
        print(f"== {split}: {m['notes']} notes, {sum(planted.values())} planted PHI items, {m['words']} other words")
        print(f"{'kind':<10}{'planted':>9}{'found':>8}{'recall':>9}")
        for kind in sorted(planted):
            print(f"{kind:<10}{planted[kind]:>9}{found[kind]:>8}{found[kind] / planted[kind]:>9.1%}")
        total_planted, total_found = sum(planted.values()), sum(found.values())
        print(f"{'all':<10}{total_planted:>9}{total_found:>8}{total_found / total_planted:>9.1%}")
        print(
            f"words wrongly redacted: {m['wrong']} of {m['words']} ({m['wrong'] / m['words']:.2%})",
            dict(m["wrong_words"].most_common(10)),
        )
        print(f"codes redacted: {m['codes_wrong']} of {m['codes']}")
        print(f"clinical sentences kept intact: {m['clinical'][0]} of {m['clinical'][1]}")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        measure()

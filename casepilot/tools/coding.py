"""Coding rules in the site's own words, each with its source and section: E/M office visits,
modifiers, ABN modifiers, ICD-10-CM conventions and guidelines (PCS root operations: pcs.py, from the
CMS definitions).

The rules are a table (one entry a rule); `coding_rules(question)` returns those whose words the
question uses, best first. Paraphrased from the sources named; CPT wording is AMA content and is not
quoted. Guideline sections refer to the ICD-10-CM Official Guidelines for Coding and Reporting FY2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codes.models import GuidelineSection, System

from .base import Citation, ToolResult
from .case_text import read_case

GUIDELINES = (
    "ICD-10-CM Official Guidelines for Coding and Reporting FY2026",
    "https://www.cms.gov/files/document/fy-2026-icd-10-cm-coding-guidelines.pdf",
)
PCS_GUIDELINES = (
    "ICD-10-PCS Official Guidelines for Coding and Reporting FY2026",
    "https://www.cms.gov/files/document/2026-official-icd-10-pcs-coding-guidelines.pdf",
)
EM = (
    "CMS Evaluation and Management Services Guide (MLN006764)",
    "https://www.cms.gov/files/document/mln006764-evaluation-management-services.pdf",
)
NCCI = (
    "NCCI Policy Manual for Medicare Services, chapter I",
    "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-policy-manual",
)
ABN = (
    "CMS: Medicare Claims Processing Manual ch. 30 (ABN and liability modifiers)",
    "https://www.cms.gov/regulations-and-guidance/guidance/manuals/downloads/clm104c30.pdf",
)
GLOBAL = (
    "CMS: Global Surgery Booklet (MLN907166)",
    "https://www.cms.gov/files/document/mln907166-global-surgery-booklet.pdf",
)

# Office/outpatient E/M: total time on the date of the encounter (must be met or exceeded, 2024 on)
# and the level of medical decision making.
EM_VISITS = {
    "99202": (15, "straightforward"), "99203": (30, "low"), "99204": (45, "moderate"), "99205": (60, "high"),
    "99212": (10, "straightforward"), "99213": (20, "low"), "99214": (30, "moderate"), "99215": (40, "high"),
}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    words: str  # a regular expression over the question
    section: str
    text: str
    source: tuple[str, str]


RULES = [
    Rule(r"\b(e/?m|evaluation and management|office visit|mdm|medical decision|level)\b", "E/M 2021+",
         "Office and outpatient visits (99202-99215) are chosen by medical decision making or by total time on the date "
         "of the encounter. MDM has three elements: number and complexity of problems addressed, amount and complexity "
         "of data reviewed and analyzed, and risk of complications of patient management; the level is the one two of "
         "the three elements meet (2 of 3). History and exam are done as medically appropriate and do not set the level.", EM),
    Rule(r"\b(time|minutes?|how long)\b", "E/M time",
         "Total time is the practitioner's own time on the date of the encounter, face-to-face and not: preparing, "
         "reviewing tests, examining, counseling, ordering, documenting, referring. It does not count clinical staff "
         "time, travel, teaching time, or time spent on services reported separately (procedures, test "
         "interpretations) - time spent on a separately reported service does not count toward the visit.", EM),
    Rule(r"\b(split|shared)\b", "E/M split/shared",
         "A split (or shared) visit is performed by a physician and a non-physician practitioner of the same group in a "
         "facility setting; the one who performs the substantive portion bills it - more than half of the total time, or "
         "a substantive part of the medical decision making - with modifier FS.", EM),
    Rule(r"\b(prolonged|99417|g2212)\b", "E/M prolonged",
         "Prolonged services add-on 99417 is reported per 15 minutes beyond the time of 99205 or 99215 (CPT: from 75 or "
         "55 minutes); Medicare uses G2212 instead, from 15 minutes beyond the highest time in its own count (89 or 69 "
         "minutes).", EM),
    Rule(r"\b25\b", "Modifier 25",
         "Modifier 25: a significant, separately identifiable E/M service by the same practitioner on the same day as a "
         "procedure or other service; the visit must go beyond the usual pre- and post-procedure work, and the "
         "record must show it. With a minor procedure (0 or 10-day global) the decision to do it is part of the "
         "procedure.", NCCI),
    Rule(r"\b57\b", "Modifier 57",
         "Modifier 57: the E/M visit the day before or the day of a major surgery (90-day global) resulted in the "
         "initial decision for surgery; without it the visit is bundled into the global package.", GLOBAL),
    Rule(r"\b(59|x[espu]|xs|xe|xp|xu)\b", "Modifier 59 and X{EPSU}",
         "Modifier 59 marks a distinct procedural service that an NCCI edit would otherwise bundle: a different "
         "session, procedure or surgery, site or organ, separate incision or injury. CMS prefers the more specific X "
         "modifiers: XE separate encounter, XS separate structure (organ or site), XP separate practitioner, XU "
         "unusual non-overlapping service. Use 59 only when no X modifier describes the case, and never with an E/M "
         "(that is modifier 25).", NCCI),
    Rule(r"\b(50|bilateral|rt|lt)\b", "Modifier 50, RT/LT",
         "Modifier 50 reports a bilateral procedure on one line with 1 unit when the fee schedule's bilateral indicator "
         "is 1 (payment 150%); RT and LT identify the side of a unilateral procedure, or both sides on two lines where "
         "the payer or the indicator asks for it. Do not use 50 when the descriptor already says bilateral.", NCCI),
    Rule(r"\b24\b", "Modifier 24",
         "Modifier 24: an E/M service by the same physician during the postoperative period that is unrelated to the "
         "surgery (the global package covers related visits).", GLOBAL),
    Rule(r"\b78\b", "Modifier 78",
         "Modifier 78: an unplanned return to the operating or procedure room by the same physician for a related "
         "procedure during the postoperative period (a complication); no new global period starts.", GLOBAL),
    Rule(r"\b79\b", "Modifier 79",
         "Modifier 79: an unrelated procedure by the same physician during the postoperative period of another "
         "surgery; a new global period starts.", GLOBAL),
    Rule(r"\bga\b", "Modifier GA",
         "GA: a waiver of liability statement (an ABN) was issued as required by payer policy; the service may be "
         "denied as not reasonable and necessary and the patient may then be billed.", ABN),
    Rule(r"\bgz\b", "Modifier GZ",
         "GZ: the item or service is expected to be denied as not reasonable and necessary and no ABN is on file; the "
         "provider, not the patient, is liable if it is denied.", ABN),
    Rule(r"\bgx\b", "Modifier GX",
         "GX: a notice of liability was issued voluntarily under payer policy, for a service Medicare excludes by "
         "statute (the ABN was not required).", ABN),
    Rule(r"\bgy\b", "Modifier GY",
         "GY: the item or service is statutorily excluded or does not meet the definition of any Medicare benefit; "
         "it is denied and the patient is liable.", ABN),
    Rule(r"\b26\b|professional component", "Modifier 26",
         "Modifier 26: the professional component (the interpretation and report) of a service with a professional/"
         "technical split; TC is the technical component (equipment, staff, supplies).", NCCI),
    Rule(r"\b(probable|suspected|possible|likely|uncertain|rule out|ruled out|questionable)\b.*\b(inpatient|discharge|admi)|\b(inpatient|discharge|admi)\w*.*\b(probable|suspected|possible|likely|uncertain|rule out)\b",
         "II.H", "Inpatient (guideline II.H): a diagnosis documented at discharge as probable, suspected, likely, "
         "questionable, possible or still to be ruled out is coded as if it existed or was established.", GUIDELINES),
    Rule(r"\b(probable|suspected|possible|likely|uncertain|rule out|ruled out|questionable)\b.*\b(outpatient|office|clinic|visit)|\b(outpatient|office|clinic)\b.*\b(probable|suspected|possible|likely|uncertain|rule out)",
         "IV.H", "Outpatient (guideline IV.H): do not code diagnoses documented as probable, suspected, questionable, "
         "rule out, compatible with or working diagnosis; code the condition to the highest degree of certainty for "
         "that encounter: the signs, symptoms, abnormal findings or other reasons for the visit.", GUIDELINES),
    Rule(r"\bhypertensi\w*.*\b(ckd|kidney|renal|heart)|\b(ckd|kidney|renal)\b.*\bhypertensi", "I.C.9.a",
         "Hypertension with heart disease or chronic kidney disease (guideline I.C.9.a): the classification presumes "
         "a causal relationship, so combination codes are used unless the provider documents another cause: I11.- "
         "(heart disease), I12.- (CKD, with a code from N18 for the stage), I13.- (both; heart failure also gets an "
         "I50.- code).", GUIDELINES),
    Rule(r"\bhistory of\b.*\b(neoplasm|cancer|malignan)|\b(neoplasm|cancer)\b.*\bhistory\b", "I.C.2.d",
         "History of neoplasm (guideline I.C.2.d): when a primary malignancy has been excised or eradicated, there is no "
         "further treatment directed to it and no evidence of it, a Z85 code (personal history of malignant "
         "neoplasm) is used instead of the C code.", GUIDELINES),
    Rule(r"\bexternal cause", "I.C.20",
         "External cause codes (V00-Y99, guideline I.C.20) are secondary codes: they are never principal or first-"
         "listed. They follow the injury or condition code and are used for the length of treatment, with the 7th "
         "character of the encounter.", GUIDELINES),
    Rule(r"\bintegral\b|\broutinely associated\b|\bsigns? and symptoms?\b", "I.B.5",
         "Signs and symptoms that are integral to (routinely associated with) a definitive diagnosis are not coded "
         "separately (guideline I.B.5); those not routinely associated with it may be coded (I.B.6).", GUIDELINES),
    Rule(r"\bdiabet\w*.*\b(type|not documented|unspecified)\b", "I.C.4.a.2",
         "If the type of diabetes is not documented, the default is type 2, E11.- (guideline I.C.4.a.2). Insulin use "
         "alone does not make it type 1.", GUIDELINES),
    Rule(r"\b(\"with\"|with convention|the with)\b|\bwith\W+(convention|presum)", "I.A.15",
         "The word “with” (or “in”) in the Alphabetic Index and Tabular (guideline I.A.15) means “associated with” or "
         "“due to”: the classification presumes a causal link between the two conditions even without documentation "
         "linking them, unless the provider says they are unrelated.", GUIDELINES),
    Rule(r"\bplaceholder|\bx\b.*\b(7th|seventh|character)", "I.A.5",
         "Placeholder X (guideline I.A.5): where a code that needs a 7th character is shorter than six characters, X "
         "fills the empty positions so the 7th character stays in the 7th place (T39.1X1A, S01.01XA).", GUIDELINES),
    Rule(r"\bexcludes ?1\b", "I.A.12.a",
         "Excludes1 (guideline I.A.12.a) means “not coded here”: the excluded code is never used together with the "
         "code above the note, because the two conditions cannot occur together. Exception: when the two conditions "
         "are unrelated, both may be reported.", GUIDELINES),
    Rule(r"\bexcludes ?2\b", "I.A.12.b",
         "Excludes2 (guideline I.A.12.b) means “not included here”: the excluded condition is not part of the code's "
         "condition, but a patient may have both, and then both codes may be reported together.", GUIDELINES),
    Rule(r"\bcode first\b|\betiology\b|\bmanifestation\b", "I.A.13",
         "“Code first” and etiology/manifestation (guideline I.A.13): a manifestation code (often with “in diseases "
         "classified elsewhere” in its title) is never principal; the underlying condition (the etiology) is coded "
         "first, followed by the manifestation.", GUIDELINES),
    Rule(r"\bseps[ie]s\b|\bseptic\b", "I.C.1.d",
         "Sepsis (guideline I.C.1.d): the systemic infection is coded first (A40-A41 or the organism's sepsis code), "
         "then the localized infection; severe sepsis adds R65.20 (never first-listed); septic shock adds R65.21 "
         "instead (never first-listed); then the acute organ dysfunctions.", GUIDELINES),
    Rule(r"\bchemo\w*|\bradiation therapy|\bimmunotherapy\b", "I.C.2.e.2",
         "An encounter solely for chemotherapy, immunotherapy or radiation therapy (guideline I.C.2.e.2) lists Z51.0, "
         "Z51.11 or Z51.12 first, then the malignancy.", GUIDELINES),
    Rule(r"\bmetasta\w*|\bsecondary (malignan|neoplasm)|\bneoplasm.*\bsequenc", "I.C.2.b",
         "Neoplasms (guideline I.C.2): the neoplasm that is the focus of treatment is sequenced first; a secondary "
         "(metastatic) site treated alone comes first, then the primary. When a complication (such as pneumonia) "
         "is the reason for the encounter, it is sequenced first and the neoplasms follow (I.C.2.l).", GUIDELINES),
    Rule(r"\bunderdos\w*", "I.C.19.e.5.c",
         "Underdosing (guideline I.C.19.e.5.c): codes for underdosing (5th or 6th character 6) are never principal; the "
         "relapse or exacerbation of the condition is coded first, with a Z91.12-/Z91.13- noncompliance code.", GUIDELINES),
]  # fmt: skip


QUOTED = 400  # characters of a guideline section quoted in an answer; the link has the rest


def _quote(section: str) -> tuple[str, Citation] | None:
    """The Official Guidelines' own words for a section, with its citation and page on this site."""
    row = (
        GuidelineSection.objects.filter(system=System.ICD10CM, number__iexact=GuidelineSection.clean_number(section))
        .select_related("release")
        .first()
    )
    if row is None:
        return None
    text = " ".join((row.body or row.full_text()).split())
    if not text:
        return None
    if len(text) > QUOTED:
        text = text[:QUOTED].rsplit(" ", 1)[0] + "…"
    return f"The guideline says ({row.label}, {row.title}): “{text}”", Citation(row.citation, row.get_absolute_url())


def em_time(code: str) -> list[str]:
    visit = EM_VISITS.get(code)
    if not visit:
        return []
    minutes, mdm = visit
    kind = "new" if code.startswith("992") and code[3] == "0" else "established"
    return [
        f"{code} ({kind} patient office visit): {minutes} minutes of total practitioner time on the date of the "
        f"encounter must be met or exceeded (CPT 2024 on), or medical decision making of {mdm} complexity "
        "(2 of 3 MDM elements)."
    ]


CODE_NAMED = re.compile(r"\b[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?\b")


def _as_documented(text: str, negated: list[str]) -> str:
    """A rule's text without its clauses (between semicolons) that give a code for a condition the
    question negates: "without septic shock" must not be answered with R65.21."""
    clauses = text.split("; ")
    kept = [c for c in clauses if not (CODE_NAMED.search(c) and any(phrase in c.lower() for phrase in negated))]
    return "; ".join(kept)


def coding_rules(question: str, *, limit: int = 3) -> ToolResult:
    """The rules (with their section and source) that a question about coding rules is about."""
    facts, cites = [], []
    negated = [c.text.lower() for c in read_case(question) if c.negated]
    for code in re.findall(r"\b99\d{3}\b", question):
        lines = em_time(code)
        if lines:
            facts += lines
            cites.append(Citation(*EM))
    matched = [rule for rule in RULES if re.search(rule.words, question, re.I)]
    for rule in matched[:limit]:
        facts.append(f"{_as_documented(rule.text, negated)} [{rule.section}]")
        quoted = _quote(rule.section) if rule.source is GUIDELINES else None
        if quoted:
            facts.append(quoted[0])
            cites.append(quoted[1])
        else:
            cites.append(Citation(f"{rule.source[0]}: {rule.section}", rule.source[1]))
    return ToolResult(
        "coding_rules",
        bool(facts),
        facts,
        list({c.url + c.title: c for c in cites}.values()),
        [],
        {"rules": [r.section for r in matched[:limit]]},
    )

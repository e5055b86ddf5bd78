"""ICD-10-PCS long titles, rebuilt from a code's axis labels.

The tables XML has no titles: CMS composes each code's long title from the labels of its
seven axes, wording each section and root operation its own way ("Bypass Coronary Artery,
One Artery from Aorta with Zooplastic Tissue, Open Approach"). `compose_title` applies the
same rules; tests/codes/test_icd10pcs_titles.py checks them against CMS titles.
These are wording tables and rules, not parsing: they change when CMS words a new kind
of procedure, and nothing else here does.
"""

from __future__ import annotations

NO_VALUE = {
    "No Device",
    "No Qualifier",
    "None",
    "No Substance",
    "No Equipment",
    "No Method",
}
SIDES = {"Right", "Left", "Bilateral"}
COUNTS = {"Two", "Three", "Four or More"}

# Labels that titles quote as they are, although they have a comma.
KEEP_LABELS = {
    "Coronary Artery, One Artery",
    "Coronary Artery, Two Arteries",
    "Coronary Artery, Three Arteries",
    "Coronary Artery, Four or More Arteries",
    "Products of Conception, Cardiac",
    "Products of Conception, Circulatory",
    "Products of Conception, Ectopic",
    "Products of Conception, Nervous",
    "Products of Conception, Retained",
    "Stomach, Pylorus",
    "Thoracic Aorta, Arch",
    "Thoracic Aorta, Ascending",
    "Thoracic Aorta, Ascending/Arch",
    "Thoracic Aorta, Descending",
    "Tongue, Palate, Pharynx Muscle",
    "Hepatobiliary System, All",
    "Musculoskeletal System, All",
    "Musculoskeletal System, Other",
    "Analgesics, Hypnotics, Sedatives",
    "Assistive, Adaptive, Supportive or Protective",
    "Hematopoietic Stem/Progenitor Cells, Genetically Modified",
    "Intraluminal Device, Bioprosthetic Valve",
    "Intraluminal Device, Flow Diverter",
    "Pacemaker, Dual Chamber",
    "Pacemaker, Single Chamber",
    "Pacemaker, Single Chamber Rate Responsive",
    "Serum, Toxoid and Vaccine",
    "Spinal Stabilization Device, Vertebral Body Tether",
    "Synthetic Substitute, Extraluminal Support Device",
    "Synthetic Substitute, Lateral Meniscus",
    "Synthetic Substitute, Medial Meniscus",
    "Synthetic Substitute, Pneumatic",
    "Radioactive Element, Cesium-131 Collagen Implant",
    "Amniotic Fluid, Diagnostic",
    "Amniotic Fluid, Therapeutic",
    "Anterior Approach, Anterior Column",
    "Posterior Approach, Anterior Column",
    "Posterior Approach, Posterior Column",
    "Membrane, Central",
    "Membrane, Peripheral Veno-arterial",
    "Membrane, Peripheral Veno-venous",
    "First Trimester, Multiple Gestation",
    "First Trimester, Single Fetus",
    "Second Trimester, Multiple Gestation",
    "Second Trimester, Single Fetus",
    "Third Trimester, Multiple Gestation",
    "Third Trimester, Single Fetus",
    "Hip Joint, Acetabular Surface",
    "Hip Joint, Femoral Surface",
    "Knee Joint, Femoral Surface",
    "Knee Joint, Tibial Surface",
}
# Labels that titles word differently.
LABEL_WORDING = {
    "Cardiac Lead, Pacemaker": "Pacemaker Lead",
    "Cardiac Lead, Defibrillator": "Defibrillator Lead",
    "Hearing Device, Multiple Channel Cochlear Prosthesis": "Multiple Channel Cochlear Prosthesis",
    "Hearing Device, Single Channel Cochlear Prosthesis": "Single Channel Cochlear Prosthesis",
    "Infusion Device, Pump": "Infusion Pump",
    "Intraluminal Device, Airway": "Airway",
    "Intraluminal Device, Endotracheal Airway": "Endotracheal Airway",
    "Intraluminal Device, Endobronchial Valve": "Endobronchial Valve",
    "Intraluminal Device, Pessary": "Pessary",
    "Intraluminal Device, Branched or Fenestrated, One or Two Arteries": "Branched or Fenestrated Intraluminal Device, One or Two Arteries",
    "Intraluminal Device, Branched or Fenestrated, Three or More Arteries": "Branched or Fenestrated Intraluminal Device, Three or More Arteries",
    "Synthetic Substitute, Intraocular Telescope": "Intraocular Telescope",
    "Biologic with Synthetic Substitute, Autoregulated Electrohydraulic": "Biologic and Synthetic Substitute, Autoregulated Electrohydraulic",
    "Pulmonary Vein, Confluence": "Pulmonary Vein Confluence",
    "Allogeneic, Related": "Allogeneic Related",
    "Allogeneic, Unrelated": "Allogeneic Unrelated",
    "Allogeneic, Unspecified": "Allogeneic Unspecified",
    "Heart, Right and Left": "Right and Left Heart",
    "Plasma, Convalescent (Nonautologous)": "Convalescent Plasma (Nonautologous)",
    "Synthetic Substitute, Unicondylar Lateral": "Lateral Unicondylar Synthetic Substitute",
    "Synthetic Substitute, Unicondylar Medial": "Medial Unicondylar Synthetic Substitute",
}


def _natural(label: str) -> str:
    """Table labels put modifiers last ("Knee, Right", "Intraluminal Device, Drug-eluting, Two");
    titles put them first ("Right Knee", "Two Drug-eluting Intraluminal Devices")."""
    if label in LABEL_WORDING:
        return LABEL_WORDING[label]
    if ", " not in label or label in KEEP_LABELS:
        return label
    head, _, tail = label.rpartition(", ")
    if tail in SIDES:
        # "Hip Joint, Acetabular Surface, Left": only the side moves.
        return f"{tail} {_natural(head)}"
    if " and " in tail and " and " not in head:  # a list: "Chest, Abdomen and Pelvis"
        return label
    parts = label.split(", ")
    if parts[-1] in COUNTS:
        noun = parts[0] + ("s" if not parts[0].endswith("s") else "")
        return " ".join([parts[-1], *reversed(parts[1:-1]), noun])
    return " ".join(reversed(parts))


# How each root operation words its title: {bp} body part, {dev} " with <device>" (or
# nothing), {devn} the bare device, {q} the qualifier. Default: "<op> of {bp}{dev}".
OPERATION_TEMPLATES = {
    "Bypass": "Bypass {bp} to {q}{dev}",
    "Transfer": "Transfer {bp} to {q}{dev}",
    "Revision": "Revision of {devn} in {bp}",
    "Change": "Change {devn} in {bp}",
    "Removal": "Removal of {devn} from {bp}",
    "Insertion": "Insertion of {devn} into {bp}",
    "Supplement": "Supplement {bp}{dev}",
    "Repair": "Repair {bp}{dev}",
    "Reposition": "Reposition {bp}{dev}",
    "Release": "Release {bp}{dev}",
    "Extirpation": "Extirpation of Matter from {bp}{dev}",
    "Fragmentation": "Fragmentation in {bp}{dev}",
    "Control": "Control Bleeding in {bp}{dev}",
    "Detachment": "Detachment at {bp}{dev}",
    "Map": "Map {bp}{dev}",
}


# Where a qualifier goes. Most come after the device and before the approach; these
# come after the approach.
LATE_QUALIFIERS = {"Diagnostic", "Ultrasonic", "Vertical"}
# These name the part actually operated on, in place of the body part.
BODY_PART_QUALIFIERS = {
    "Left Atrial Appendage",
    "Ductus Arteriosus",
    "Hemorrhoidal Plexus",
    "Uterine Artery, Right",
    "Uterine Artery, Left",
    "Prostatic Artery, Right",
    "Prostatic Artery, Left",
}
# These describe the device ("Biventricular Short-term External Heart Assist System").
DEVICE_QUALIFIERS = {"Biventricular"}
# These are a technique: "using <qualifier>".
TECHNIQUE_QUALIFIERS = {
    "Laser Interstitial Thermal Therapy",
    "Irreversible Electroporation",
    "Rapid Deployment Technique",
    "Drug-Coated Balloon",
    "Stent Retriever",
}
# These follow the body part: "Dilation of Coronary Artery, One Artery, Bifurcation, with ...".
BODY_PART_DETAIL_QUALIFIERS = {"Bifurcation", "Sesamoid Bone(s) 1st Toe"}
# The valve a valve was created from (congenital heart repairs).
ORIGIN_QUALIFIERS = {
    "Truncal Valve",
    "Common Atrioventricular Valve",
    "Left Atrioventricular Valve",
    "Right Atrioventricular Valve",
}


def _approach(label: str) -> str:
    # "Open Approach", but "Via Natural or Artificial Opening" stands alone.
    return label if label.startswith("Via ") else f"{label} Approach"


def _fragmentation(bp: str) -> str:
    # Stones are broken up "in" a duct or cavity but "of" a vessel (its clot).
    vessel = ("Artery" in bp or "Vein" in bp or "Trunk" in bp) and not bp.startswith("Coronary")
    return "Fragmentation of {bp}{dev}" if vessel else "Fragmentation in {bp}{dev}"


def _imaging(section: str, op: str, bp: str, contrast: str, q6: str, q7: str) -> str:
    """Imaging (B) and nuclear medicine (C): "<type> of <body part> using <contrast or
    radionuclide>, <qualifiers>"."""
    title = f"{op} of {bp}" if bp not in NO_VALUE else op
    if contrast not in NO_VALUE:
        named = section == "C" or contrast not in ("High Osmolar", "Low Osmolar")
        title += f" using {contrast}" if named else f" using {contrast} Contrast"
    rest = " ".join(label for label in (q6, q7) if label not in NO_VALUE)
    if rest:
        title += (
            " using "
            if q6 not in NO_VALUE and contrast in NO_VALUE and q6.startswith("Intravascular Optical")
            else ", "
        ) + rest
    return title


def _radiation(op: str, bp: str, modality: str, isotope: str, qual: str) -> str:
    """Radiation therapy (D)."""
    bp = _natural(bp)
    if op == "Brachytherapy":
        title = f"{modality} Brachytherapy of {bp}"
    elif op in ("Stereotactic Radiosurgery", "Other Radiation"):
        title = f"{modality} of {bp}"
    else:
        title = f"{op} of {bp} using {modality}"
    if isotope not in NO_VALUE:
        title += f" using {isotope}"
    if qual not in NO_VALUE:
        title += f", {qual}"
    return title


def _rehabilitation(op: str, bp: str, kind: str, equipment: str) -> str:
    """Physical rehabilitation and audiology (F): "<type qualifier> <type> of <region> using <equipment>"."""
    noun = op if op in ("Device Fitting", "Caregiver Training") else op.split()[-1]
    title = f"{kind} {noun}" if op != "Caregiver Training" else f"Caregiver Training in {kind}"
    if bp not in NO_VALUE:
        title += f" of {bp}"
    if equipment not in NO_VALUE:
        title += f" using {equipment}" + ("" if equipment in BARE_EQUIPMENT else " Equipment")
    return title


BARE_EQUIPMENT = {
    "Orthosis",
    "Prosthesis",
    "Speech Prosthesis",
    "Other Equipment",
    "Audiometer",
    "Computer",
    "Physical Agents",
    "Sound Field / Booth",
    "Tympanometer",
}
ADMINISTERED_AS = {"Autologous", "Nonautologous"}


def _administration(op: str, bp: str, appr: str, substance: str, qual: str) -> str:
    """Administration (3): "<op> of <substance> into <body part>"."""
    bp, substance = _natural(bp), _natural(substance)
    late = qual in LATE_QUALIFIERS or qual.startswith("New Technology Group")
    if qual in ADMINISTERED_AS or qual.startswith("Allogeneic") or qual == "Hyperthermic":
        substance = f"{_natural(qual)} {substance}"
    elif qual == "Blood Brain Barrier Disruption":
        substance = f"{qual} Substance"
    elif qual == "Monoclonal Antibody":
        substance = f"{substance}, {qual},"
    elif qual not in NO_VALUE and not late and qual != "Other Substance":
        substance = _natural(qual)
    title = f"Irrigation of {bp} using {substance}" if op == "Irrigation" else f"{op} of {substance} into {bp}"
    if appr not in NO_VALUE:
        title += f", {_approach(appr)}"
    if late:
        title += f", {qual}"
    return title


def _placement(op: str, bp: str, dev: str, *, orifice: bool) -> str:
    """Placement (2): external devices, no approach."""
    bp, dev = _natural(bp), _natural(dev)
    if op == "Change":
        return f"Change {bp} {dev}" if orifice else f"Change {dev} on {bp}"
    if op == "Removal":
        return f"Removal of {bp} {dev}" if orifice else f"Removal of {dev} on {bp}"
    return f"{op} of {bp} using {dev}" if dev not in NO_VALUE else f"{op} of {bp}"


def _measurement(op: str, bp: str, appr: str, function: str, qual: str) -> str:
    """Measurement and monitoring (4)."""
    if qual in ("Intracranial",):  # "Intracranial Pressure" rather than "Central Nervous Pressure"
        bp, qual = qual, "None"
    if function == "Total Activity" and qual == "Stress":
        function, qual = qual, "None"
    title = f"{op} of {_natural(bp)} {function}" if bp not in NO_VALUE else f"{op} of {function}"
    if qual not in NO_VALUE:
        title += f", {qual}"
    if appr not in NO_VALUE:
        title += f", {_approach(appr)}"
    return title


NEW_TECHNOLOGY_USING = {
    "Destruction",
    "Extirpation",
    "Inspection",
    "Bypass",
    "Irrigation",
    "Reposition",
    "Fusion",
}
NEW_TECHNOLOGY_PREFIX = {
    "Extirpation": "Extirpation of Matter from {bp}",
    "Bypass": "Bypass {bp}",
}
OBSTETRIC_TEMPLATES = {
    "Drainage": "Drainage of {q} from {bp}{dev}",
    "Repair": "Repair {q} in {bp}{dev}",
    "Transplantation": "Transplantation of {q} into {bp}{dev}",
}


# Osteopathic methods that are not "... Forces".
NOT_FORCES = {
    "Fascial Release",
    "General Mobilization",
    "Lymphatic Pump",
    "Other Method",
}


def _region(label: str) -> str:
    # Osteopathic and chiropractic regions: "Cervical" is the "Cervical Region".
    return f"{label} Region" if label in ("Cervical", "Thoracic", "Lumbar") else label


def _assistance(op: str, system: str, duration: str, function: str, qual: str) -> str:
    """Extracorporeal or systemic assistance and performance (5)."""
    if op == "Assistance":
        title = f"Assistance with {system} {function}"
        if qual not in NO_VALUE and "Hours" not in duration:
            title += f" using {qual}"
        title += f", {duration}"
        if qual not in NO_VALUE and "Hours" in duration:
            title += f", {qual}"
        return title
    title = f"{op} of {system} {function}, {duration}"
    return f"{title}, {qual}" if qual not in NO_VALUE else title


def _other_procedure(bp: str, appr: str, method: str, qual: str) -> str:
    """Other procedures (8): the method is the procedure."""
    if method == "Collection":
        return f"Collection of {qual} from Indwelling Device in {bp}"
    if method == "Other Method":
        return f"{qual} of {bp}" if bp not in NO_VALUE else qual
    title = method
    if qual not in NO_VALUE and method in ("Acupuncture",):
        return f"{method} using {qual}"
    if method in ("Acupuncture",):
        return method
    if bp not in NO_VALUE:
        title += f" of {qual if qual not in NO_VALUE and method == 'Therapeutic Massage' else bp}"
    elif method == "Therapeutic Massage" and qual not in NO_VALUE:
        title += f" of {qual}"
    if qual not in NO_VALUE and method != "Therapeutic Massage":
        title += f" using {qual}"
    if appr not in NO_VALUE and appr != "External":
        title += f", {_approach(appr)}"
    return title


def compose_title(axes: list[tuple[int, str, str, str]]) -> str:
    """The CMS long title of a code from its seven (pos, axis title, value, label) axes."""
    section = axes[0][2]
    op, bp, appr, dev, qual = (axis[3] for axis in axes[2:])
    if section in "BC":
        return _imaging(section, op, _natural(bp), appr, dev, qual)
    if section == "D":
        return _radiation(op, bp, appr, dev, qual)
    if section == "F":
        return _rehabilitation(op, bp, appr, dev)
    if section == "3":
        return _administration(op, bp, appr, dev, qual)
    if section == "2":
        return _placement(op, bp, dev, orifice=axes[1][3] == "Anatomical Orifices")
    if section == "5":
        return _assistance(op, bp, appr, dev, qual)
    if section == "6":
        title = f"{op} of {_natural(qual)}" if qual not in NO_VALUE else op
        if dev not in NO_VALUE:  # "Perfusion of Circulatory Donor Organ"
            title = f"{op} of {bp} {dev}"
        elif bp not in NO_VALUE and qual in NO_VALUE:
            title += f" of {bp}" if bp == "Skin" else f", {bp}"
        return f"{title}, {appr}"
    if section == "7":
        forces = "" if dev in NOT_FORCES else " Forces"
        return f"Osteopathic Treatment of {_region(bp)} using {dev}{forces}"
    if section == "9":
        return f"Chiropractic Manipulation of {_region(bp)}, {dev}"
    if section == "8":
        return _other_procedure(bp, appr, dev, qual)
    if section == "G":
        if bp in NO_VALUE or bp.startswith("Other"):
            return op
        return f"{bp} {op}" if op == "Counseling" else f"{op}, {bp}"
    if section == "H":
        title = f"{op} for Substance Abuse Treatment"
        return title if bp in NO_VALUE or bp.startswith("Other Family") else f"{title}, {bp}"
    if section == "X" and op in ("Introduction", "Transfusion"):
        return _administration(op, bp, appr, dev, qual)
    if section == "X" and op in NEW_TECHNOLOGY_USING:
        # New technology devices are mostly a technique: "using", "of" for every operation.
        title = NEW_TECHNOLOGY_PREFIX.get(op, "{op} of {bp}").format(op=op, bp=_natural(bp)) + f" using {_natural(dev)}"
        if appr not in NO_VALUE:
            title += f", {_approach(appr)}"
        return f"{title}, {qual}" if qual not in NO_VALUE else title
    if section == "1" and qual not in NO_VALUE and op in OBSTETRIC_TEMPLATES:
        dev_phrase = f" with {_natural(dev)}" if dev not in NO_VALUE else ""
        title = OBSTETRIC_TEMPLATES[op].format(q=_natural(qual), bp=_natural(bp), dev=dev_phrase)
        return f"{title}, {_approach(appr)}" if appr not in NO_VALUE else title
    if section == "4":
        return _measurement(op, bp, appr, dev, qual)
    return _medical_surgical(axes)


def _medical_surgical(axes: list[tuple[int, str, str, str]]) -> str:
    """Medical and surgical (0) and the like: "<operation> of <body part> with <device>,
    <qualifier>, <approach>", worded per root operation."""
    op, bp, appr, dev, qual = (axis[3] for axis in axes[2:])
    has_dev, has_q = dev not in NO_VALUE, qual not in NO_VALUE
    dev, q, bp = _natural(dev), _natural(qual), _natural(bp)
    late = False
    template = _fragmentation(bp) if op == "Fragmentation" else OPERATION_TEMPLATES.get(op, "{op} of {bp}{dev}")
    if op == "Supplement" and (axes[1][3] == "Subcutaneous Tissue and Fascia" or axes[3][3].startswith("Eye,")):
        template = "Supplement of {bp}{dev}"
    if has_q and qual in ("Single", "All", "Multiple"):
        # Teeth: "Replacement of Upper Tooth, Single, with ..." but "Excision of Upper Tooth, ..., Single".
        late = op in ("Excision", "Drainage")
    if "{q}" in template:
        if not has_q:
            template = template.replace(" to {q}", "")
        elif op == "Bypass" and (
            bp.startswith("Coronary Artery") or ("Pulmonary" in bp and axes[1][3] == "Heart and Great Vessels")
        ):
            template = template.replace(" to {q}", " from {q}")
        elif op == "Transfer" and ("Skin" in qual or "Subcutaneous" in qual):
            template = template.replace(" to {q}", " with {q}")
        has_q = False
    late = has_q and (qual in LATE_QUALIFIERS or qual.startswith("New Technology Group") or late)
    if has_q and qual in BODY_PART_QUALIFIERS:
        bp, has_q = q, False
    elif has_q and qual in DEVICE_QUALIFIERS:
        dev, has_q = f"{q} {dev}", False
    elif has_q and q in ORIGIN_QUALIFIERS:
        if op == "Creation":
            template, has_dev = "Creation of {bp} from {q} using {devn}", False
        else:
            bp = f"{bp} created from {q}"
        has_q = False
    elif has_q and qual.endswith(" Flap") and op == "Replacement":
        has_dev, has_q, dev = True, False, q
        template = "{op} of {bp} using {devn}"
    elif has_q and (qual in BODY_PART_DETAIL_QUALIFIERS or (qual in ("Single", "All", "Multiple") and not late)):
        bp, has_q = f"{bp}, {q}," if has_dev else f"{bp}, {q}", False
    with_dev = f" with {dev}" if has_dev else ""
    if has_q and qual in TECHNIQUE_QUALIFIERS:
        with_dev, has_q = f"{with_dev}, using {q}" if has_dev else f" using {q}", False
    parts = [template.format(op=op, bp=bp, q=q, dev=with_dev, devn=dev)]
    if has_q and not late:
        parts.append(q)
    if appr not in NO_VALUE:
        # The lymphatic tables say "Via Natural or Artificial Opening Endoscopic Approach".
        parts.append(f"{appr} Approach" if axes[1][3] == "Lymphatic and Hemic Systems" else _approach(appr))
    if late:
        parts.append(q)
    return ", ".join(parts)

"""Long titles composed from the axis labels, checked against CMS titles taken from the
FY2024 code list (icd10pcs-codes-2024.txt)."""

import pytest

from codes.importers.icd10pcs import compose_title

AXIS_TITLES = [
    "Section",
    "Body System",
    "Operation",
    "Body Part",
    "Approach",
    "Device",
    "Qualifier",
]

EXAMPLES = [
    (
        "0QU03JZ",
        [
            "Medical and Surgical",
            "Lower Bones",
            "Supplement",
            "Lumbar Vertebra",
            "Percutaneous",
            "Synthetic Substitute",
            "No Qualifier",
        ],
        "Supplement Lumbar Vertebra with Synthetic Substitute, Percutaneous Approach",
    ),
    (
        "0016070",
        [
            "Medical and Surgical",
            "Central Nervous System and Cranial Nerves",
            "Bypass",
            "Cerebral Ventricle",
            "Open",
            "Autologous Tissue Substitute",
            "Nasopharynx",
        ],
        "Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, Open Approach",
    ),
    (
        "0210083",
        [
            "Medical and Surgical",
            "Heart and Great Vessels",
            "Bypass",
            "Coronary Artery, One Artery",
            "Open",
            "Zooplastic Tissue",
            "Coronary Artery",
        ],
        "Bypass Coronary Artery, One Artery from Coronary Artery with Zooplastic Tissue, Open Approach",
    ),
    (
        "02703ZZ",
        [
            "Medical and Surgical",
            "Heart and Great Vessels",
            "Dilation",
            "Coronary Artery, One Artery",
            "Percutaneous",
            "No Device",
            "No Qualifier",
        ],
        "Dilation of Coronary Artery, One Artery, Percutaneous Approach",
    ),
    (
        "0270046",
        [
            "Medical and Surgical",
            "Heart and Great Vessels",
            "Dilation",
            "Coronary Artery, One Artery",
            "Open",
            "Intraluminal Device, Drug-eluting",
            "Bifurcation",
        ],
        "Dilation of Coronary Artery, One Artery, Bifurcation, with Drug-eluting Intraluminal Device, Open Approach",
    ),
    (
        "02L70CK",
        [
            "Medical and Surgical",
            "Heart and Great Vessels",
            "Occlusion",
            "Atrium, Left",
            "Open",
            "Extraluminal Device",
            "Left Atrial Appendage",
        ],
        "Occlusion of Left Atrial Appendage with Extraluminal Device, Open Approach",
    ),
    (
        "0RG0070",
        [
            "Medical and Surgical",
            "Upper Joints",
            "Fusion",
            "Occipital-cervical Joint",
            "Open",
            "Autologous Tissue Substitute",
            "Anterior Approach, Anterior Column",
        ],
        "Fusion of Occipital-cervical Joint with Autologous Tissue Substitute, Anterior Approach, Anterior Column, Open Approach",
    ),
    (
        "0DT14ZZ",
        [
            "Medical and Surgical",
            "Gastrointestinal System",
            "Resection",
            "Esophagus, Upper",
            "Percutaneous Endoscopic",
            "No Device",
            "No Qualifier",
        ],
        "Resection of Upper Esophagus, Percutaneous Endoscopic Approach",
    ),
    (
        "0JX00ZB",
        [
            "Medical and Surgical",
            "Subcutaneous Tissue and Fascia",
            "Transfer",
            "Subcutaneous Tissue and Fascia, Scalp",
            "Open",
            "No Device",
            "Skin and Subcutaneous Tissue",
        ],
        "Transfer Scalp Subcutaneous Tissue and Fascia with Skin and Subcutaneous Tissue, Open Approach",
    ),
    (
        "00500Z3",
        [
            "Medical and Surgical",
            "Central Nervous System and Cranial Nerves",
            "Destruction",
            "Brain",
            "Open",
            "No Device",
            "Laser Interstitial Thermal Therapy",
        ],
        "Destruction of Brain using Laser Interstitial Thermal Therapy, Open Approach",
    ),
    (
        "10900Z9",
        [
            "Obstetrics",
            "Pregnancy",
            "Drainage",
            "Products of Conception",
            "Open",
            "No Device",
            "Fetal Blood",
        ],
        "Drainage of Fetal Blood from Products of Conception, Open Approach",
    ),
    (
        "2W00X0Z",
        [
            "Placement",
            "Anatomical Regions",
            "Change",
            "Head",
            "External",
            "Traction Apparatus",
            "No Qualifier",
        ],
        "Change Traction Apparatus on Head",
    ),
    (
        "30233AZ",
        [
            "Administration",
            "Circulatory",
            "Transfusion",
            "Peripheral Vein",
            "Percutaneous",
            "Stem Cells, Embryonic",
            "No Qualifier",
        ],
        "Transfusion of Embryonic Stem Cells into Peripheral Vein, Percutaneous Approach",
    ),
    (
        "3E1038X",
        [
            "Administration",
            "Physiological Systems and Anatomical Regions",
            "Irrigation",
            "Skin and Mucous Membranes",
            "Percutaneous",
            "Irrigating Substance",
            "Diagnostic",
        ],
        "Irrigation of Skin and Mucous Membranes using Irrigating Substance, Percutaneous Approach, Diagnostic",
    ),
    (
        "4A0002Z",
        [
            "Measurement and Monitoring",
            "Physiological Systems",
            "Measurement",
            "Central Nervous",
            "Open",
            "Conductivity",
            "No Qualifier",
        ],
        "Measurement of Central Nervous Conductivity, Open Approach",
    ),
    (
        "5A02110",
        [
            "Extracorporeal or Systemic Assistance and Performance",
            "Physiological Systems",
            "Assistance",
            "Cardiac",
            "Intermittent",
            "Output",
            "Balloon Pump",
        ],
        "Assistance with Cardiac Output using Balloon Pump, Intermittent",
    ),
    (
        "6A550Z0",
        [
            "Extracorporeal or Systemic Therapies",
            "Physiological Systems",
            "Pheresis",
            "Circulatory",
            "Single",
            "No Qualifier",
            "Erythrocytes",
        ],
        "Pheresis of Erythrocytes, Single",
    ),
    (
        "7W01X0Z",
        [
            "Osteopathic",
            "Anatomical Regions",
            "Treatment",
            "Cervical",
            "External",
            "Articulatory-Raising",
            "None",
        ],
        "Osteopathic Treatment of Cervical Region using Articulatory-Raising Forces",
    ),
    (
        "9WB3XBZ",
        [
            "Chiropractic",
            "Anatomical Regions",
            "Manipulation",
            "Lumbar",
            "External",
            "Non-Manual",
            "None",
        ],
        "Chiropractic Manipulation of Lumbar Region, Non-Manual",
    ),
    (
        "B030Y0Z",
        [
            "Imaging",
            "Central Nervous System",
            "Magnetic Resonance Imaging (MRI)",
            "Brain",
            "Other Contrast",
            "Unenhanced and Enhanced",
            "None",
        ],
        "Magnetic Resonance Imaging (MRI) of Brain using Other Contrast, Unenhanced and Enhanced",
    ),
    (
        "CW26KZZ",
        [
            "Nuclear Medicine",
            "Anatomical Regions",
            "Tomographic (Tomo) Nuclear Medicine Imaging",
            "Chest and Neck",
            "Fluorine 18 (F-18)",
            "None",
            "None",
        ],
        "Tomographic (Tomo) Nuclear Medicine Imaging of Chest and Neck using Fluorine 18 (F-18)",
    ),
    (
        "D913BCZ",
        [
            "Radiation Therapy",
            "Ear, Nose, Mouth and Throat",
            "Brachytherapy",
            "Hypopharynx",
            "Low Dose Rate (LDR)",
            "Californium 252 (Cf-252)",
            "None",
        ],
        "Low Dose Rate (LDR) Brachytherapy of Hypopharynx using Californium 252 (Cf-252)",
    ),
    (
        "F07L0FZ",
        [
            "Physical Rehabilitation and Diagnostic Audiology",
            "Rehabilitation",
            "Motor Treatment",
            "Musculoskeletal System - Lower Back / Lower Extremity",
            "Range of Motion and Joint Mobility",
            "Assistive, Adaptive, Supportive or Protective",
            "None",
        ],
        "Range of Motion and Joint Mobility Treatment of Musculoskeletal System - Lower Back / Lower Extremity using Assistive, Adaptive, Supportive or Protective Equipment",
    ),
    (
        "GZ60ZZZ",
        ["Mental Health", "None", "Counseling", "Educational", "None", "None", "None"],
        "Educational Counseling",
    ),
    (
        "HZ30ZZZ",
        [
            "Substance Abuse Treatment",
            "None",
            "Individual Counseling",
            "Cognitive",
            "None",
            "None",
            "None",
        ],
        "Individual Counseling for Substance Abuse Treatment, Cognitive",
    ),
    (
        "XW13325",
        [
            "New Technology",
            "Anatomical Regions",
            "Transfusion",
            "Peripheral Vein",
            "Percutaneous",
            "Plasma, Convalescent (Nonautologous)",
            "New Technology Group 5",
        ],
        "Transfusion of Convalescent Plasma (Nonautologous) into Peripheral Vein, Percutaneous Approach, New Technology Group 5",
    ),
    (
        "X2CP3T7",
        [
            "New Technology",
            "Cardiovascular System",
            "Extirpation",
            "Abdominal Aorta",
            "Percutaneous",
            "Computer-aided Mechanical Aspiration",
            "New Technology Group 7",
        ],
        "Extirpation of Matter from Abdominal Aorta using Computer-aided Mechanical Aspiration, Percutaneous Approach, New Technology Group 7",
    ),
    (
        "0B9C8ZX",
        [
            "Medical and Surgical",
            "Respiratory System",
            "Drainage",
            "Upper Lung Lobe, Right",
            "Via Natural or Artificial Opening Endoscopic",
            "No Device",
            "Diagnostic",
        ],
        "Drainage of Right Upper Lung Lobe, Via Natural or Artificial Opening Endoscopic, Diagnostic",
    ),
]


@pytest.mark.parametrize(
    ("code", "labels", "title"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_it_composes_the_cms_long_title(code, labels, title):
    axes = [
        (pos, AXIS_TITLES[pos - 1], code[pos - 1], label)
        for pos, label in enumerate(labels, 1)
    ]
    assert compose_title(axes) == title

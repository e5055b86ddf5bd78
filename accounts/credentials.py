"""Coding credentials: held by coders (their profile) and asked for by employers (jobs)."""

from django.db import models


class Credential(models.TextChoices):
    CPC = "CPC", "CPC – Certified Professional Coder (AAPC)"
    CPC_A = "CPC-A", "CPC-A – Certified Professional Coder Apprentice (AAPC)"
    COC = "COC", "COC – Certified Outpatient Coder (AAPC)"
    CIC = "CIC", "CIC – Certified Inpatient Coder (AAPC)"
    CRC = "CRC", "CRC – Certified Risk Adjustment Coder (AAPC)"
    CPMA = "CPMA", "CPMA – Certified Professional Medical Auditor (AAPC)"
    CPB = "CPB", "CPB – Certified Professional Biller (AAPC)"
    CDEO = "CDEO", "CDEO – Certified Documentation Expert Outpatient (AAPC)"
    CCS = "CCS", "CCS – Certified Coding Specialist (AHIMA)"
    CCS_P = "CCS-P", "CCS-P – Certified Coding Specialist, Physician-based (AHIMA)"
    CCA = "CCA", "CCA – Certified Coding Associate (AHIMA)"
    RHIT = "RHIT", "RHIT – Registered Health Information Technician (AHIMA)"
    RHIA = "RHIA", "RHIA – Registered Health Information Administrator (AHIMA)"
    CDIP = "CDIP", "CDIP – Certified Documentation Integrity Practitioner (AHIMA)"
    CCDS = "CCDS", "CCDS – Certified Clinical Documentation Specialist (ACDIS)"
    CCDS_O = "CCDS-O", "CCDS-O – Certified Clinical Documentation Specialist, Outpatient (ACDIS)"
    OTHER = "other", "Other"


class Specialty(models.TextChoices):
    """Specialties coders work in; used by profiles and job postings."""

    EM = "em", "Evaluation and management"
    SURGERY = "surgery", "General surgery"
    ORTHOPEDICS = "orthopedics", "Orthopedics"
    CARDIOLOGY = "cardiology", "Cardiology"
    RADIOLOGY = "radiology", "Radiology"
    ANESTHESIA = "anesthesia", "Anesthesia"
    EMERGENCY = "emergency", "Emergency medicine"
    ONCOLOGY = "oncology", "Oncology"
    OBGYN = "obgyn", "Obstetrics and gynecology"
    PEDIATRICS = "pediatrics", "Pediatrics"
    BEHAVIORAL = "behavioral", "Behavioral health"
    GASTRO = "gastro", "Gastroenterology"
    PATHOLOGY = "pathology", "Pathology and laboratory"
    HOME_HEALTH = "home_health", "Home health and hospice"
    INPATIENT = "inpatient", "Inpatient facility"
    RISK = "risk_adjustment", "Risk adjustment / HCC"
    DENTAL = "dental", "Dental"
    OTHER = "other", "Other"

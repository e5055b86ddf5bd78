"""Data about pairs of codes and payment: CC/MCC lists, fee schedule, NCCI PTP edits, MUEs, add-on edits."""

import datetime

from django.db import models

from .codesets import Release


class CcCode(models.Model):
    """MS-DRG severity of a secondary diagnosis (Tables 6I/6J/6K): CC or MCC, and the
    number of its PDX exclusion list."""

    class Level(models.TextChoices):
        CC = "CC", "CC (complication or comorbidity)"
        MCC = "MCC", "MCC (major complication or comorbidity)"

    code = models.CharField(max_length=10, help_text="ICD-10-CM code, canonical with dot")
    level = models.CharField(max_length=3, choices=Level.choices)
    exclusion_list = models.PositiveIntegerField(null=True, blank=True)
    discharged_alive_only = models.BooleanField(
        default=False, help_text="Table 6K part 2: a CC/MCC only if the patient is discharged alive"
    )
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="cccode_unique")]
        indexes = [models.Index(fields=["code"], name="cccode_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.level}"


class DrgCcExclusion(models.Model):
    """MS-DRG CC exclusion list row (Table 6K part 2): a principal diagnosis on list
    `list_number` makes the CC/MCC codes that point to that list non-CC."""

    list_number = models.PositiveIntegerField()
    pdx = models.CharField(max_length=10, help_text="Principal diagnosis code, canonical form")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["list_number", "pdx"], name="ccexcl_list")]

    def __str__(self) -> str:
        return f"PDX list {self.list_number}: {self.pdx}"


class FeeSchedule(models.Model):
    """Medicare Physician Fee Schedule RVU row (PPRRVU): numeric and indicator columns only."""

    code = models.CharField(max_length=5, db_index=True)
    modifier = models.CharField(max_length=2, blank=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    status_code = models.CharField(max_length=1, blank=True)
    work_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    pe_nonfacility_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    pe_facility_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    mp_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    total_nonfacility = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    total_facility = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    pctc = models.CharField(max_length=1, blank=True)
    global_days = models.CharField(max_length=3, blank=True)
    pre_op = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    intra_op = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    post_op = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    mult_proc = models.CharField(max_length=1, blank=True)
    bilat_surg = models.CharField(max_length=1, blank=True)
    asst_surg = models.CharField(max_length=1, blank=True)
    co_surg = models.CharField(max_length=1, blank=True)
    team_surg = models.CharField(max_length=1, blank=True)
    endo_base = models.CharField(max_length=5, blank=True)
    conversion_factor = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    supervision = models.CharField(max_length=2, blank=True)
    imaging_family = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "code", "modifier"], name="pfs_unique")]
        ordering = ["code", "modifier"]

    def __str__(self) -> str:
        return f"{self.code} {self.modifier}".strip()


class Locality(models.Model):
    """A Medicare payment locality with its GPCIs (GPCI file joined with the locality file)."""

    mac = models.CharField(max_length=5)
    number = models.CharField(max_length=2)
    state = models.CharField(max_length=2)
    name = models.CharField(max_length=120)
    counties = models.TextField(blank=True)
    gpci_work = models.DecimalField(max_digits=5, decimal_places=3)
    gpci_pe = models.DecimalField(max_digits=5, decimal_places=3)
    gpci_mp = models.DecimalField(max_digits=5, decimal_places=3)
    # gpci_work is what CMS pays with (the 1.0 floor applied, while the law extends it).
    gpci_work_unfloored = models.DecimalField(
        max_digits=5, decimal_places=3, null=True, blank=True, help_text="Work GPCI without the 1.0 floor"
    )
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "mac", "number"], name="locality_unique")]
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return f"{self.state} {self.name}"


class Setting(models.TextChoices):
    """Claim type an NCCI edit applies to."""

    PRACTITIONER = "practitioner", "Practitioner"
    OUTPATIENT = "outpatient", "Outpatient hospital"
    DME = "dme", "DME supplier"


class PtpEdit(models.Model):
    """NCCI procedure-to-procedure edit: column 2 is not paid with column 1 on the same day
    unless the modifier indicator allows a modifier."""

    setting = models.CharField(max_length=12, choices=Setting.choices)
    column1 = models.CharField(max_length=5)
    column2 = models.CharField(max_length=5)
    deletion_date = models.DateField(null=True, blank=True)
    modifier_indicator = models.CharField(max_length=1)
    rationale = models.CharField(max_length=120, blank=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            # A code, then the other code: the claim check finds a pair with one descent of the index.
            # deletion_date last: a page counts a code's edits in effect from the index alone.
            models.Index(fields=["column1", "setting", "column2", "deletion_date"], name="ptp_col1"),
            models.Index(fields=["column2", "setting", "column1", "deletion_date"], name="ptp_col2"),
        ]

    MODIFIER_INDICATORS = {
        "0": "Not allowed: no modifier lets the two codes be paid together on the same day.",
        "1": "Allowed: a modifier (59, XE, XS, XP, XU or an anatomic modifier such as RT, LT, F1, T2) on the "
        "column 2 code may bypass the edit when the services are truly separate.",
        "9": "Not applicable: the edit was deleted before it took effect.",
    }
    # NCCI policy manual, chapter XI: 59 and the X modifiers may not be used on an E/M code;
    # a separately identifiable E/M service takes 25, a decision for surgery 57.
    MODIFIER_ALLOWED_EM = (
        "Allowed: modifier 25 (a significant, separately identifiable E/M service) or 57 (the decision "
        "for surgery) on the E/M code may bypass the edit; 59 and the X modifiers may not be used on an E/M code."
    )

    def __str__(self) -> str:
        return f"{self.column1}/{self.column2} ({self.setting})"

    @staticmethod
    def is_em(code: str) -> bool:
        """CPT evaluation and management codes (99202-99499)."""
        return code.isdigit() and "99202" <= code <= "99499"

    @property
    def modifier_meaning(self) -> str:
        """What the indicator allows, worded for the kind of codes in the pair."""
        if self.modifier_indicator == "1" and self.is_em(self.column2):
            return self.MODIFIER_ALLOWED_EM
        return self.MODIFIER_INDICATORS.get(self.modifier_indicator, "")


class Mue(models.Model):
    """NCCI medically unlikely edit: the most units of service normally reported per day."""

    ADJUDICATION = {
        "1": "Line edit: each claim line is checked on its own.",
        "2": "Date of service edit (policy): an absolute limit per day, based on policy.",
        "3": "Date of service edit (clinical): a per-day limit that may be exceeded on appeal with documentation.",
    }

    setting = models.CharField(max_length=12, choices=Setting.choices)
    code = models.CharField(max_length=5, db_index=True)
    units = models.PositiveIntegerField()
    mai = models.CharField(max_length=1, help_text="MUE adjudication indicator")
    rationale = models.CharField(max_length=120, blank=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "setting", "code"], name="mue_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.units} ({self.setting})"

    @property
    def mai_meaning(self) -> str:
        return self.ADJUDICATION.get(self.mai, "")


class AddOnEditQuerySet(models.QuerySet):
    def in_effect(self, on: datetime.date | None = None) -> "AddOnEditQuerySet":
        """Edits in effect on a date (default: not deleted), by the CMS file's periods."""
        if on is None:
            return self.filter(deletion_date__isnull=True)
        return self.filter(
            models.Q(effective_date__isnull=True) | models.Q(effective_date__lte=on),
            models.Q(deletion_date__isnull=True) | models.Q(deletion_date__gte=on),
        )


class AddOnEdit(models.Model):
    """NCCI add-on code edit: an add-on code and a primary code it may be reported with."""

    EDIT_TYPES = {
        "1": "Type 1: only paid with the listed primary codes.",
        "2": "Type 2: no specific primary codes; the contractor decides what counts as primary.",
        "3": "Type 3: some primary codes are listed; the contractor may allow others.",
    }

    addon_code = models.CharField(max_length=5, db_index=True)
    primary_code = models.CharField(max_length=5, db_index=True, help_text="CCCCC = no specific primary code")
    edit_type = models.CharField(max_length=1)
    # The CMS file's period of the edit (a pair may be listed for several periods) and its
    # special instructions; files without them (the 2024 pin) leave them blank.
    effective_date = models.DateField(null=True, blank=True)
    deletion_date = models.DateField(null=True, blank=True, help_text="Last day in effect; blank = in effect")
    notes = models.TextField(blank=True, help_text="CMS special instructions")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    objects = AddOnEditQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.addon_code} with {self.primary_code}"

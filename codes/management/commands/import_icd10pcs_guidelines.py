"""`manage.py import_icd10pcs_guidelines`: the `icd10pcs-guidelines` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10pcs-guidelines"

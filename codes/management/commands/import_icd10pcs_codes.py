"""`manage.py import_icd10pcs_codes`: the `icd10pcs-codes` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10pcs-codes"

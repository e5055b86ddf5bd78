"""`manage.py import_icd10cm_codes`: the `icd10cm-codes` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10cm-codes"

"""`manage.py import_icd10cm_alphabetic_index`: the `icd10cm-alphabetic-index` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10cm-alphabetic-index"

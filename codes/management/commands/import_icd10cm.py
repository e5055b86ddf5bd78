"""`manage.py import_icd10cm`: the `icd10cm-tabular` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10cm-tabular"

"""`manage.py import_icd10cm_guidelines`: the `icd10cm-guidelines` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10cm-guidelines"

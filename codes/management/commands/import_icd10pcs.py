"""`manage.py import_icd10pcs`: the `icd10pcs-tables` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10pcs-tables"

"""`manage.py import_icd10pcs_index`: the `icd10pcs-index` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "icd10pcs-index"

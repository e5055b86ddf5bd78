"""`manage.py import_ncci_mue`: the `ncci-mue` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "ncci-mue"

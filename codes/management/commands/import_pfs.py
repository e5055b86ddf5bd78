"""`manage.py import_pfs`: the `pfs` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "pfs"

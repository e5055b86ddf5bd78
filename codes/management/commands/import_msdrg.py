"""`manage.py import_msdrg`: the `ms-drg` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "ms-drg"

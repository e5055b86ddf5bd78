"""`manage.py import_hcpcs`: the `hcpcs` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "hcpcs"

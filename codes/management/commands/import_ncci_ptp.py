"""`manage.py import_ncci_ptp`: the `ncci-ptp` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "ncci-ptp"

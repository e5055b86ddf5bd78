"""`manage.py import_cpt`: the `cpt-descriptors` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "cpt-descriptors"

"""`manage.py import_cpt_codes`: the `cpt-codes` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "cpt-codes"

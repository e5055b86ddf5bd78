"""`manage.py import_ncci_aoc`: the `ncci-aoc` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "ncci-aoc"

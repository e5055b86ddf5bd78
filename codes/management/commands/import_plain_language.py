"""`manage.py import_plain_language`: the `plain-language` code-set kind (see codes/importers/registry.py)."""

from codes.importers.registry import KindCommand


class Command(KindCommand):
    kind = "plain-language"

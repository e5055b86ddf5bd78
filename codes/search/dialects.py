"""The SQL that differs per database, one module each: `postgresql` and `sqlite`."""

from types import ModuleType

from django.db import connection

from . import postgresql, sqlite

_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def dialect() -> ModuleType:
    """The module holding this database's SQL (each has the same functions)."""
    return _DIALECTS[connection.vendor]

"""Cache of what code pages and suggestions show that is the same for every visitor.

Code data changes only when an import (or an editor in the admin) changes it. Every cache key
carries the *data version*, a value kept in the shared cache and replaced by `bump()`:
after an import, every key is new, so nothing stale is ever read (the old entries expire).
The shared cache is Redis or the database cache table, so all web processes agree.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "codes:data-version"


def data_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # First use, or the cache lost it (restart, eviction): start a new version, which is
        # always safe. add() keeps the value another process may have set in the meantime.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or "none"
    return version


def _set_new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def bump() -> None:
    """The code data changed: forget every cached page and suggestion.

    Bumped now and again when the transaction commits: a page rendered from the old rows
    while the import was still running is stored under the intermediate version, never read again.
    """
    _set_new_version()
    transaction.on_commit(_set_new_version)


def enabled() -> bool:
    return settings.CODE_CACHE_SECONDS > 0


def get_or_build(key: str, build: Callable[[], Any]) -> Any:
    """The value cached under `key` for the current data version, built (and stored) when missing."""
    if not enabled():
        return build()
    full_key = f"codes:{data_version()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, timeout=settings.CODE_CACHE_SECONDS)
    return value


def changed(**kwargs) -> None:
    """Signal receiver: a code or description was saved or deleted one at a time (the admin)."""
    bump()

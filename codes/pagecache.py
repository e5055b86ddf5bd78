"""Cache of what code pages and suggestions show that is the same for every visitor.

Code data changes only when an import (or an editor in the admin) changes it. Every cached
value is stored with the *data version* it was built from, a value kept in the shared cache and
replaced by `bump()`: after an import no stored value matches, so nothing stale is ever read
(the old entries are overwritten or expire). The version and the values are read together in
one round trip. The shared cache is Redis or the database cache table, so all web processes agree.
"""

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "codes:data-version"


def _new_version() -> str:
    # When it was made, after the dot: a read replica may not have the new rows yet (write()).
    return f"{uuid.uuid4().hex}.{int(time.time())}"


def data_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # First use, or the cache lost it (restart, eviction): start a new version, which is
        # always safe. add() keeps the value another process may have set in the meantime.
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY) or "none"
    return version


def _set_new_version() -> None:
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def _settled(version: str) -> bool:
    """Whether a replica has had time to replay the change that made `version`
    (PAGE_CACHE_SETTLE_SECONDS: REPLICA_LAG_SECONDS with a replica, else 0)."""
    made = version.rpartition(".")[2]
    return not made.isdigit() or time.time() - int(made) >= settings.PAGE_CACHE_SETTLE_SECONDS


def bump() -> None:
    """The code data changed: forget every cached page and suggestion.

    Bumped now and again when the transaction commits: a page rendered from the old rows
    while the import was still running is stored under the intermediate version, never read again.
    """
    _set_new_version()
    transaction.on_commit(_set_new_version)


def enabled() -> bool:
    return settings.CODE_CACHE_SECONDS > 0


def read(keys: list[str]) -> tuple[str, dict[str, Any]]:
    """(the current data version, {key: value} for those of `keys` stored for that version).

    Read the version *before* building what is missing and store it with that version: if an
    import commits in between, the value is stored under the old version and never served."""
    if not enabled() or not keys:
        return "", {}  # nothing to read, nor to write back (write() needs a version)
    found = cache.get_many([VERSION_KEY, *(f"codes:{key}" for key in keys)])
    version = found.pop(VERSION_KEY, None)
    if version is None:
        return data_version(), {}
    current = {}
    for full_key, (stored_version, value) in found.items():
        if stored_version == version:
            current[full_key.removeprefix("codes:")] = value
    return version, current


def write(key: str, value: Any, *, version: str) -> None:
    """Store `value` for `version`; not yet while a replica may still be replaying the import
    that made the version (the page was built from its rows, maybe the old ones): until then
    pages are built on each request, then cached as usual."""
    if enabled() and version and _settled(version):
        cache.set(f"codes:{key}", (version, value), timeout=settings.CODE_CACHE_SECONDS)


def get_or_build(key: str, build: Callable[[], Any]) -> Any:
    """The value cached under `key` for the current data version, built (and stored) when missing."""
    version, found = read([key])
    if key in found:
        return found[key]
    value = build()
    write(key, value, version=version)
    return value


def changed(**kwargs) -> None:
    """Signal receiver: a code or description was saved or deleted one at a time (the admin)."""
    bump()

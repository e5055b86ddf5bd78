"""A cache backend for state that must never be dropped to make room: rate-limit counts and
login lockouts (settings.CACHES["ratelimits"] when there is no Redis)."""

from django.core.cache.backends.db import DatabaseCache
from django.db import connections


class ExpiringDatabaseCache(DatabaseCache):
    """A database cache that never drops a live entry to make room.

    Django's culls a third of the table, expired or not, once it holds MAX_ENTRIES, so anyone
    who can make the site cache things could wipe every limit. Here only expired rows are
    deleted (checked every MAX_ENTRIES rows, 300 unless set); the table holds one row per
    limited client and action for the length of its window.
    """

    def _cull(self, db, cursor, now, num) -> None:
        connection = connections[db]
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(self._table)} WHERE {connection.ops.quote_name('expires')} < %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )

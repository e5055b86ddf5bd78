"""The shared cache's backends: Django's, with batched reads, and for Redis one client per pool.

Batched reads: a code page reads the signed-in user, the data version and the page itself from the
cache, each a round trip of its own where the code asking for it lives. `with cache.batched(keys):`
reads them all in one round trip; inside the block, get() and get_many() of those keys are answered
from what was read (a key that was missing stays missing), and any write of a key forgets what was
read for it. The batch belongs to the block (a context variable): nothing outlives the request.

One client per pool: Django's RedisCacheClient builds a new `redis.Redis` for every cache call,
and redis-py's constructor fills a table of ~170 response callbacks each time: about 0.1 ms of CPU
per call, more than the round trip itself. A client is only a handle on a connection pool (which
is thread-safe and resets itself after a fork), so one client per pool does the same work.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connections

_MISSING = object()
_NOT_BATCHED = object()
_batch: ContextVar[tuple[object, dict[str, Any]] | None] = ContextVar("codingahead_cache_batch", default=None)


class BatchedReadsMixin:
    @contextmanager
    def batched(self, keys: Iterable[str | None]) -> Iterator[None]:
        keys = [key for key in keys if key is not None]
        found = self.get_many(keys)
        token = _batch.set((self, {key: found.get(key, _MISSING) for key in keys}))
        try:
            yield
        finally:
            _batch.reset(token)

    def _read(self, key: str, version) -> Any:
        batch = _batch.get()
        if batch is None or batch[0] is not self or version is not None:
            return _NOT_BATCHED
        return batch[1].get(key, _NOT_BATCHED)

    def _forget(self, keys: Iterable[str]) -> None:
        batch = _batch.get()
        if batch is not None and batch[0] is self:
            for key in keys:
                batch[1].pop(key, None)

    def get(self, key, default=None, version=None):
        value = self._read(key, version)
        if value is _NOT_BATCHED:
            return super().get(key, default, version)
        return default if value is _MISSING else value

    def get_many(self, keys, version=None):
        keys = list(keys)
        values = [self._read(key, version) for key in keys]
        if not keys or _NOT_BATCHED in values:
            return super().get_many(keys, version)
        return {key: value for key, value in zip(keys, values, strict=True) if value is not _MISSING}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget([key])
        return super().set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget([key])
        return super().add(key, value, timeout, version)

    def delete(self, key, version=None):
        self._forget([key])
        return super().delete(key, version)

    def incr(self, key, delta=1, version=None):
        self._forget([key])
        return super().incr(key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(data)
        return super().set_many(data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._forget(keys)
        return super().delete_many(keys, version)

    def clear(self):
        batch = _batch.get()
        if batch is not None and batch[0] is self:
            batch[1].clear()
        return super().clear()


class ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            self._pools.setdefault(index, self._pool_class.from_url(self._servers[index], **self._pool_options))
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class SharedRedisCache(BatchedReadsMixin, RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingClient


class DatabaseCache(BatchedReadsMixin, DjangoDatabaseCache):
    pass


class ExpiringDatabaseCache(DjangoDatabaseCache):
    """A database cache that never drops a live entry to make room: rate-limit counts and lockouts.

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

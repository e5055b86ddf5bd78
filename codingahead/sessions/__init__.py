"""Django's database session stores, minus two writes for every new session.

Django checks that a new random key is unused before inserting it (a read of the database, and of
the cache for cached_db), then saves a brand-new session a second time when the response goes out.
The INSERT refuses a key in use by itself (create() then draws another), and a session unchanged
since it was created has nothing to save. Every guest's first code page creates a session (the
meter tells guests apart by it), so this is a guest's first page's main cost.

SESSION_ENGINE is codingahead.sessions.db, or codingahead.sessions.cached_db with Redis.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class FewerWritesMixin:
    _created_with: bytes | None = None  # the data a session was created with in this request

    def _get_new_session_key(self) -> str:
        # 32 characters from 36: a collision is as likely as guessing a session key.
        return get_random_string(32, VALID_KEY_CHARS)

    def _serialized(self) -> bytes:
        # Serialized, not copied: a change deep inside a value counts as a change.
        return self.serializer().dumps(self._get_session())

    def create(self) -> None:
        super().create()
        self._created_with = self._serialized()

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
            return
        if must_create:
            super().save(must_create=True)
            return
        if self._created_with is not None and self._created_with == self._serialized():
            return  # created during this request, unchanged since
        super().save()
        self._created_with = None

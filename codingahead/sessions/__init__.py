"""Django's database session stores, with a new session written once, in one statement.

Django checks that a new random key is unused before inserting it (a read of the database, and of
the cache for cached_db), inserts it inside a transaction of its own (BEGIN and COMMIT: two more
round trips), then saves the brand-new session a second time when the response goes out. The
INSERT refuses a key in use by itself (create() then draws another), one statement outside a
transaction is atomic by itself, and a session unchanged since it was created has nothing to save.

SESSION_ENGINE is codingahead.sessions.db, or codingahead.sessions.cached_db with Redis.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.db import IntegrityError, connections, router
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


class InsertOnceStore(db.SessionStore):
    """Listed after cached_db's store, so cached_db still writes the cache after the INSERT."""

    def save(self, must_create: bool = False) -> None:
        if not must_create or self.session_key is None:
            super().save(must_create=must_create)
            return
        obj = self.create_model_instance(self._get_session(no_load=True))
        connection = connections[router.db_for_write(self.model, instance=obj)]
        if connection.in_atomic_block:
            super().save(must_create=True)  # inside a transaction a failed INSERT needs its savepoint
            return
        # The ORM's INSERT costs more than the statement; PostgreSQL prepares it (codingahead/db).
        cursor = getattr(connection, "prepared_cursor", connection.cursor)()
        table = connection.ops.quote_name(self.model._meta.db_table)
        expire_date = self.model._meta.get_field("expire_date")
        try:
            with cursor:
                cursor.execute(
                    f"INSERT INTO {table} (session_key, session_data, expire_date) VALUES (%s, %s, %s)",
                    [obj.session_key, obj.session_data, expire_date.get_db_prep_value(obj.expire_date, connection)],
                )
        except IntegrityError as error:
            raise CreateError from error

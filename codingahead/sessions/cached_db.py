from django.contrib.sessions.backends import cached_db

from . import FewerWritesMixin, InsertOnceStore


class SessionStore(FewerWritesMixin, cached_db.SessionStore, InsertOnceStore):
    def save(self, must_create: bool = False) -> None:
        if must_create:
            # Not into the cache yet: it goes there when first read back (cached_db's load). A
            # session that is never read again costs no cache write.
            InsertOnceStore.save(self, must_create=True)
            return
        super().save(must_create=must_create)

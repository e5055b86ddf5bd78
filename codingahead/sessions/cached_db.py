from django.contrib.sessions.backends import cached_db

from . import FewerWritesMixin, InsertOnceStore


class SessionStore(FewerWritesMixin, cached_db.SessionStore, InsertOnceStore):
    pass

from django.contrib.sessions.backends import cached_db

from . import FewerWritesMixin


class SessionStore(FewerWritesMixin, cached_db.SessionStore):
    pass

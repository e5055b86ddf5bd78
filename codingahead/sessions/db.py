from django.contrib.sessions.backends import db

from . import FewerWritesMixin


class SessionStore(FewerWritesMixin, db.SessionStore):
    pass

from . import FewerWritesMixin, InsertOnceStore


class SessionStore(FewerWritesMixin, InsertOnceStore):
    pass

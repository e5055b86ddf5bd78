"""Database router for a read replica (settings.DATABASE_REPLICA_URL).

Code pages and search read the code-set tables (the `codes` app) from the replica; every write,
and every read of anything else (accounts, metering, sessions, jobs...), goes to the primary.
Inside a transaction on the primary (an import, a metered view's spend) reads stay on the
primary too, so a process always reads what it has just written.
"""

from django.db import transaction

REPLICA_APPS = {"codes"}


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in REPLICA_APPS and not transaction.get_connection("default").in_atomic_block:
            return "replica"
        return "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"  # the replica follows the primary by replication

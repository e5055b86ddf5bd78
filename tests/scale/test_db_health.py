"""Persistent connections (CONN_MAX_AGE, CONN_HEALTH_CHECKS): a connection the server closed is
replaced before a request can fail on it."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend")


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_and_the_next_query_works():
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with connection.get_new_connection(connection.get_connection_params()) as other:  # a raw psycopg connection
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    _wait_until_readable(connection.connection)
    assert not connection.is_usable()
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def _wait_until_readable(raw, timeout: float = 5.0) -> None:
    import select

    select.select([raw.fileno()], [], [], timeout)

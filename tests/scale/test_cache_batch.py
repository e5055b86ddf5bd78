"""codingahead/cache.py: reads batched into one round trip, never stale within the batch."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db  # the database cache table backs the cache in tests


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_reads_inside_a_batch_make_no_round_trip():
    cache.set_many({"a": 1, "b": 2})
    with CaptureQueriesContext(connection) as queries, cache.batched(["a", "b", "missing"]):
        during = len(queries.captured_queries)
        assert cache.get("a") == 1
        assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
        assert cache.get("missing", "default") == "default"
        assert len(queries.captured_queries) == during
    assert during == 1  # the batch itself: one read


def test_a_write_inside_the_batch_is_read_back():
    cache.set("a", 1)
    with cache.batched(["a", "b"]):
        cache.set("a", 2)
        cache.add("b", 3)
        assert cache.get("a") == 2
        assert cache.get("b") == 3
        cache.delete("a")
        assert cache.get("a") is None


def test_keys_outside_the_batch_and_after_it_are_read_from_the_cache():
    cache.set("a", 1)
    with cache.batched(["a"]):
        cache.set("c", 3)
        assert cache.get("c") == 3
    cache.set("a", 5)
    assert cache.get("a") == 5


def test_a_cleared_cache_forgets_the_batch():
    cache.set("a", 1)
    with cache.batched(["a"]):
        cache.clear()
        assert cache.get("a") is None

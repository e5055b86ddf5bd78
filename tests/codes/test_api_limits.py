"""Every list endpoint of the JSON API reads `limit` the same way and refuses a bad one with a 400."""

import pytest

pytestmark = pytest.mark.django_db

LISTS = [
    ("/api/v1/search", {"q": "fracture"}, 100),
    ("/api/v1/icd-10-cm/index", {"term": "fracture"}, 100),
    ("/api/v1/icd-10-cm/guidelines", {"q": "sequencing"}, 50),
]


@pytest.mark.parametrize(("url", "params", "most"), LISTS)
@pytest.mark.parametrize("limit", ["0", "abc", "-3", "2.5", "{most_plus_one}"])
def test_a_bad_limit_is_refused_with_its_range(client, url, params, most, limit):
    limit = str(most + 1) if limit == "{most_plus_one}" else limit
    response = client.get(url, {**params, "limit": limit})
    assert response.status_code == 400
    assert f"limit must be a whole number from 1 to {most}." in response.json()["error"]


@pytest.mark.parametrize(("url", "params", "most"), LISTS)
def test_a_good_limit_is_taken(client, url, params, most):
    assert client.get(url, {**params, "limit": str(most)}).status_code == 200

import pytest

from jobs.models import SavedJob, SavedSearch
from tests.factories import make_job

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite_smoke
def test_a_coder_saves_and_unsaves_a_job(client, coder, employer):
    job = make_job(employer)
    client.force_login(coder)
    client.post(f"/jobs/{job.pk}/save/")
    assert SavedJob.objects.filter(user=coder, job=job).exists()
    assert "Outpatient Coder" in client.get("/jobs/saved/").content.decode()
    assert "Remove from saved jobs" in client.get(job.get_absolute_url()).content.decode()
    client.post(f"/jobs/{job.pk}/save/")
    assert not SavedJob.objects.exists()


def test_saving_needs_an_account(client, employer):
    job = make_job(employer)
    response = client.post(f"/jobs/{job.pk}/save/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not SavedJob.objects.exists()


def test_a_coder_saves_a_search_with_its_filters(client, coder):
    client.force_login(coder)
    response = client.post(
        "/jobs/searches/save/",
        {"query": "state=TX&credential=CRC&workplace=remote&page=3&bogus=1", "frequency": "weekly"},
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get()
    assert search.query == "credential=CRC&workplace=remote&state=TX"
    assert search.name == "CRC; Remote; Texas"
    assert search.frequency == "weekly"
    page = client.get("/jobs/searches/").content.decode()
    assert "CRC; Remote; Texas" in page
    assert "Weekly" in page
    # Saving the same search again changes its frequency instead of adding a second one.
    client.post("/jobs/searches/save/", {"query": "credential=CRC&workplace=remote&state=TX", "frequency": "daily"})
    assert SavedSearch.objects.get().frequency == "daily"


def test_a_saved_search_is_deleted_only_by_its_owner(client, coder, employer):
    search = SavedSearch.objects.create(user=coder, query="state=TX", name="Texas")
    client.force_login(employer)
    client.post("/jobs/searches/", {"delete": search.pk})
    assert SavedSearch.objects.exists()
    client.force_login(coder)
    client.post("/jobs/searches/", {"delete": search.pk})
    assert not SavedSearch.objects.exists()


def test_a_bad_frequency_is_refused(client, coder):
    client.force_login(coder)
    assert client.post("/jobs/searches/save/", {"query": "", "frequency": "hourly"}).status_code == 400


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_saving_never_redirects_off_the_site(client, coder, employer, next_url):
    job = make_job(employer)
    client.force_login(coder)
    response = client.post(f"/jobs/{job.pk}/save/", {"next": next_url})
    assert response["Location"] == job.get_absolute_url()


@pytest.mark.parametrize("value", ["abc", "", "1.5", "9" * 40, "-1"])
def test_deleting_a_saved_search_with_a_malformed_id_is_a_400_not_a_500(client, coder, value):
    search = SavedSearch.objects.create(user=coder, query="state=TX", name="Texas")
    client.force_login(coder)
    response = client.post("/jobs/searches/", {"delete": value})
    assert response.status_code == 400
    assert "Choose a saved search to delete." in response.content.decode()
    assert SavedSearch.objects.filter(pk=search.pk).exists()

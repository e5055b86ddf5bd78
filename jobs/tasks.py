from django_tasks import task

from . import alerts


@task()
def send_saved_search_digest(search_id: int) -> int:
    return alerts.send_digest(search_id=search_id)

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"

    def ready(self) -> None:
        # Models load only once apps are ready: these modules import them.
        from accounts import privacy

        from . import privacy as jobs_privacy

        privacy.register("jobs", export=jobs_privacy.export)

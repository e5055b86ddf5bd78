from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Models load only once apps are ready: these modules import them. Importing backends and
        # signals connects their receivers (profiles, cached users forgotten).
        from . import backends, privacy, signals  # noqa: F401

        privacy.register("accounts", export=privacy.export_accounts, erase=privacy.erase_accounts)

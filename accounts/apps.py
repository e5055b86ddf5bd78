from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Models load only once apps are ready: these modules import them. Importing backends,
        # quota and signals connects their receivers (profiles, guest views carried over on
        # login, cached users forgotten).
        from . import backends, privacy, quota, signals  # noqa: F401

        privacy.register("accounts", export=privacy.export_accounts, erase=privacy.erase_accounts)

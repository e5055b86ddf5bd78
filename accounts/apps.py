from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Connect the receivers: profiles, guest views carried over on login, cached users forgotten.
        from . import backends, quota, signals  # noqa: F401

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from . import quota, signals  # noqa: F401  (connect the profile and guest-views-on-login receivers)

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.apps import AppConfig
from django.core.cache import caches
from django.utils.connection import ConnectionProxy


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Models load only once apps are ready: these modules import them. Importing backends and
        # signals connects their receivers (profiles, cached users forgotten).
        from . import backends, privacy, signals  # noqa: F401

        privacy.register("accounts", export=privacy.export_accounts, erase=privacy.erase_accounts)

        # allauth keeps its rate limits and login lockouts in `django.core.cache.cache` and has no
        # setting for another alias (allauth 65, core/internal/ratelimit.py). There they could be
        # culled by filling the ordinary cache; they belong with the other limits, in the alias
        # that only expires by time. tests/security/test_rate_limit_storage.py holds this in place.
        allauth_ratelimit.cache = ConnectionProxy(caches, "ratelimits")

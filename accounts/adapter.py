"""allauth's adapter, told who the client is behind the site's proxies and what the site is called."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from codingahead.lib.ratelimits import client_ip


@dataclass(frozen=True)
class _Site:
    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Without django.contrib.sites allauth names the site after the request's host
        # ("Hello from 127.0.0.1:8000!"): the mail names the site and its address from settings.
        site = _Site(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_ROOT).netloc)
        super().send_mail(template_prefix, email, {"current_site": site, "site_root": settings.SITE_ROOT, **context})

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's login, signup and reset limits count per address: the client's, not the proxy's.
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

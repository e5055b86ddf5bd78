"""Who the client is, and one way to say "too many requests": a 429 with Retry-After.

Rate limits themselves are django-ratelimit's (counts in the shared cache, so they hold across
processes) and allauth's. This module tells them the client's address and answers when one is hit:
- `client_ip()` is RATELIMIT_IP_META_KEY and the allauth adapter's client address,
- `too_many()` for views that check a limit themselves,
- `limited()` is RATELIMIT_VIEW, the answer of every `@ratelimit(..., block=True)`,
- `RetryAfterMiddleware` adds Retry-After to any 429 that lacks one (allauth's, for instance).
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

DEFAULT_RETRY_AFTER = 60  # seconds; most limits here are per minute


def _networks(values: list[str]) -> list:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            continue
    return networks


def _trusted(address, proxies: list) -> bool:
    return any(address in network for network in proxies)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, when that is one of TRUSTED_PROXIES, the rightmost
    X-Forwarded-For hop that is not a trusted proxy (anything left of it the client could have
    written itself). None when REMOTE_ADDR is not an address.

    Behind a proxy REMOTE_ADDR is the proxy: every per-address limit and the guest meter would
    count all visitors as one without this."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip())
    except ValueError:
        return None
    proxies = _networks(settings.TRUSTED_PROXIES)
    if proxies and _trusted(address, proxies):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        for hop in reversed(hops):
            try:
                address = ipaddress.ip_address(hop)
            except ValueError:
                break  # a garbled header: keep the last address we could trust
            if not _trusted(address, proxies):
                break
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def ratelimit_ip(request: HttpRequest) -> str:
    """RATELIMIT_IP_META_KEY: django-ratelimit needs an address (it masks IPv6 to RATELIMIT_IPV6_MASK)."""
    return client_ip(request) or "0.0.0.0"


def period_seconds(rate: str) -> int:
    """The window of a django-ratelimit rate ("10/h", "5/5m") in seconds: the honest Retry-After."""
    period = rate.partition("/")[2]
    number, unit = period[:-1], period[-1:]
    return (int(number) if number else 1) * {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit, DEFAULT_RETRY_AFTER)


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def too_many(
    request: HttpRequest,
    *,
    rate: str | None = None,
    retry_after: int | None = None,
    message: str = "Too many requests in a short time. Please wait a moment, then try again.",
    as_json: bool | None = None,
    template: str = "429.html",
) -> HttpResponse:
    """The one 429 of the site: JSON {"error", "retry_after"} for APIs and scripts, else `template`
    (the site's 429 page unless a page has its own). Retry-After is `retry_after` seconds when
    known, else the window of the `rate` that was passed, else a minute."""
    if retry_after is None:
        retry_after = period_seconds(rate) if rate else DEFAULT_RETRY_AFTER
    if as_json is None:
        as_json = wants_json(request)
    if as_json:
        response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    else:
        response = render(request, template, {"message": message, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """RATELIMIT_VIEW: django-ratelimit calls this when a `block=True` limit is passed."""
    return too_many(request)


class RetryAfterMiddleware:
    """Every 429 tells the client when to come back, whoever produced it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(DEFAULT_RETRY_AFTER)
        return response

"""One way to say "too many requests": a 429 with Retry-After, as a page or as JSON.

Rate limits themselves are django-ratelimit's (counts in the shared cache, so they hold across
processes) and allauth's. This module only answers when one is hit:
- `too_many()` for views that check a limit themselves,
- `limited()` is RATELIMIT_VIEW, the answer of every `@ratelimit(..., block=True)`,
- `RetryAfterMiddleware` adds Retry-After to any 429 that lacks one (allauth's, for instance).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

DEFAULT_RETRY_AFTER = 60  # seconds; most limits here are per minute


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
    retry_after: int = DEFAULT_RETRY_AFTER,
    message: str = "Too many requests in a short time. Please wait a moment, then try again.",
    as_json: bool | None = None,
) -> HttpResponse:
    """A 429: JSON {"error", "retry_after"} for APIs and scripts, else the site's 429 page."""
    if as_json is None:
        as_json = wants_json(request)
    if as_json:
        response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    else:
        response = render(request, "429.html", {"message": message, "retry_after": retry_after}, status=429)
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

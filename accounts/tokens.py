"""Personal API tokens on /api/v1/: who a bearer token belongs to, and the per-token rate limit.

The quota middleware calls `user_for_bearer(request)` to meter an API call like the token owner's
plan; API views wear `@api_auth`, which sets `request.user` from the token and rate-limits it.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_ratelimit.core import get_usage

from codingahead.lib.ratelimits import too_many

from .models import ApiToken
from .quota import plan_for

# Plans whose users may hold API tokens.
TOKEN_PLANS = {"pro", "staff"}

_UNSET = object()


def can_use_tokens(user) -> bool:
    return user.is_authenticated and user.is_active and plan_for(user) in TOKEN_PLANS


def _bearer_secret(request: HttpRequest) -> str | None:
    """The secret from `Authorization: Bearer <secret>`, "" for another or empty scheme, None without the header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _lookup(request: HttpRequest) -> tuple[ApiToken | None, bool]:
    """(the token the request carries, whether its owner's plan allows tokens), read once per request:
    the quota middleware and the view both ask."""
    cached = getattr(request, "_api_token", _UNSET)
    if cached is not _UNSET:
        return cached
    secret = _bearer_secret(request)
    token = ApiToken.objects.for_secret(secret) if secret else None
    # A token outlives a lapsed Pro plan, but does not work until the plan is back.
    request._api_token = (token, token is not None and can_use_tokens(token.user))
    return request._api_token


def token_for_request(request: HttpRequest) -> ApiToken | None:
    """The valid, usable token the request carries, else None."""
    token, usable = _lookup(request)
    return token if usable else None


def user_for_bearer(request: HttpRequest):
    """The user a valid `Authorization: Bearer` token belongs to, else None."""
    token = token_for_request(request)
    return token.user if token else None


def _error(message: str, status: int, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def api_auth(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Authenticate an API view by bearer token (when one is sent) and rate-limit each token.

    Without an Authorization header the view runs for the session's user (or anonymously);
    with one, the token must be valid or the call is refused with 401.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _bearer_secret(request) is None:
            return view(request, *args, **kwargs)
        token, usable = _lookup(request)
        if token is not None and not usable:
            return _error("This API token's account has no Pro or staff plan: tokens work only on those plans.", 403)
        if token is None:
            return _error(
                "Invalid or revoked API token. Send 'Authorization: Bearer <token>' with a token from your account page "
                "(Pro and staff plans).",
                401,
                WWW_Authenticate='Bearer realm="api"',
            )
        usage = get_usage(
            request,
            group="api-token",
            key=lambda group, request: str(token.pk),
            rate=settings.API_TOKEN_RATE,
            increment=True,
        )
        if usage and usage["should_limit"]:
            wait = max(1, int(usage["time_left"]))
            return too_many(
                request,
                retry_after=wait,
                message=f"Rate limit exceeded for this API token ({settings.API_TOKEN_RATE}). Retry in {wait} seconds.",
                as_json=True,
            )
        request.user = token.user
        token.touch()
        return view(request, *args, **kwargs)

    return wrapper

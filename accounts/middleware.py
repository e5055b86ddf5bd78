"""Metered views: `@metered` marks them, `QuotaMiddleware` gives every request its quota.

Counting lives in accounts/quota.py. A metered view asks `request.quota.spend(code)` and renders
the gate itself (HTTP 200 with paywall markup), so the page still shows the code and its hierarchy.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import quota


def metered(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view as metered: it spends a code page view (decorators using functools.wraps keep the mark)."""
    view.metered = True
    return view


class QuotaMiddleware:
    """Attaches `request.quota`; listed after the session, authentication and allauth middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        quota_ = getattr(request, "quota", None)
        if quota_ is not None and quota_.new_guest_key:
            quota.set_guest_cookie(response, quota_.guest_key)
        if getattr(request, "metered", False):
            # The banner and the gate differ per visitor: no shared cache may keep a metered page.
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie", "Authorization"])
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict) -> None:
        request.quota = quota.for_request(request)  # cheap: nothing is read until asked
        request.metered = getattr(view_func, "metered", False)

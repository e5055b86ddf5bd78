"""GET /healthz for load balancers and the container's HEALTHCHECK: can this process reach the
database and the cache? Not metered, not rate-limited, no session, two tiny round trips."""

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not reachable"; the details go to the log, not the probe
        return False


def _cache() -> bool:
    try:
        # One read: it fails when the cache server (or the cache table) cannot be reached.
        cache.get("healthz")
        return True
    except Exception:
        return False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "cache": _cache()}
    healthy = all(checks.values())
    return JsonResponse({"status": "ok" if healthy else "fail", **checks}, status=200 if healthy else 503)

"""GET /api/v1/openapi.json: the OpenAPI description of /api/v1/ (codingahead/openapi.json).

The file is the description: it is served as it is, read once per process (it only changes with a
deploy), with an ETag so clients and caches revalidate cheaply. Not metered, not rate-limited, no
session: it costs no more than a static file.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

PATH = Path(__file__).with_name("openapi.json")


@cache
def _document() -> tuple[bytes, str]:
    content = PATH.read_bytes()
    return content, hashlib.sha256(content).hexdigest()[:32]


@require_safe
@cache_control(public=True, max_age=3600)
@condition(etag_func=lambda request: _document()[1])
def openapi_json(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_document()[0], content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"  # API explorers on other sites may read the description
    return response

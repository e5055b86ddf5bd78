"""The site's URLs plus a bare view: a template of a given size, no database. Only the
benchmark server uses this URLconf (bench/settings.py)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from codingahead.urls import urlpatterns as site_urlpatterns

BARE_TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bare</title></head>
<body>
<dl>{% for key, value in fields.items %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
<ul>{% for row in rows %}<li>{{ row }}</li>
{% endfor %}</ul>
</body></html>"""
)
FIELDS = {f"field{i}": f"value {i}" for i in range(30)}


def bare(request, size: int):
    # 30 fields and a loop of ~100-byte rows, sized to `size` bytes like the page it stands for.
    rows = [f"{'x' * 90}{i:05d}" for i in range(max(1, size // 105))]
    return HttpResponse(BARE_TEMPLATE.render({"rows": rows, "fields": FIELDS}, request))


urlpatterns = [path("bench/bare/<int:size>/", bare), *site_urlpatterns]

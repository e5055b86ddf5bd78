"""The site's settings for the benchmark server, with bench/urls.py (the site plus a bare view)
as the URLconf. Only bench/codepages.py starts a server with these."""

from codingahead.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

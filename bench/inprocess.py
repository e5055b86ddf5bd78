"""Worker CPU per code-page request, in one process: quick to compare two versions of the code.

bench/run measures the real server (gunicorn, wrk, Redis) but its figures swing with whatever else
the machine runs; this runs the same pages through Django's test client in this process, with the
benchmark server's settings, and reports the CPU time (not the wall time) each request took, so an
A/B of a change reads plainly even on a busy machine. Run it before and after, alternately.

    DATABASE_URL=postgres://.../full [REDIS_URL=redis://...] python bench/inprocess.py [--requests 300] [pro guest ...]

Kinds: bare (the bare view), guest, free, pro, uncached (Pro without the page cache). Needs the code
sets loaded (manage.py load_codesets); writes the benchmark users bench/run writes.
"""

import argparse
import importlib.machinery
import importlib.util
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.codepages import SERVER_ENV, sample_paths  # noqa: E402

KINDS = ("bare", "guest", "free", "pro", "uncached")


def _bench_run():
    """bench/run as a module (it has no .py suffix): its benchmark users and its bare page size."""
    loader = importlib.machinery.SourceFileLoader("bench_run", str(ROOT / "bench" / "run"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("bench_run", loader))
    loader.exec_module(module)
    return module


def _get(client, path: str, *, cookie: str, address: int) -> None:
    """One request from a new client address, as bench/run sends them; a guest is a new visitor
    each time (no cookie kept), a user sends only the session cookie."""
    client.cookies.clear()
    headers = {"HTTP_X_FORWARDED_FOR": f"10.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"}
    if cookie:
        headers["HTTP_COOKIE"] = cookie
    response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", help=f"some of {', '.join(KINDS)} (default: all)")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if unknown := set(args.kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    os.environ.update({**SERVER_ENV, "ALLOWED_HOSTS": "testserver", "TRUSTED_PROXIES": "127.0.0.1"})
    paths = sample_paths(200, seed=1)  # also sets Django up
    from django.conf import settings
    from django.test import Client

    sessions = _bench_run()._sessions()
    client = Client()
    cached_seconds = settings.CODE_CACHE_SECONDS
    address = random.randrange(2**24)  # a run must not meet the last run's visitors (their views are spent)
    for kind in args.kinds or KINDS:
        settings.CODE_CACHE_SECONDS = 0 if kind == "uncached" else cached_seconds
        user = {"free": "free", "pro": "pro", "uncached": "pro"}.get(kind)
        cookie = f"sessionid={sessions[user]}" if user else ""
        pages = ["/bench/bare/21000/"] if kind == "bare" else paths
        for path in pages:  # warm: every page's cached body, as bench/run has them
            address += 1
            _get(client, path, cookie=cookie, address=address)
        started = time.process_time()
        for i in range(args.requests):
            address += 1
            _get(client, pages[i % len(pages)], cookie=cookie, address=address)
        cpu = (time.process_time() - started) / args.requests
        print(f"{kind:10} {cpu * 1e6:8,.0f} µs CPU per request")


if __name__ == "__main__":
    main()

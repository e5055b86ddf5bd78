"""gunicorn settings; every value can be overridden with GUNICORN_* style env vars below."""

import gc
import multiprocessing
import os

bind = os.getenv("BIND", "0.0.0.0:8000")
# Sync workers beat threads on these CPU-bound pages (see /docs/performance.md).
workers = int(os.getenv("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
worker_class = "sync"
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (a guard against slow leaks). Each replacement
# costs the first requests of the new worker its warm-up (connections, template cache): at 2,000
# a busy worker was replaced every two seconds, and that was most of the slowest 1% of requests.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
accesslog = os.getenv("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
errorlog = "-"
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = True


def pre_fork(server, worker) -> None:
    # Everything the preloaded app allocated moves to the permanent generation: the workers'
    # garbage collections no longer walk it (shorter pauses), and its memory stays shared with
    # the master instead of being copied on the collector's writes.
    gc.freeze()

"""gunicorn settings; every value can be overridden with GUNICORN_* style env vars below."""

import multiprocessing
import os

bind = os.getenv("BIND", "0.0.0.0:8000")
# Sync workers beat threads on these CPU-bound pages (see /docs/performance.md).
workers = int(os.getenv("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
worker_class = "sync"
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = os.getenv("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
errorlog = "-"
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = True

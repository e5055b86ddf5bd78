"""Code-page throughput: gunicorn on the configured database, wrk on loopback.

Serves the site with gunicorn (sync workers, production settings), then measures with
wrk -t1 -c16 --latency, in one run: code pages (a random sample of code URLs across every
system, rotated by a wrk script) and a bare Django view rendering a template of the same
size (the ceiling for a page of that size). Prints requests per second and p50/p99.

    DATABASE_URL=postgres://... python bench/codepages.py [--duration 10] [--sample 500]

Needs the code sets loaded in that database (manage.py load_codesets) and Debian's wrk.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "bench-only-secret-key-bench-only-secret-key-bench-only-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "False",
    "DJANGO_SETTINGS_MODULE": "bench.settings",  # the site plus the bare view (bench/urls.py)
    "GUNICORN_ACCESSLOG": "",
    "LOG_LEVEL": "WARNING",
}


def sample_paths(count: int, seed: int) -> list[str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingahead.settings")
    django.setup()
    from codes.models import Code

    rng = random.Random(seed)
    paths = []
    pages = Code.objects.pages()
    for system in ("icd-10-cm", "icd-10-pcs", "hcpcs", "cpt", "ms-drg"):
        ids = list(pages.filter(system=system).values_list("pk", flat=True))
        if not ids:
            continue
        chosen = rng.sample(ids, min(len(ids), count // 5))
        paths += [c.get_absolute_url() for c in Code.objects.filter(pk__in=chosen)]
    rng.shuffle(paths)
    return paths


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    # Production settings serve hashed static file names from the manifest collectstatic writes.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "codingahead.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def fetch_sizes(port: int, paths: list[str], *, cookie: str = "") -> list[int]:
    sizes = []
    for path in paths:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie} if cookie else {})
        with urllib.request.urlopen(request, timeout=10) as response:
            sizes.append(len(response.read()))
    return sizes


def wrk(url: str, *, duration: int, connections: int, paths: list[str] | None = None) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if paths:
            # wrk rotates through the sampled pages, one per request.
            script.write("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n")
            script.write(
                "i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
            )
            script.flush()
            cmd += ["-s", script.name]
        output = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "requests": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    paths = sample_paths(args.sample, args.seed)
    if not paths:
        raise SystemExit("no code pages: load the code sets first (manage.py load_codesets)")
    server = start_server(args.port, args.workers)
    try:
        sizes = fetch_sizes(args.port, paths)  # also warms every worker's connection
        size = sum(sizes) // len(sizes)
        base = f"http://127.0.0.1:{args.port}"
        results = {
            "code pages": wrk(base, duration=args.duration, connections=args.connections, paths=paths),
            f"bare Django view, {size:,} bytes": wrk(
                f"{base}/bench/bare/{size}/", duration=args.duration, connections=args.connections
            ),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    print(
        f"{len(paths)} code pages, mean size {size:,} bytes; gunicorn {args.workers} sync workers; "
        f"wrk -t1 -c{args.connections} -d{args.duration}s"
    )
    print(f"{'what':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, r in results.items():
        print(
            f"{name:<40} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}"
            + (f"  ({r['non_2xx']} non-2xx)" if r["non_2xx"] else "")
        )
    ceiling = list(results.values())[1]["rps"]
    print(f"code pages at {results['code pages']['rps'] / ceiling:.0%} of the bare-view ceiling")


if __name__ == "__main__":
    main()

"""Code-page throughput with and without metering (accounts/quota.py), in one run.

Reuses bench/codepages.py: gunicorn (sync workers, production settings) on the configured
database and wrk -t1 --latency rotating a random sample of code-page URLs. Every run is as one
signed-in free account (a session cookie), so sessions and user loading cost the same each time:

- "metering off": METERING_ENABLED=False (the ceiling);
- "metered, free account": every page spends a view (plan read plus the counting statement);
  the allowance is raised so that every page is the full page, not the gate;
- "metered, pro account": unlimited, but each view is still recorded (recently viewed).

    DATABASE_URL=postgres://... python bench/metering.py [--duration 10] [--sample 500]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import codepages  # noqa: E402


def session_cookie(*, email: str, pro: bool) -> str:
    """A logged-in session for a bench user, created directly in the database."""
    import datetime

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import Plan, QuotaCounter
    from codes.models import CodeView

    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    Plan.objects.filter(user=user).delete()
    if pro:
        today = datetime.date.today()
        Plan.objects.create(user=user, starts=today, ends=today + datetime.timedelta(days=1))
    # Start from nothing viewed, so the first pass over the sample counts every page.
    CodeView.objects.filter(user=user).delete()
    QuotaCounter.objects.filter(subject=f"u:{user.pk}").delete()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def wrk(url: str, *, duration: int, connections: int, paths: list[str], cookie: str) -> dict:
    """bench/codepages.py's wrk run, with the session cookie on every request."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
        script.write("i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
        "-s",
        script.name,
    ]
    try:
        output = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    return codepages.parse_wrk(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    # The session auth hash depends on SECRET_KEY: use the server's.
    os.environ["SECRET_KEY"] = codepages.SERVER_ENV["SECRET_KEY"]
    os.environ["PLAN_FREE_CODE_VIEWS"] = "1000000"  # every page is a full page, every new code counts
    paths = codepages.sample_paths(args.sample, args.seed)
    if not paths:
        raise SystemExit("no code pages: load the code sets first (manage.py load_codesets)")

    runs = [
        ("metering off", "False", False),
        ("metered, free account", "True", False),
        ("metered, pro account", "True", True),
    ]
    results = {}
    for name, enabled, pro in runs:
        cookie = session_cookie(email=f"bench-{'pro' if pro else 'free'}@example.com", pro=pro)
        os.environ["METERING_ENABLED"] = enabled
        server = codepages.start_server(args.port, args.workers)
        try:
            base = f"http://127.0.0.1:{args.port}"
            results[name] = wrk(base, duration=args.duration, connections=args.connections, paths=paths, cookie=cookie)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()

    print(
        f"{len(paths)} code pages; gunicorn {args.workers} sync workers; wrk -t1 -c{args.connections} -d{args.duration}s"
    )
    print(f"{'what':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, r in results.items():
        extra = f"  ({r['non_2xx']} non-2xx)" if r["non_2xx"] else ""
        print(f"{name:<28} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}{extra}")
    off = results["metering off"]["rps"]
    for name in ("metered, free account", "metered, pro account"):
        print(f"{name}: {results[name]['rps'] / off:.0%} of the unmetered throughput")


if __name__ == "__main__":
    main()

"""`manage.py check --deploy` with production settings: no warnings at all."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# 50+ characters, many distinct ones: what check --deploy asks of a real key.
PRODUCTION_KEY = "k3J#9vQ!pL2x@Zr8Wm5&Tn7Yb4Hc6Fd1Gs0Ae9Ru2Io3Pl4Kj5Mh6Nb7Vc8Xz"


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    # Not DJANGO_ALLOW_ASYNC_UNSAFE, which tests/conftest.py sets for Playwright: production never has it.
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment |= {"DEBUG": "False", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "example.com"}
    environment |= env
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_hsts_is_off():
    # The check really runs with our environment: turning HSTS off makes it complain.
    result = _check_deploy(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_a_short_secret_key_is_refused_in_production():
    result = _check_deploy(SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

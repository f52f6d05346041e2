"""Production settings pass Django's deployment checklist with no warnings."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parents[1]


def _check(env_extra: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo.settings.production", **env_extra}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=SITE, env=env, capture_output=True, text=True, timeout=300)


def test_check_deploy_passes_with_no_warnings():
    result = _check({"SECRET_KEY": secrets.token_urlsafe(64)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_a_missing_or_short_secret_key():
    result = _check({"SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr

"""Settings come from the environment only; production values pass Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!p2Lq9@vR4#tY8$wZ1^bN6&mK3*hJ5(gF0)dS2_aQ4+eW7-cV9=uI1~oP3",
    "ALLOWED_HOSTS": "panel.example.com",
    "DATABASE_URL": "postgres://centrala:secret@db.internal:5432/centrala",
    "REDIS_URL": "redis://redis.internal:6379/2",
    "FIELD_ENCRYPTION_KEY": "9Qz0mZ6m3m4vY3pQ2fX0m7T2rW8nB5cK1dL6hG4jS0E=",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith(("CENTRALA_", "DJANGO_"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "centrala.settings"
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def read_settings(env: dict[str, str]) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES['default'], 'redis': s.RQ_QUEUES['default']['URL'], "
        "'hosts': s.ALLOWED_HOSTS, 'debug': s.DEBUG, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, "
        "'secure': s.SESSION_COOKIE_SECURE}, default=str))"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_are_read_from_the_environment():
    values = read_settings(PRODUCTION_ENV)
    assert values["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["db"]["HOST"] == "db.internal" and values["db"]["NAME"] == "centrala"
    assert values["redis"] == "redis://redis.internal:6379/2"
    assert values["hosts"] == ["panel.example.com"]
    assert values["debug"] is False and values["secure"] is True
    assert values["tz"] == "Europe/Warsaw" and values["lang"] == "pl"


def test_development_defaults_use_sqlite_under_var(tmp_path):
    values = read_settings({"DEBUG": "true", "CENTRALA_VAR_DIR": str(tmp_path)})
    assert values["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["db"]["NAME"].startswith(str(tmp_path))
    assert values["redis"] == "redis://127.0.0.1:6380/0"
    assert (tmp_path / "secret_key").exists()  # generated on first run


def test_missing_secret_key_in_production_names_the_variable():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_python("from django.conf import settings; settings.SECRET_KEY", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_malformed_boolean_is_refused_with_its_name():
    result = run_python("from django.conf import settings; settings.DEBUG", {**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


def test_deployment_checks_pass_with_production_environment():
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = run_python(code, {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:////tmp/centrala-check.sqlite3"})
    assert result.returncode == 0, result.stdout + result.stderr

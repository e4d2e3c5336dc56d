"""The production shape: ``check --deploy`` passes, and missing secrets stop the process at start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings

MANAGE = str(django_settings.BASE_DIR / "manage.py")
# Variables of ours that the developer's shell or CI may have set: the tests decide them.
PROJECT_VARS = {
    "DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "ALLOWED_HOSTS", "SMS_BACKEND",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "PROXY_COUNT", "AXES_ENABLED",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own process only
}  # fmt: skip


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROJECT_VARS}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        BLIND_INDEX_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="example.org",
    )
    # An empty value stands for "not set": a .env file cannot fill it in (environ never overrides).
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=django_settings.BASE_DIR,
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_debug_settings_so_the_check_can_fail():
    env = production_env(DEBUG="true")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on in deployment


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set when DEBUG is off."),
        ("FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY must be set when DEBUG is off."),
        ("BLIND_INDEX_KEY", "FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY must be set when DEBUG is off."),
    ],
)
def test_production_refuses_to_start_without_its_secrets(missing, message):
    result = manage("check", env=production_env(**{missing: ""}))

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_debug_is_off_unless_asked_for():
    # given an environment that says nothing about DEBUG and has no secrets (a bare container)
    env = production_env(DEBUG="", SECRET_KEY="")  # empty: not set (a .env file cannot fill them in)
    env["DJANGO_SETTINGS_MODULE"] = "union_portal.settings"

    # when the project starts, then it runs as production does: it refuses without its secrets
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr

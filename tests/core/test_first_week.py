"""What a newcomer meets in the first hour: a clean checkout, one warning per start, a demo that can run twice."""

from __future__ import annotations

import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from union_portal.settings import _starts_a_server

MANAGE = str(settings.BASE_DIR / "manage.py")
DEV_KEY_WARNING = "FIELD_ENCRYPTION_KEY / BLIND_INDEX_KEY are not set"


def test_the_folder_where_make_installs_uv_is_ignored_by_git():
    if shutil.which("git") is None or not (settings.BASE_DIR / ".git").exists():
        pytest.skip("not a git checkout")

    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "check-ignore", "--quiet", "--no-index", ".tools/bin/uv"],  # noqa: S607 - git from PATH
        cwd=settings.BASE_DIR,
        check=False,
    )

    assert result.returncode == 0


@pytest.mark.parametrize(
    ("argv", "environ", "warns"),
    [
        (["manage.py", "runserver"], {}, False),  # the autoreloader's watcher
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, True),  # the server it starts
        (["manage.py", "runserver", "--noreload"], {}, True),
        (["manage.py", "migrate"], {}, False),
        (["/srv/app/manage.py", "seed_demo"], {}, False),
        (["/venv/bin/django-admin", "shell"], {}, False),
        (["/venv/bin/gunicorn", "union_portal.wsgi"], {}, True),
        (["/venv/bin/celery", "-A", "union_portal", "worker"], {}, True),
    ],
)
def test_the_development_key_warning_is_for_the_process_that_serves(argv, environ, warns):
    assert _starts_a_server(argv, environ) is warns


def _dev_env(tmp_path) -> dict[str, str]:
    """A developer's shell: no keys, DEBUG on, the embedded defaults (a SQLite file of its own)."""
    drop = {
        "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DJANGO_SETTINGS_MODULE",  # the tests' own settings set keys: run with the project's
        "REDIS_URL",
    }  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["DEBUG"] = "true"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    return env


def test_runserver_with_its_reloader_warns_about_development_keys_once(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, MANAGE, "runserver", f"127.0.0.1:{port}", "--skip-checks"],
        env={**_dev_env(tmp_path), "PYTHONUNBUFFERED": "1"},
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    output = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                break
            output.append(line)
            if "Quit the server" in line:
                time.sleep(1)  # anything the server prints right after its banner
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
    while not lines.empty():
        output.append(lines.get_nowait())
    text = "".join(output)

    assert "Quit the server" in text
    assert text.count(DEV_KEY_WARNING) == 1


def test_a_one_off_command_does_not_warn(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, "check"],
        env=_dev_env(tmp_path),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert DEV_KEY_WARNING not in result.stdout + result.stderr


@pytest.mark.django_db
def test_seed_demo_twice_lists_every_demo_user_and_says_nothing_about_a_broker_host(caplog):
    caplog.set_level(logging.WARNING)
    first, second = StringIO(), StringIO()

    call_command("seed_demo", members=5, stdout=first)
    call_command("seed_demo", members=5, stdout=second)

    for output in (first.getvalue(), second.getvalue()):
        users = [line.split()[0] for line in output.splitlines() if line.startswith("  ")]
        assert "member" in users
        assert "admin" in users
    assert "member with an active card (portal)" in second.getvalue()
    assert [r.getMessage() for r in caplog.records if "hostname" in r.getMessage()] == []


def test_shared_helpers_live_in_the_platform_and_hardship_aid_takes_them_from_there():
    import assistance.api
    import assistance.portal
    import members.api
    import members.portal
    from union_portal.api.fields import RefField
    from union_portal.core.portal import proxy_agent_required

    assert assistance.api.RefField is RefField
    assert assistance.portal.proxy_agent_required is proxy_agent_required
    assert RefField.__module__ == "union_portal.api.fields"
    assert proxy_agent_required.__module__ == "union_portal.core.portal"
    assert members.api.RefField is RefField  # members uses them too, it no longer defines them
    assert members.portal.proxy_agent_required is proxy_agent_required

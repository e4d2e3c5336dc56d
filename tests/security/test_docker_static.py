"""The Docker image builds its static files as production runs them (issue 18.7).

The Dockerfile's ``collectstatic`` line is run here as written (its environment assignments taken
from the Dockerfile itself, the output directory moved to a temporary one), then the portal is
rendered with ``DEBUG=false`` against those files: every page needs the manifest that only a
production-mode ``collectstatic`` writes.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RENDER = """
import django, json
django.setup()
from django.test import Client
client = Client()
login = client.get("/portal/login/", HTTP_HOST="localhost", secure=True)
print(json.dumps({"status": login.status_code, "body": login.content.decode()[:20000]}))
"""


def dockerfile_collectstatic_env() -> dict[str, str]:
    """The variables the Dockerfile sets on its ``collectstatic`` line."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    (line,) = [ln for ln in lines if ln.startswith("RUN") and "collectstatic" in ln]
    env = {}
    for word in shlex.split(line[len("RUN") :]):
        match = re.fullmatch(r"([A-Z_]+)=(.*)", word)
        if match:
            env[match.group(1)] = match.group(2)
        elif word in ("python", "manage.py"):
            break
    return env


def test_static_files_built_like_the_dockerfile_serve_the_portal_with_debug_off(tmp_path):
    build_env = dockerfile_collectstatic_env()
    assert build_env.get("DEBUG", "false").lower() in ("false", "0", "no")  # built as production runs
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    base.update({"STATIC_ROOT": str(tmp_path / "static"), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT, env={**base, **build_env}, check=True, timeout=600,
    )  # fmt: skip
    assert (tmp_path / "static" / "staticfiles.json").exists()

    run_env = {
        **base,
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "x" * 60,
        "FIELD_ENCRYPTION_KEY": "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=",
        "BLIND_INDEX_KEY": "test-blind-index-key-0123456789",
        "ALLOWED_HOSTS": "localhost",
        "DJANGO_SETTINGS_MODULE": "union_portal.settings",
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", RENDER],
        cwd=ROOT,
        env=run_env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    import json

    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    assert re.search(r"/static/css/portal\.[0-9a-f]{12}\.css", answer["body"])

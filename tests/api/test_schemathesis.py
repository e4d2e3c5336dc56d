"""The API fuzzed against its own schema by schemathesis, as a partner's client would meet it.

The run fails on any server error, any answer the schema does not describe (status, content type,
body, headers), any request the schema forbids that is accepted, and any request the schema allows
that is refused for its shape (``schemathesis_hooks.refused_only_for_a_rule``). It goes through a live
server with a district key that may do everything, over a few rows for the ids to find.

Bounded for CI: the fuzzing phase, ``SCHEMATHESIS_MAX_EXAMPLES`` examples per operation (5 by default:
about two minutes for the 94 operations on two busy cores, plus the test database). To look harder,
add the coverage phase (every boundary and every malformed value of every parameter; about seven
minutes at 2 examples here, and it passes): ``SCHEMATHESIS_PHASES=coverage,fuzzing``, and more
examples, e.g. ``SCHEMATHESIS_MAX_EXAMPLES=25`` as in the issue's run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.settings import api_settings

from tests.accounts.factories import make_user
from tests.members.factories import make_member
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey

#: The domain apps' endpoints that landed after the schema was worked through. Fuzzing them finds
#: real gaps (issue 16); none is left out now: contests and honours hold (``page=`` is refused by the
#: paginator, ids in bodies are "not found" whatever whole number they are), volunteers and legal too.
#: Put an app's path pattern here (a regex) while its schema does not hold.
NOT_YET_FUZZED = ""
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "fuzzing")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unthrottled(monkeypatch):
    """The fuzzer sends thousands of requests: lift the per-user and per-client limits for the run."""
    for scope in ("user", "anon", "card_verify"):
        monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, scope, "1000000/hour")
    monkeypatch.setattr(django_settings, "CERTIFICATE_VERIFY_API_RATE", "1000000/hour", raising=False)
    monkeypatch.setattr(django_settings, "QUIZ_LEADERBOARD_API_RATE", "1000000/hour", raising=False)


def _live_schema(live_server, tmp_path) -> Path:
    """The live server's own schema, read once with a generous timeout (schemathesis gives loading a
    schema 10 seconds, which a loaded machine's first request can exceed) and handed over as a file."""
    import urllib.request

    path = tmp_path / "schema.json"
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json", timeout=300) as response:  # noqa: S310
        path.write_bytes(response.read())
    return path


def test_the_api_holds_under_fuzzing(live_server, tree, people, unthrottled, tmp_path):
    for union in (tree.union_a, tree.branch_a, tree.union_b):
        make_member(union)
    make_member(tree.union_a, active=False)
    fuzzer = make_user(Role.DISTRICT_STAFF, tree.district, username="fuzzer")
    _key, secret = APIKey.issue(name="fuzzer", user=fuzzer, rate="1000000/hour")

    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run", str(_live_schema(live_server, tmp_path)),
        "--url", live_server.url,
        "--header", f"Authorization: Api-Key {secret}",
        "--header", "Accept: application/json",
        "--phases", PHASES,
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", "20261129",
        "--workers", "1",
        "--no-shrink",
        "--exclude-checks", "positive_data_acceptance",  # replaced by refused_only_for_a_rule
        *(["--exclude-path-regex", NOT_YET_FUZZED] if NOT_YET_FUZZED else []),
        "--warnings", "off",
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
    }
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1200, check=False)  # noqa: S603

    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-2000:]

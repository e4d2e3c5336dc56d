"""The partner guide's Python snippets run, as written, against a live server."""

from __future__ import annotations

import re
from pathlib import Path

from members.models import Member
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey

from ..accounts.factories import make_user
from .support import member_payload

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "partner-api.md"


def test_the_guides_snippets_work(live_server, tree, monkeypatch, capsys):
    code = "\n".join(re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S))
    assert "members/sync/" in code and "members/changes/" in code
    partner = make_user(Role.TOWN_STAFF, tree.town_a, username="provincial-platform")
    _key, secret = APIKey.issue(name="省会员平台", user=partner, scopes=["members:read", "members:write"])
    monkeypatch.setenv("PORTAL_URL", live_server.url)
    monkeypatch.setenv("PORTAL_API_KEY", secret)
    record = member_payload(tree.union_a, name="欧阳娜娜")

    exec(compile(code, str(GUIDE), "exec"), {"MEMBER_RECORD": record})  # noqa: S102 - our own guide

    member = Member.objects.get(name="欧阳娜娜")
    printed = capsys.readouterr().out
    assert "1 0 0 0" in printed  # created, updated, unchanged, failed
    assert f"{member.pk} 欧阳娜娜 active {tree.union_a.pk}" in printed  # read back from the feed

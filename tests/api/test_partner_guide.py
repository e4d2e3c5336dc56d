"""The partner guide's Python snippets run, as written, against a live server."""

from __future__ import annotations

import re
from pathlib import Path

from members.models import Member
from members.services import member_transfer
from tests.members.factories import make_member
from tests.webhooks.receiver import Receiver
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey
from union_portal.webhooks.models import Subscription
from union_portal.webhooks.services import subscription_create

from ..accounts.factories import make_user
from .support import member_payload

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "partner-api.md"


def superuser():
    from union_portal.accounts.models import User

    return User.objects.filter(username="root").first() or make_user(
        None, None, username="root", is_superuser=True, is_staff=True
    )


def test_the_guides_snippets_work(live_server, tree, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    code = "\n".join(blocks)
    assert "members/sync/" in code and "members/changes/" in code and "X-Portal-Signature" in code
    partner = make_user(Role.TOWN_STAFF, tree.town_a, username="provincial-platform")
    key, secret = APIKey.issue(
        name="省会员平台",
        user=partner,
        scopes=["members:read", "members:write", "webhooks:read", "webhooks:write"],
    )
    # a member of the partner's town transferred to another town: a tombstone in the feed
    leaving = make_member(tree.union_a)
    member_transfer(member=leaving, to_union=tree.union_b, by=superuser(), reason="调动")
    # the partner's endpoint, subscribed to approvals: the sync below registers a member
    receiver = Receiver().start()
    admin = superuser()
    _subscription, webhook_secret = subscription_create(
        by=admin, key=key, name="省会员平台", url=receiver.url, events=["membership.approved"]
    )
    monkeypatch.setenv("PORTAL_URL", live_server.url)
    monkeypatch.setenv("PORTAL_API_KEY", secret)
    record = member_payload(tree.union_a, name="欧阳娜娜")
    namespace = {"MEMBER_RECORD": record}

    try:
        for block in blocks:
            if "verify_portal_signature" in block:
                (delivery,) = receiver.received
                namespace.update(
                    WEBHOOK_SECRET=webhook_secret, headers=delivery.headers, raw_body=delivery.body
                )
            exec(compile(block, str(GUIDE), "exec"), namespace)  # noqa: S102 - our own guide
    finally:
        receiver.stop()

    member = Member.objects.get(name="欧阳娜娜")
    printed = capsys.readouterr().out
    assert "1 0 0 0" in printed  # created, updated, unchanged, failed
    assert f"{member.pk} 欧阳娜娜 active {tree.union_a.pk}" in printed  # read back from the feed
    assert f"membership.approved {member.pk}" in printed  # the webhook, verified
    assert f"removed {leaving.pk} transferred_out" in printed  # the member who left, once
    assert printed.count(f"removed {leaving.pk} ") == 1
    # the partner's own subscription, managed through the API: moved, re-keyed and disabled
    mine = Subscription.objects.get(key=key, name="会员事件")
    assert f"subscription {mine.pk} https://partner.example.org/v2/events False" in printed
    assert (mine.is_active, mine.events) == (False, ["membership.approved", "membership.transferred"])
    assert mine.secret == namespace["new_secret"] != namespace["subscription"].get("secret")
    # and the guide's check refuses what the portal did not sign
    verify = namespace["verify_portal_signature"]
    assert verify(webhook_secret, delivery.headers["X-Portal-Signature"], delivery.body)
    assert not verify(
        webhook_secret, delivery.headers["X-Portal-Signature"], delivery.body.replace(b"approved", b"ended")
    )
    assert not verify("whsec_guess", delivery.headers["X-Portal-Signature"], delivery.body)
    assert not verify(
        webhook_secret, "t=1,v1=" + delivery.headers["X-Portal-Signature"].split("v1=")[1], delivery.body
    )

"""Members registered by their union (or imported) activate a portal login with a code sent by SMS."""

import re

import pytest
from django.core.cache import cache

from members.models import Member
from union_portal.accounts.models import User
from union_portal.notifications import backends

from ..accounts.factories import make_user
from ..members.factories import make_member


@pytest.fixture(autouse=True)
def _clean():
    backends.outbox.clear()
    cache.clear()
    yield
    backends.outbox.clear()


def _request_code(client, member, mobile=None):
    return client.post(
        "/portal/activate/",
        {"step": "request", "id_number": member.id_number.lower(), "mobile": mobile or member.mobile},
    )


def _code() -> str:
    assert len(backends.outbox) == 1
    return re.search(r"\b(\d{6})\b", backends.outbox[0][1]).group(1)


def test_a_registered_member_activates_a_login_and_sees_the_card(client, tree):
    # given a member the union registered, with no login
    member = make_member(tree.union_a, mobile="13911112222")
    assert member.user is None
    # when they ask for a code with their ID number and mobile as on file
    page = _request_code(client, member, mobile="+86 139 1111 2222")
    assert page.status_code == 200 and b'name="code"' in page.content
    assert backends.outbox[0][0] == "13911112222"
    # and give the code and a password
    response = client.post(
        "/portal/activate/",
        {
            "step": "activate",
            "id_number": member.id_number,
            "mobile": "13911112222",
            "code": _code(),
            "password1": "Card-pass-2026",
            "password2": "Card-pass-2026",
        },
    )
    # then they are logged in, the membership is theirs, and the card page opens
    assert response.status_code == 302 and response.url == "/portal/card/"
    member.refresh_from_db()
    assert member.user.username == "13911112222" and member.user.check_password("Card-pass-2026")
    assert member.card_number in client.get("/portal/card/").content.decode()
    assert member.events.filter(kind="updated", by=member.user).exists()


def test_nothing_is_sent_when_the_details_do_not_match_and_the_answer_is_the_same(client, tree):
    member = make_member(tree.union_a, mobile="13911113333")
    wrong_mobile = _request_code(client, member, mobile="13911114444")
    other = make_member(tree.union_a, mobile="13911115555")
    Member.objects.filter(pk=other.pk).update(user=make_user(None, None, username="has-login"))
    linked = _request_code(client, other)
    assert backends.outbox == []
    assert wrong_mobile.status_code == linked.status_code == 200
    assert b'name="code"' in wrong_mobile.content and b'name="code"' in linked.content


def test_a_wrong_code_fails_and_five_wrong_codes_burn_it(client, tree):
    member = make_member(tree.union_a, mobile="13911116666")
    _request_code(client, member)
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    data = {
        "step": "activate",
        "id_number": member.id_number,
        "mobile": member.mobile,
        "password1": "Card-pass-2026",
        "password2": "Card-pass-2026",
    }
    for _ in range(5):
        page = client.post("/portal/activate/", {**data, "code": wrong})
        assert page.status_code == 200 and "expired" in page.content.decode()
    # after five wrong tries even the right code no longer works
    client.post("/portal/activate/", {**data, "code": right})
    member.refresh_from_db()
    assert member.user is None and not User.objects.filter(username=member.mobile).exists()


def test_an_existing_login_with_that_mobile_is_linked_not_overwritten(client, tree):
    user = make_user(None, None, username="13911117777", mobile="13911117777")
    user.set_password("Old-pass-2026")
    user.save()
    member = make_member(tree.union_a, mobile="13911117777")
    _request_code(client, member)
    data = {"step": "activate", "id_number": member.id_number, "mobile": member.mobile, "code": _code()}
    # another password than the login's is refused, and the code stays valid
    refused = client.post(
        "/portal/activate/", {**data, "password1": "New-pass-2026", "password2": "New-pass-2026"}
    )
    assert "already has a login" in refused.content.decode()
    client.post("/portal/activate/", {**data, "password1": "Old-pass-2026", "password2": "Old-pass-2026"})
    member.refresh_from_db()
    user.refresh_from_db()
    assert member.user == user and user.check_password("Old-pass-2026")

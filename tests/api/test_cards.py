"""``POST /api/v1/cards/verify/``: a partner merchant checks a member card."""

from __future__ import annotations

from django.urls import reverse

from members.services import member_end
from union_portal.accounts.roles import Role

from ..accounts.factories import make_user
from ..members.factories import make_member
from .support import error_attrs

URL = reverse("v1:card-verify")


def merchant(db):
    """A merchant's service user: no organisation, no permissions."""
    return make_user(Role.MEMBER, None, username="merchant-lehuo")


def test_a_valid_card_gives_a_masked_name_and_the_union(tree, key_client):
    member = make_member(tree.union_a, name="张三明")

    response = key_client(merchant(tree)).post(URL, {"card_number": f" {member.card_number} "})

    assert response.status_code == 200
    assert response.json() == {"valid": True, "masked_name": "张*明", "union_name": "健力宝集团工会委员会"}


def test_unknown_malformed_and_ended_cards_are_not_valid(tree, people, key_client):
    member = make_member(tree.union_a)
    client = key_client(merchant(tree))
    wrong_check_digit = member.card_number[:-1] + str((int(member.card_number[-1]) + 1) % 10)
    never_issued = "44060000009999" if member.card_number != "44060000009999" else "44060000009981"

    for card in (wrong_check_digit, "abc", never_issued):
        assert client.post(URL, {"card_number": card}).json() == {
            "valid": False,
            "masked_name": "",
            "union_name": "",
        }

    member_end(member=member, status="withdrawn", by=people.district_staff, reason="退会")
    assert client.post(URL, {"card_number": member.card_number}).json()["valid"] is False


def test_anonymous_callers_are_refused(tree, api):
    member = make_member(tree.union_a)

    response = api().post(URL, {"card_number": member.card_number})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert "masked_name" not in response.json()


def test_a_card_number_is_required(tree, key_client):
    response = key_client(merchant(tree)).post(URL, {})

    assert response.status_code == 400
    assert error_attrs(response) == [("card_number", "required")]


def test_verification_is_throttled_per_key(tree, key_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "card_verify": "3/hour",
        },
    }
    member = make_member(tree.union_a)
    guesser = key_client(merchant(tree))
    other_merchant = key_client(make_user(None, None, username="merchant-2"))

    answers = [guesser.post(URL, {"card_number": member.card_number}).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert error_attrs(guesser.post(URL, {"card_number": member.card_number})) == [(None, "throttled")]
    assert other_merchant.post(URL, {"card_number": member.card_number}).status_code == 200

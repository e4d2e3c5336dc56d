"""Membership cannot be enumerated (issue 18.2).

Card numbers are random (prefix, 12 random digits, Luhn check digit); the card's QR code carries a
signed token and only that token shows the holder's masked name; the public card check is
throttled per client and for everybody together; the anonymous application form says whether a
mobile has an account only once everything else is valid, and is throttled.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from members import services
from members.models import Member, MemberStatus
from members.portal import card_token

from ..accounts.factories import make_user
from ..members.factories import make_member, next_id_number, next_mobile

EN = {"Accept-Language": "en"}
APPLY = "/portal/apply/"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def verify(client, value: str, ip: str = "10.0.0.1"):
    return client.get(reverse("portal:verify", args=[value]), headers=EN, REMOTE_ADDR=ip)


# --- card numbers -------------------------------------------------------------------------------------


def test_card_numbers_are_random_and_well_formed(tree, people):
    members = [make_member(tree.union_a) for _ in range(5)]
    cards = [m.card_number for m in members]

    assert all(services.card_number_is_well_formed(c) for c in cards)
    assert all(len(c) == 4 + 12 + 1 and c.startswith("4406") for c in cards)
    bodies = sorted(int(c[4:-1]) for c in cards)
    # a sequence hands out neighbours; random draws over 10**12 are far apart
    assert min(b - a for a, b in zip(bodies, bodies[1:], strict=False)) > 1000


def test_walking_the_numbers_around_a_card_finds_no_other_card(client, tree, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 1000
    members = [make_member(tree.union_a) for _ in range(5)]
    body = int(members[0].card_number[4:-1])
    neighbours = [services._with_luhn(f"4406{body + d:012d}") for d in range(-30, 31) if d]

    valid = [n for n in neighbours if "Valid membership card" in verify(client, n).content.decode()]

    assert valid == []


def test_cards_issued_as_a_sequence_before_stay_valid(client, tree):
    member = make_member(tree.union_a)
    old_card = services._with_luhn("4406000000123")  # the earlier format: prefix, 9-digit sequence
    Member.objects.filter(pk=member.pk).update(card_number=old_card)

    assert services.card_verify(old_card).valid
    assert "Valid membership card" in verify(client, old_card).content.decode()


# --- what the check shows -----------------------------------------------------------------------------


def test_a_typed_number_says_valid_or_not_and_names_nobody(client, tree):
    member = make_member(tree.union_a, name="陈嘉欣")

    html = verify(client, member.card_number).content.decode()

    assert "Valid membership card" in html
    assert "陈*欣" not in html and tree.union_a.name not in html


def test_the_qr_code_carries_a_signed_token_that_shows_the_masked_name(client, tree, people):
    member = make_member(tree.union_a, name="陈嘉欣", user=people.member_user)
    client.force_login(people.member_user)

    url = client.get(reverse("portal:card")).context["verify_url"]

    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token == card_token(member.card_number) and token != member.card_number
    client.logout()
    html = client.get(url, headers=EN).content.decode()
    assert '<dd class="masked-name">陈*欣</dd>' in html and tree.union_a.name in html


def test_a_forged_token_is_not_a_valid_card(client, tree):
    member = make_member(tree.union_a, name="陈嘉欣")
    other = make_member(tree.union_a, name="李芳")
    signature = card_token(member.card_number).split(":", 1)[1]

    html = verify(client, f"{other.card_number}:{signature}").content.decode()

    assert "Not a valid membership card" in html and "李*" not in html


def test_an_ended_membership_is_not_valid_by_its_token(client, tree, people):
    member = make_member(tree.union_a)
    services.member_end(member=member, status=MemberStatus.LAPSED, by=people.officer_a, reason="离职")

    assert "Not a valid membership card" in verify(client, card_token(member.card_number)).content.decode()


# --- throttles ------------------------------------------------------------------------------------------


def test_the_card_check_is_throttled_for_everybody_together(client, tree, settings):
    settings.PORTAL_VERIFY_TOTAL_PER_MINUTE = 10
    card = make_member(tree.union_a).card_number

    statuses = [verify(client, card, ip=f"10.0.{n}.1").status_code for n in range(12)]

    assert statuses == [200] * 10 + [429] * 2


def test_the_card_check_is_throttled_per_client(client, tree, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 3
    card = make_member(tree.union_a).card_number

    statuses = [verify(client, card).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert verify(client, card, ip="10.0.0.2").status_code == 200


def test_a_cards_own_qr_code_is_not_refused_because_of_someone_elses_walk(client, tree, settings):
    """The cap for everybody together counts typed numbers only: a walk from many addresses cannot
    stop a merchant scanning a real card (its token is signed, so it cannot be walked)."""
    settings.PORTAL_VERIFY_TOTAL_PER_MINUTE = 5
    card = make_member(tree.union_a).card_number

    walk = [verify(client, f"SS{n:08d}", ip=f"10.1.{n}.1").status_code for n in range(6)]
    scan = verify(client, card_token(card), ip="10.2.0.1")

    assert walk == [200] * 5 + [429]
    assert scan.status_code == 200 and "Valid membership card" in scan.content.decode()
    assert verify(client, card, ip="10.2.0.2").status_code == 429  # a typed number still counts


def test_ipv6_addresses_of_one_network_share_one_allowance(client, tree, settings):
    """One subscriber holds a whole /64: rotating through its addresses is one client."""
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 3
    card = make_member(tree.union_a).card_number

    statuses = [verify(client, card, ip=f"2408:8456:1:2::{n:x}").status_code for n in range(1, 5)]

    assert statuses == [200, 200, 200, 429]
    assert verify(client, card, ip="2408:8456:1:3::1").status_code == 200  # another /64


# --- the application form -----------------------------------------------------------------------------


def apply_form(union, **overrides) -> dict:
    data = {
        "name": "陈嘉欣",
        "id_number": next_id_number(),
        "mobile": next_mobile(),
        "union": union.pk,
        "employer": union.enterprise_id or "",
        "job": "灌装操作工",
        "skill_grade": "intermediate",
        "household_type": "non_local",
        "password1": "Stron9-Passw0rd!",
        "password2": "Stron9-Passw0rd!",
    }
    data.update(overrides)
    return data


def _errors(response) -> dict:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    "broken",
    [
        {"password1": "12345678", "password2": "12345678"},  # a weak password
        "duplicate",  # an ID number with an open membership
    ],
    ids=["weak-password", "duplicate-id"],
)
def test_apply_says_nothing_about_the_mobile_until_the_rest_is_valid(client, tree, broken):
    taken = make_user(None, None, username="has_account", mobile=next_mobile())
    free = next_mobile()
    answers = []
    for mobile in (taken.mobile, free):
        overrides = {"mobile": mobile}
        if broken == "duplicate":
            overrides["id_number"] = make_member(tree.union_b).id_number
        else:
            overrides.update(broken)
        answers.append(_errors(client.post(APPLY, apply_form(tree.union_a, **overrides), headers=EN)))

    with_account, without = answers
    assert with_account == without
    assert "mobile" not in with_account


def test_apply_says_the_mobile_has_an_account_once_everything_else_is_valid(client, tree):
    taken = make_user(None, None, username="has_account", mobile=next_mobile())

    response = client.post(APPLY, apply_form(tree.union_a, mobile=taken.mobile), headers=EN)

    assert list(_errors(response)) == ["mobile"]
    assert Member.objects.count() == 0


def test_apply_submits_are_throttled_per_client(client, tree, settings):
    settings.PORTAL_APPLY_RATE_PER_HOUR = 3
    data = apply_form(tree.union_a, id_number="bad")

    statuses = [client.post(APPLY, data, REMOTE_ADDR="10.0.0.5").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert client.get(APPLY, REMOTE_ADDR="10.0.0.5").status_code == 200  # reading the page is not limited
    assert client.post(APPLY, data, REMOTE_ADDR="10.0.0.6").status_code == 200

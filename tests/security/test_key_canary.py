"""A wrong encryption key is found at start, and nothing is written under it (issue 18.8)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from members.models import Member
from union_portal.core.checks import key_canary_check
from union_portal.core.keycheck import CANARY_TEXT, KeyMismatchError, key_check, key_check_reset
from union_portal.core.models import KeyCanary

from ..members.factories import make_member

KEY_A, KEY_B = (Fernet.generate_key().decode() for _ in range(2))


@pytest.fixture
def data_under_key_a(settings, tree):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    key_check_reset()
    member = make_member(tree.union_a)
    assert KeyCanary.objects.get().value == CANARY_TEXT
    return member


def test_the_first_write_leaves_a_canary_under_the_key_in_use(data_under_key_a):
    assert key_check() == "ok"
    assert key_canary_check() == []


def test_a_wrong_key_fails_the_system_check(settings, data_under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]

    errors = key_canary_check()

    assert [e.id for e in errors] == ["core.E003"]


def test_a_wrong_key_refuses_every_write_of_personal_data(settings, tree, data_under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    count = Member.objects.count()

    with pytest.raises(KeyMismatchError):
        make_member(tree.union_a)

    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    assert Member.objects.count() == count  # nothing was written under key B


def test_a_wrong_key_closes_the_portal_and_fails_the_health_check(client, settings, data_under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]

    page = client.get("/portal/login/")
    health = client.get("/healthz/")

    assert page.status_code == 503
    assert health.status_code == 503 and "encryption_keys" in health.json()["failed"]


def test_the_right_key_back_serves_again(client, settings, data_under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert client.get("/portal/login/").status_code == 503
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    assert client.get("/portal/login/").status_code == 200
    assert client.get("/healthz/").json() == {"status": "ok"}


def test_rotation_keeps_the_canary_readable(settings, data_under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_keys")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key dropped

    assert key_check() == "ok"
    assert KeyCanary.objects.get().value == CANARY_TEXT


def test_no_canary_is_made_with_a_key_that_cannot_read_the_stored_data(settings, data_under_key_a):
    # an upgraded database: members, no canary yet, and a wrong key
    KeyCanary.objects.all().delete()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]

    assert key_check() == "mismatch"
    assert not KeyCanary.objects.exists()

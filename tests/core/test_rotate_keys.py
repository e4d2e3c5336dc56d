"""Key rotation of encrypted personal data (``manage.py rotate_keys``)."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from members import services
from members.models import Member
from union_portal.core.crypto import DecryptionError, blind_index
from union_portal.core.errors import ApplicationError

from ..members.factories import make_member

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


def raw_tokens(table: str) -> list[str]:
    """The stored column itself, read without the field's decryption."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {table} ORDER BY 1")  # noqa: S608 - fixed table names
        return [row[0] for row in cursor.fetchall()]


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def members_under_key_a(settings, tree, people):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    members = [make_member(tree.union_a) for _ in range(4)] + [make_member(tree.union_b, active=False)]
    # More versions in the history table: a transfer and a change of details.
    services.member_transfer(
        member=members[0], to_union=tree.branch_a, by=people.district_staff, reason="调岗"
    )
    services.member_update(member=members[1], by=people.district_staff, data={"job": "叉车司机"})
    return {m.pk: m.id_number for m in members}


def test_rotation_from_a_to_b_then_dropping_a_keeps_everything_readable(settings, members_under_key_a):
    # given: five members and their history, all encrypted under key A
    history = Member.history.count()
    updated = dict(Member.objects.values_list("pk", "updated_at"))
    assert all(Fernet(KEY_A).decrypt(t.encode()) for t in raw_tokens("members_historicalmember"))

    # when: B becomes the newest key and the rotation runs in batches of two
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    output = rotate(batch_size=2)

    # then: every value of both tables is under B, nothing else changed, no history row was added
    assert "members.Member.id_number: 5 re-encrypted, 0 already current" in output
    assert f"members.HistoricalMember.id_number: {history} re-encrypted, 0 already current" in output
    assert Member.history.count() == history
    assert dict(Member.objects.values_list("pk", "updated_at")) == updated
    for table in ("members_member", "members_historicalmember"):
        for token in raw_tokens(table):
            Fernet(KEY_B).decrypt(token.encode())  # raises InvalidToken if still under A
            with pytest.raises(InvalidToken):
                Fernet(KEY_A).decrypt(token.encode())

    # when: A is dropped
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]

    # then: members and every historical version still decrypt to the original numbers
    assert dict(Member.objects.values_list("pk", "id_number")) == members_under_key_a
    for version in Member.history.all():
        assert version.id_number == members_under_key_a[version.id]
    assert "Nothing stale." in rotate(check=True)


def test_rotation_is_idempotent(settings, members_under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    rotate()
    tokens = raw_tokens("members_member")

    output = rotate()

    assert "members.Member.id_number: 0 re-encrypted, 5 already current" in output
    assert raw_tokens("members_member") == tokens


def test_check_reports_values_under_an_old_key(settings, members_under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    tokens = raw_tokens("members_member")

    with pytest.raises(CommandError, match="not under the newest keys"):
        rotate(check=True)

    assert raw_tokens("members_member") == tokens  # --check changes nothing


def test_a_wrong_key_fails_loudly_and_never_returns_ciphertext(settings, members_under_key_a):
    # given: the configured key is not the one the data was written with
    settings.FIELD_ENCRYPTION_KEYS = [KEY_C]

    # then: every read raises, none hands out the stored token as if it were the number
    with pytest.raises(DecryptionError):
        list(Member.objects.all())
    with pytest.raises(DecryptionError):
        list(Member.objects.values_list("id_number", flat=True))
    with pytest.raises(DecryptionError):
        list(Member.history.all())
    # and the rotation stops, naming the row, instead of writing anything
    tokens = raw_tokens("members_member")
    with pytest.raises(CommandError, match="no configured key decrypts it"):
        rotate()
    assert raw_tokens("members_member") == tokens


@pytest.mark.parametrize("lookup", ["id_number", "id_number__iexact", "id_number__contains", "id_number__in"])
def test_encrypted_fields_are_not_searchable(db, lookup):
    value = ["440607199003070013"] if lookup.endswith("__in") else "440607199003070013"
    with pytest.raises(TypeError, match="use the blind index"):
        Member.objects.filter(**{lookup: value})


def test_blind_index_rekeying_recomputes_every_hash(settings, tree, people, members_under_key_a):
    # given: a new blind-index key is configured, so the stored hashes no longer match
    settings.BLIND_INDEX_KEY = "a-new-blind-index-key-" + "x" * 20
    some_number = next(iter(members_under_key_a.values()))
    assert not services.find_by_id_number(some_number).exists()
    with pytest.raises(CommandError, match="not under the newest keys"):
        rotate(check=True, blind_index=True)
    tokens = raw_tokens("members_member")

    # when
    output = rotate(blind_index=True, batch_size=3)

    # then: every hash, history included, is the new key's, and the ciphertext is untouched
    assert "members.Member.id_number: 0 re-encrypted, 5 already current, 5 blind indexes recomputed" in output
    assert raw_tokens("members_member") == tokens
    for pk, number in members_under_key_a.items():
        assert list(services.find_by_id_number(number).values_list("pk", flat=True)) == [pk]
    for version in Member.history.all():
        assert version.id_number_hash == blind_index(version.id_number)
    # and the duplicate rule works again with the new key
    with pytest.raises(ApplicationError) as info:
        make_member(tree.union_a, id_number=some_number)
    assert info.value.code == "duplicate"

"""Backups: a restore drill into a fresh database, and no ID number in a plain dump."""

from __future__ import annotations

import io
import secrets
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from members import services
from members.models import Member
from union_portal.core.backups import (
    django_checksums,
    format_checksums,
    pg_binary,
    pg_env,
)

from ..members.factories import make_member, next_id_number

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump and the backup API see committed data only


@pytest.fixture
def district(tree, people):
    """Members in every state, with transfers and a changed ID number in their history."""
    members = [make_member(tree.union_a) for _ in range(6)] + [make_member(tree.union_b) for _ in range(4)]
    members += [make_member(tree.branch_a, active=False) for _ in range(3)]
    services.member_transfer(
        member=members[0], to_union=tree.branch_a, by=people.district_staff, reason="调岗"
    )
    services.member_end(member=members[1], status="withdrawn", by=people.district_staff, reason="离职")
    services.member_reject(member=members[-1], by=people.district_staff, reason="材料不全")
    old_number = members[2].id_number
    services.member_update(member=members[2], by=people.district_staff, data={"id_number": next_id_number()})
    numbers = {m.id_number for m in Member.objects.all()} | {old_number}
    return Member.objects.all(), numbers


@pytest.fixture
def pg_tools():
    if connection.vendor != "postgresql":
        return None
    for program in ("pg_dump", "pg_restore"):
        if not shutil.which(program):
            pytest.skip(f"{program} is not installed")
    version = subprocess.run([pg_binary("pg_dump"), "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if int(version.stdout.split()[2].split(".")[0]) < server:
        pytest.skip(f"pg_dump is older than the server ({version.stdout.strip()} < {server})")
    return version.stdout.strip()


@pytest.fixture
def scratch_database():
    """A fresh, empty database to restore into, dropped afterwards: PostgreSQL name or SQLite path."""
    if connection.vendor == "postgresql":
        name = f"restore_drill_{secrets.token_hex(6)}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        yield name
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield None  # replaced by a temp file in the test


def command(name: str, **options) -> str:
    out = io.StringIO()
    call_command(name, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_restore_drill_gives_the_same_rows_and_checksums_in_every_table(
    district, pg_tools, scratch_database, tmp_path
):
    members, _numbers = district
    backup = tmp_path / "union.backup"

    # given: a backup of the district, and the checksums the backup command prints with it
    before = command("backup", output=str(backup), checksums=True)
    assert backup.stat().st_mode & 0o777 == 0o600

    # when: it is restored into a fresh database
    target = scratch_database or str(tmp_path / "restored.sqlite3")
    after = command("restore", input=str(backup), target=target, checksums=True, interactive=False)

    # then: every table, history and sequences included, has the same rows and the same checksum
    assert after == before
    lines = dict(line.split("\t", 1) for line in before.splitlines())
    assert lines["members_member"].startswith(f"{members.count()}\t")
    assert int(lines["members_historicalmember"].split("\t")[0]) > members.count()
    assert len(lines) > 20
    # and the drill can fail: one changed row changes the checksum of its table
    Member.objects.filter(pk=members.first().pk).update(job="changed")
    assert format_checksums(django_checksums()) != before


@pytest.mark.django_db
def test_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "union.backup"
    existing.write_text("an older backup")

    with pytest.raises(CommandError, match="never overwritten"):
        command("backup", output=str(existing))

    assert existing.read_text() == "an older backup"


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"PK\x03\x04 not a database")
    target = str(tmp_path / "target.sqlite3") if connection.vendor == "sqlite" else "nowhere"

    with pytest.raises(CommandError, match="is not a"):
        command("restore", input=str(junk), target=target, interactive=False)


def test_a_plain_dump_holds_no_id_number(district, pg_tools, tmp_path):
    members, numbers = district
    # given: the dump as an attacker who stole it would read it
    if connection.vendor == "postgresql":
        dump = subprocess.run(  # noqa: S603
            [pg_binary("pg_dump"), "--format=plain", "--no-password"],
            env=pg_env(connection.settings_dict),
            capture_output=True,
            check=True,
        ).stdout.decode()
    else:
        backup = tmp_path / "raw.sqlite3"
        command("backup", output=str(backup))
        dump = backup.read_bytes().decode("utf-8", errors="replace")

    # then: the members, their history and their ciphertext are in it ...
    assert all(member.name in dump for member in members)
    assert "members_historicalmember" in dump
    assert dump.count("gAAAAA") >= members.count() + Member.history.count()  # Fernet tokens
    # ... but not one ID number, nor its 15-digit form, in any table (history included)
    assert len(numbers) == members.count() + 1
    leaked = {n for n in numbers if n in dump or (n[:6] + n[8:17]) in dump}
    assert leaked == set()

"""The bulk writer's statements run in the background of an import's write loop: in order, in the
loop's transaction, and a failed one stops the import as any database error would."""

from __future__ import annotations

import contextlib

import pytest
from django.db import IntegrityError, transaction

from members.models import Channel, Member, MembershipEvent
from members.resources import MEMBER_CHECKED_FIELDS, write_members
from members.services import clean_member_input, member_values
from union_portal.imports.writing import background_writes

from ..members.factories import make_member, member_data


def _records(union, by, count: int) -> list[dict]:
    out = []
    for _n in range(count):
        values = member_values(clean_member_input(member_data(union)), channel=Channel.IMPORT, filed_by=by)
        out.append({f: values[f] for f in MEMBER_CHECKED_FIELDS})
    return out


def test_batches_written_in_the_background_have_their_history_and_events(tree, people):
    by = people.district_staff
    with transaction.atomic(), background_writes():
        first = write_members(_records(tree.union_a, by, 3), by=by)
        second = write_members(_records(tree.union_a, by, 2), by=by)
    members = Member.objects.filter(pk__in=first + second)
    assert members.count() == 5
    assert Member.history.filter(id__in=first + second, history_type="+").count() == 5
    assert MembershipEvent.objects.filter(member__in=members, kind=MembershipEvent.Kind.IMPORTED).count() == 5


def test_a_statement_that_fails_in_the_background_is_raised_and_nothing_is_written(tree, people):
    by = people.district_staff
    taken = make_member(tree.union_a).card_number
    before = Member.objects.count()
    batches = [_records(tree.union_a, by, 2), _records(tree.union_a, by, 1), _records(tree.union_a, by, 2)]

    def write():
        with transaction.atomic(), background_writes():
            for number, batch in enumerate(batches):
                write_members(
                    batch, by=by, cards=iter([taken]) if number == 1 else None
                )  # a card already issued

    with pytest.raises(IntegrityError):
        write()
    assert Member.objects.count() == before


@pytest.mark.parametrize("background", [False, True])
def test_history_rows_copied_with_the_members_hold_every_tracked_column_as_stored(tree, people, background):
    from django.db import connection

    by = people.district_staff
    with transaction.atomic(), background_writes() if background else contextlib.nullcontext():
        ids = write_members(_records(tree.union_a, by, 4), by=by, note="批量导入")
    history = Member.history.model
    columns = ", ".join(connection.ops.quote_name(f.column) for f in history.tracked_fields)
    marks = ", ".join(["%s"] * len(ids))  # IN, not = ANY(): the test runs on SQLite too
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM members_member WHERE id IN ({marks}) ORDER BY id", ids)  # noqa: S608
        stored = cursor.fetchall()
        cursor.execute(
            f"SELECT {columns} FROM members_historicalmember WHERE id IN ({marks}) ORDER BY id",  # noqa: S608
            ids,
        )
        copied = cursor.fetchall()
    assert copied == stored  # the ciphertext of the ID number included
    rows = history.objects.filter(id__in=ids)
    assert {(h.history_type, h.history_change_reason, h.history_user_id) for h in rows} == {
        ("+", "批量导入", by.pk)
    }
    member = Member.objects.get(pk=ids[0])
    assert rows.get(id=ids[0]).history_date == member.decided_at


def test_rows_are_copied_as_each_cell_would_be_written():
    import datetime as dt
    import random

    from django.utils import timezone

    from union_portal.imports.writing import _texts, copy_text

    cells = ["陈伟", "a\tb", "x\\y", "line\nbreak", "cr\r", "", None, True, False, 0, 42, dt.date(2024, 3, 1),
             timezone.now(), "plain"]  # fmt: skip
    rng = random.Random(5)
    for _n in range(2_000):
        row = [rng.choice(cells) for _cell in range(rng.randint(0, 8))]
        assert _texts(row) == [copy_text(c) for c in row]


def test_the_check_and_the_write_loop_run_with_the_heap_frozen_and_give_it_back(tree, people):
    """core.heap: the objects alive before the loops are out of the collector's reach while the rows
    are checked and written (a full collection would visit them all), and handed back after."""
    import gc

    from members.resources import MemberResource
    from members.resources.vocabulary import ID_NUMBER, MOBILE, NAME, UNION

    seen: dict[str, int] = {}

    class Watching(MemberResource):
        def check_row(self, row):
            seen["check"] = gc.get_freeze_count()
            return super().check_row(row)

        def write(self, records):
            seen["write"] = gc.get_freeze_count()
            super().write(records)

    data = member_data(tree.union_a)
    rows = iter([(1, [NAME, ID_NUMBER, MOBILE, UNION]),
                 (2, [data["name"], data["id_number"], data["mobile"], tree.union_a.name])])  # fmt: skip
    before = gc.get_freeze_count()
    outcome = Watching(by=people.district_staff).import_rows(rows)
    assert outcome.valid and outcome.written == 1, outcome.problems
    assert seen["check"] > before and seen["write"] > before
    assert gc.get_freeze_count() == before

"""Writing checked members: active, imported, with card numbers, one history row and one event each."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.imports.writing import CHUNK, execute, insert_with_history

from ..models import Channel, Member, MembershipEvent, MemberStatus
from ..services import make_card_numbers

#: Fields :func:`write_members` sets itself on every imported member.
_WRITER_FIELDS = frozenset(
    {
        "id",
        "status",
        "channel",
        "card_number",
        "decided_at",
        "decided_by_id",
        "filed_by_id",
        "applied_at",
        "updated_at",
    }
)
#: What the confirm step keeps of a checked member: everything ``build_member`` made of the row
#: (derived from the model, so a field it learns to fill is kept too), and nothing to work out again;
#: with how each is read back from the file of checked rows.
MEMBER_CHECKED_FIELDS: dict[str, str | None] = {
    f.attname: (
        "date" if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField) else None
    )
    for f in Member._meta.concrete_fields
    if f.attname not in _WRITER_FIELDS
}


def member_record(member: Member) -> dict:
    """The record the check keeps of an unsaved, checked member."""
    return {f: getattr(member, f) for f in MEMBER_CHECKED_FIELDS}


def write_members(
    members: list[Member] | list[dict],
    *,
    by,
    cards: Iterator[str] | None = None,
    note: str = "",
    channel: str = Channel.IMPORT,
    events: tuple[tuple[str, str, bool], ...] | None = None,
) -> list[int]:
    """Save checked members as active members, with card numbers, join dates, one history row and
    their events; return their ids. Call inside a transaction.

    ``members`` are unsaved members (from ``build_member``) or records (:func:`member_record`, the
    rows kept by a check, or ``member_values``). ``cards`` gives card numbers reserved beforehand;
    without it one ``make_card_numbers`` call serves the batch. ``channel`` is how they came
    (an import unless said otherwise); ``events`` the membership events each gets, as
    ``(kind, note, with the union as to_union)``: one ``imported`` event with ``note`` unless said
    otherwise. ``note`` is also the history rows' reason.
    """
    if not members:
        return []
    now, today = timezone.now(), timezone.localdate()
    numbers = make_card_numbers(len(members)) if cards is None else [next(cards) for _m in members]
    by_id = by.pk if by is not None else None
    system = {
        "status": MemberStatus.ACTIVE,
        "channel": channel,
        "decided_at": now,
        "decided_by_id": by_id,
        "filed_by_id": by_id,
    }
    rows = []
    for member, card in zip(members, numbers, strict=True):
        values = member if isinstance(member, dict) else member_record(member)
        rows.append({**values, **system, "card_number": card, "join_date": values["join_date"] or today})
    note = (note or _("Bulk import"))[:100]
    if events is None:
        events = ((MembershipEvent.Kind.IMPORTED, note, True),)
    with transaction.atomic():
        ids = insert_with_history(Member, rows, by=by, now=now, note=note)
        for kind, event_note, with_union in events:
            _copy_events(ids, by_id=by_id, now=now, kind=kind, note=event_note, with_union=with_union)
    return ids


def _copy_events(ids: list[int], *, by_id, now, kind: str, note: str, with_union: bool) -> None:
    """One ``kind`` event of each new member, copied in the database from the rows just inserted
    (``to_union`` the member's union when ``with_union``)."""
    qn = connection.ops.quote_name
    event = MembershipEvent._meta
    columns = ", ".join(
        qn(event.get_field(f).column) for f in ("member", "kind", "by", "at", "note", "to_union")
    )
    when = connection.ops.adapt_datetimefield_value(now)
    union = qn(Member._meta.get_field("union").column) if with_union else "NULL"
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        execute(
            f"INSERT INTO {qn(event.db_table)} ({columns}) "  # noqa: S608 - names from model metadata
            f"SELECT {qn('id')}, %s, %s, %s, %s, {union} FROM {qn(Member._meta.db_table)} "
            f"WHERE {qn('id')} IN ({', '.join(['%s'] * len(chunk))})",
            [kind, by_id, when, note[:300], *chunk],
        )

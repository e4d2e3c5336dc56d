"""A partner's member sync, many records at once (``POST /api/v1/members/sync/``, issue 16).

Each record is what :func:`members.services.member_sync` takes, and gets what it would give:
a new ID number is registered (applied and approved in one step, through the API channel), a known
one updated. The new members of a request are written together, the way the importer writes them
(``COPY``, one history row, the ``registered`` and ``approved`` events, copied in the database),
after the same checks as one record gets (the permissions, ``clean_member_input``, the caller's
area, an open membership of the number); the known ones, and any number the request repeats, go
through ``member_sync`` one by one afterwards, each in its own savepoint. Should the batch fail on a
constraint (the same number registered at the same moment by someone else, a card number drawn
twice), it is rolled back whole and its records go through ``member_sync`` one by one instead: a
record is never half written, and one bad record never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.permissions import outside_organisation, require_perm, visible_pks
from union_portal.core.validators import parse_id_number
from union_portal.organisations.models import Organisation
from union_portal.webhooks.services import webhook_emit_each

from .models import Channel, Member, MembershipEvent
from .resources.writes import write_members
from .services import clean_member_input, id_number_key, member_sync, member_values


@dataclass(frozen=True)
class SyncOutcome:
    """What became of one record: ``created``, ``updated``, ``unchanged`` (with the member's id) or
    ``error`` (with the error)."""

    result: str
    member_id: int | None = None
    error: ApplicationError | None = None


def _failed(error: ApplicationError) -> SyncOutcome:
    return SyncOutcome("error", error=error)


def member_sync_many(records: list[dict | None], *, by) -> list[SyncOutcome | None]:
    """Sync ``records`` (service input as for :func:`member_sync`; ``None`` for a record the caller
    already refused) in order: one outcome per record (``None`` where the record was ``None``).
    Call inside a transaction: the batch and each single record take savepoints of it."""
    outcomes: list[SyncOutcome | None] = [None] * len(records)
    hashes: dict[int, str] = {}
    for index, data in enumerate(records):
        if data is None:
            continue
        try:
            hashes[index] = id_number_key(parse_id_number(data.get("id_number")).number)
        except ValidationError as exc:
            outcomes[index] = _failed(ApplicationError.from_validation_error(exc, field="id_number"))
    known = set(
        Member.objects.open()
        .filter(id_number_hash__any=list(set(hashes.values())))
        .values_list("id_number_hash", flat=True)
    )
    batch, one_by_one, seen = [], [], set()
    for index, key in hashes.items():
        if key in known or key in seen:
            one_by_one.append(index)  # an update, or a number a record before this one registers
        else:
            seen.add(key)
            batch.append(index)
    one_by_one += _register_batch(batch, records, outcomes, by=by)
    for index in sorted(one_by_one):
        outcomes[index] = _sync_one(records[index], by=by)
    return outcomes


def _sync_one(data: dict, *, by) -> SyncOutcome:
    try:
        with transaction.atomic():
            result, member = member_sync(data=data, by=by)
    except ApplicationError as error:
        return _failed(error)
    return SyncOutcome(result, member.pk)


def _register_batch(batch: list[int], records: list, outcomes: list, *, by) -> list[int]:
    """Register the new numbers of ``batch`` together; returns the records to go one by one instead
    (all of them when the batch failed on a constraint)."""
    if not batch:
        return []
    try:
        # what member_apply and member_approve check first, the same for every record of the batch
        require_perm(by, "members.add_member")
        require_perm(by, "members.approve_member")
    except ApplicationError as error:
        for index in batch:
            outcomes[index] = _failed(error)
        return []
    today = timezone.localdate()
    cleaned: dict[int, dict] = {}
    for index in batch:
        try:
            cleaned[index] = clean_member_input(records[index], applied_on=today)
        except ApplicationError as error:
            outcomes[index] = _failed(error)
    if not by.is_superuser:
        allowed = visible_pks(by, Organisation, (c["union"].pk for c in cleaned.values()))
        for index in [i for i, c in cleaned.items() if c["union"].pk not in allowed]:
            outcomes[index] = _failed(outside_organisation())
            del cleaned[index]
    if not cleaned:
        return []
    values = [member_values(c, channel=Channel.API, filed_by=by) for c in cleaned.values()]
    events = (
        (MembershipEvent.Kind.REGISTERED, "", True),
        (MembershipEvent.Kind.APPROVED, _("Registered by an officer"), False),
    )
    try:
        with transaction.atomic():
            ids = write_members(values, by=by, channel=Channel.API, events=events, note=_("Partner sync"))
            webhook_emit_each(
                "membership.approved", lambda: Member.objects.filter(pk__in=ids).select_related("union")
            )
    except IntegrityError:
        return list(cleaned)
    for index, pk in zip(cleaned, ids, strict=True):
        outcomes[index] = SyncOutcome("created", pk)
    return []

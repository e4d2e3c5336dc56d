"""Every write on organisations, enterprises and members that carries a rule.

Admin, portal, API, importer and tasks call these; none of them writes a
member by itself. Each function takes the acting user as ``by``, checks the
permission and the scope, runs in a transaction and records an event.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.crypto import blind_index
from union_portal.core.errors import ApplicationError, PermissionDeniedError, apply_each
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text, normalize_mobile, parse_id_number
from union_portal.organisations.models import Enterprise, Organisation
from union_portal.webhooks.services import webhook_emit

from . import notices
from .models import (
    Channel,
    HouseholdType,
    Member,
    MemberChange,
    MemberDeparture,
    MembershipEvent,
    MemberStatus,
    SkillGrade,
    TransferRequest,
)
from .pinyin import name_search_keys

#: Fields of a member that a person or an officer fills in.
MEMBER_INPUT_FIELDS = (
    "name", "id_number", "mobile", "household_type", "is_migrant_worker",
    "employer", "union", "job", "skill_grade",
)  # fmt: skip
NAME_MAX = 50
JOB_MAX = 100
#: Reasons and notes of membership steps (the columns hold 300 characters).
REASON_MAX = 300


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def id_number_key(number: str) -> str:
    """The blind index of a normalised ID number: what uniqueness and search use."""
    return blind_index(number)


def find_by_id_number(number: str, queryset=None):
    """Members whose ID number equals ``number`` (any accepted spelling), via the blind index."""
    number = parse_id_number(number).number
    return (queryset if queryset is not None else Member.objects.all()).filter(
        id_number_hash=id_number_key(number)
    )


_HOUSEHOLD_TYPES = tuple(HouseholdType.values)  # ``.values`` builds a list on every call
_SKILL_GRADES = tuple(SkillGrade.values)


def free_text(
    value,
    *,
    field: str,
    max_length: int,
    required: bool = False,
    required_message=None,
    multiline: bool = False,
) -> str:
    """Text a person typed (a name, a job, a reason), as ``clean_text`` accepts it, or an
    :class:`ApplicationError` on ``field``: control and bidirectional characters refused,
    invisible ones removed, too long refused (never cut)."""
    from django.core.exceptions import ValidationError

    try:
        return clean_text(value, max_length=max_length, required=required, multiline=multiline)
    except ValidationError as exc:
        if exc.code == "required" and required_message is not None:
            raise _invalid(required_message, field, "required") from None
        raise ApplicationError.from_validation_error(exc, field=field) from None


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years from ``birth_date`` to ``day`` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_minimum_age(birth_date: dt.date, *, on: dt.date | None = None) -> None:
    """Membership needs the legal working age (``settings.MEMBER_MIN_AGE``, 16) on the day of the application."""
    on = on or timezone.localdate()
    minimum = settings.MEMBER_MIN_AGE
    if age_on(birth_date, on) < minimum:
        raise ApplicationError(
            _(
                "Members must be at least %(age)d years old on the day they apply: "
                "this ID number gives the birth date %(birth)s."
            ),
            code="too_young",
            field="id_number",
            params={"age": minimum, "birth": birth_date.isoformat()},
        )


#: Translated when shown, not looked up for every row of an import.
_ENTER_NAME = gettext_lazy("Enter the name.")


def clean_member_input(data: dict, *, partial: bool = False, applied_on: dt.date | None = None) -> dict:
    """Check and normalise what someone typed for a member: the one rule for admin, portal, API and import.

    ``applied_on`` is the day of the application (today unless said otherwise): the minimum age
    is checked on it. Raises :class:`ApplicationError` naming the first wrong field.
    """
    from django.core.exceptions import ValidationError

    cleaned = dict(data)
    if not partial or "name" in data:
        cleaned["name"] = free_text(
            data.get("name"),
            field="name",
            max_length=NAME_MAX,
            required=True,
            required_message=_ENTER_NAME,
        )
    if not partial or "id_number" in data:
        try:
            parsed = parse_id_number(data.get("id_number"))
        except ValidationError as exc:
            raise ApplicationError.from_validation_error(exc, field="id_number") from None
        check_minimum_age(parsed.birth_date, on=applied_on)
        cleaned["id_number"] = parsed.number
        cleaned["sex"] = parsed.sex
        cleaned["birth_date"] = parsed.birth_date
    if not partial or "mobile" in data:
        try:
            cleaned["mobile"] = normalize_mobile(data.get("mobile"))
        except ValidationError as exc:
            raise ApplicationError.from_validation_error(exc, field="mobile") from None
    if not partial or "union" in data:
        union = data.get("union")
        if not isinstance(union, Organisation):
            raise _invalid(_("Choose the union."), "union", "required")
        if not union.is_member_union or not union.is_active:
            raise _invalid(_("Members join a grassroots union, branch or group."), "union", "union_kind")
    if "household_type" in data and data["household_type"] not in _HOUSEHOLD_TYPES:
        raise _invalid(_("Choose local or non-local household."), "household_type")
    if "skill_grade" in data and (data["skill_grade"] or "") not in _SKILL_GRADES:
        raise _invalid(_("Unknown skill grade."), "skill_grade")
    if "employer" in data and data["employer"] is not None and not isinstance(data["employer"], Enterprise):
        raise _invalid(_("Unknown employer."), "employer")
    if "job" in data:
        cleaned["job"] = free_text(data["job"], field="job", max_length=JOB_MAX)
    return cleaned


def _event(member: Member, kind: str, by, note: str = "", from_union=None, to_union=None) -> MembershipEvent:
    return MembershipEvent.objects.create(
        member=member, kind=kind, by=by, note=note[:REASON_MAX], from_union=from_union, to_union=to_union
    )


def _reason(value, *, field: str = "reason", required: bool = True, message=None) -> str:
    """A reason or note typed for a membership step: checked as free text, at most REASON_MAX characters."""
    return free_text(
        value,
        field=field,
        max_length=REASON_MAX,
        required=required,
        required_message=message or _("Give the reason."),
        multiline=True,
    )


def _duplicate_error() -> ApplicationError:
    return _invalid(
        _("This ID number already has an open membership or application."), "id_number", "duplicate"
    )


def build_member(cleaned: dict, *, channel: str, filed_by=None, user=None) -> Member:
    """An unsaved member from cleaned input, with its derived fields (used by the importer too)."""
    member = Member(
        user=user,
        channel=channel,
        filed_by=filed_by,
        status=MemberStatus.PENDING,
        **{k: cleaned[k] for k in MEMBER_INPUT_FIELDS if k in cleaned},
        sex=cleaned["sex"],
        birth_date=cleaned["birth_date"],
    )
    member.id_number_hash = id_number_key(member.id_number)
    set_name_keys(member)
    return member


def member_values(cleaned: dict, *, channel: str, filed_by=None) -> dict:
    """What :func:`build_member` makes of cleaned input, as values by attribute name (the model's
    defaults for the rest), without building the model instance: an import keeps these for every row
    of its file, and building a ``Member`` cost a sixth of a row's time. The same rules: the fields
    typed in, the sex and birth date read from the ID number, its blind index, the name keys."""
    fixed, computed = _member_defaults()
    values = fixed.copy()
    for attname, default in computed:
        values[attname] = default()
    for name in MEMBER_INPUT_FIELDS:
        if name in cleaned:
            attname = _MEMBER_ATTNAMES[name]
            value = cleaned[name]
            values[attname] = value.pk if attname != name and value is not None else value
    values.update(
        channel=channel,
        filed_by_id=filed_by.pk if filed_by is not None else None,
        status=MemberStatus.PENDING,
        sex=cleaned["sex"],
        birth_date=cleaned["birth_date"],
        id_number_hash=id_number_key(values["id_number"]),
    )
    keys = name_search_keys(values["name"])
    values.update(
        name_pinyin=keys.pinyin,
        name_initials=keys.initials,
        name_pinyin_alt=keys.pinyin_alt,
        name_initials_alt=keys.initials_alt,
    )
    return values


_MEMBER_ATTNAMES = {name: Member._meta.get_field(name).attname for name in MEMBER_INPUT_FIELDS}


@functools.cache
def _member_defaults() -> tuple[dict, tuple]:
    """The defaults of every concrete field but the key: ``({attname: default}, ((attname, callable), ...))``
    (a callable default is called per member)."""
    fixed, computed = {}, []
    for f in Member._meta.concrete_fields:
        if f.primary_key:
            continue
        default = f.default if f.has_default() else None
        if callable(default):
            computed.append((f.attname, default))
        else:
            fixed[f.attname] = f.get_default()
    return fixed, tuple(computed)


#: The columns :func:`set_name_keys` fills.
NAME_KEY_FIELDS = ("name_pinyin", "name_initials", "name_pinyin_alt", "name_initials_alt")


def set_name_keys(member: Member) -> None:
    """The pinyin and initials a member is searched and sorted by (both readings of a surname)."""
    keys = name_search_keys(member.name)
    member.name_pinyin, member.name_initials = keys.pinyin, keys.initials
    member.name_pinyin_alt, member.name_initials_alt = keys.pinyin_alt, keys.initials_alt


#: What a proxy agent confirms before filing for a worker; recorded with the filing, as shown.
PROXY_CONSENT_STATEMENT = gettext_lazy(
    "The worker asked me to file this application for them, agreed that the union keeps and uses "
    "these details for their membership, and checked that the details are right."
)


def member_application_check(*, data: dict) -> None:
    """What :func:`member_apply` would refuse about ``data`` (the input, an open membership of the
    ID number), without writing: the portal checks it before it says anything about the account."""
    cleaned = clean_member_input(data)
    if Member.objects.open().filter(id_number_hash=id_number_key(cleaned["id_number"])).exists():
        raise _duplicate_error()


def member_apply(
    *, data: dict, by=None, channel: str = Channel.PORTAL, user=None, consent: bool = False
) -> Member:
    """A membership application (status pending): from the portal, an officer, a proxy agent or a partner.

    A proxy agent (``channel=PROXY``) files only with the worker's consent: ``consent=True`` says the
    agent confirmed :data:`PROXY_CONSENT_STATEMENT`, which is stored with the application.
    """
    if channel != Channel.PORTAL:
        require_perm(by, "members.add_member")
    if channel == Channel.PROXY and not consent:
        raise _invalid(
            _("Confirm that the worker agreed to this application: without it, it cannot be filed."),
            "consent",
            "consent_required",
        )
    cleaned = clean_member_input(data)
    if channel != Channel.PORTAL and by is not None and not by.is_superuser:
        require_visible(by, cleaned["union"])
    if Member.objects.open().filter(id_number_hash=id_number_key(cleaned["id_number"])).exists():
        raise _duplicate_error()
    member = build_member(cleaned, channel=channel, filed_by=by, user=user)
    if channel == Channel.PROXY:
        member.consent_statement = str(PROXY_CONSENT_STATEMENT)  # in the language the agent read it
        member.consent_confirmed_at = timezone.now()
    try:
        with transaction.atomic():
            member.save()
            kind = (
                MembershipEvent.Kind.APPLIED
                if channel in (Channel.PORTAL, Channel.PROXY)
                else MembershipEvent.Kind.REGISTERED
            )
            _event(member, kind, by or user, to_union=member.union)
    except IntegrityError as exc:
        if "member_one_open_membership" in str(exc) or "id_number_hash" in str(exc):
            raise _duplicate_error() from None
        raise
    notices.applied(member)
    return member


#: Random digits of a card number between the prefix and the check digit: at a million members a
#: guessed number is a card once in a million tries (cards issued before were a 9-digit sequence and
#: stay valid).
CARD_RANDOM_DIGITS = 12
_CARD_LOOKUP_CHUNK = 5000


def make_card_numbers(count: int) -> list[str]:
    """``count`` new, unguessable card numbers: prefix, 12 random digits, Luhn check digit (issue 18.2).

    Numbers already issued are drawn again (one indexed look-up per 5,000 numbers); the unique
    constraint on the column settles the rare race between two simultaneous draws."""
    import secrets

    prefix, space = settings.CARD_NUMBER_PREFIX, 10**CARD_RANDOM_DIGITS
    cards: set[str] = set()
    while len(cards) < count:
        drawn = {
            _with_luhn(f"{prefix}{secrets.randbelow(space):0{CARD_RANDOM_DIGITS}d}")
            for _n in range(count - len(cards))
        } - cards
        ordered = sorted(drawn)
        for start in range(0, len(ordered), _CARD_LOOKUP_CHUNK):
            chunk = ordered[start : start + _CARD_LOOKUP_CHUNK]
            drawn -= set(Member.objects.filter(card_number__any=chunk).values_list("card_number", flat=True))
        cards |= drawn
    return list(cards)


#: Luhn: what each digit counts for in a doubled place (twice the digit, less 9 above 9), and in the others.
_LUHN_DOUBLED = {str(d): (2 * d - 9) if d > 4 else 2 * d for d in range(10)}
_LUHN_PLAIN = {str(d): d for d in range(10)}


def _with_luhn(digits: str) -> str:
    """``digits`` with its Luhn check digit (the places doubled: every other one from the right)."""
    total = sum(map(_LUHN_DOUBLED.__getitem__, digits[-1::-2])) + sum(
        map(_LUHN_PLAIN.__getitem__, digits[-2::-2])
    )
    return digits + str(-total % 10)


def card_number_is_well_formed(card: str) -> bool:
    return card.isascii() and card.isdigit() and len(card) >= 8 and _with_luhn(card[:-1]) == card


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).get(pk=member.pk)


@transaction.atomic
def member_approve(*, member: Member, by, note: str = "") -> Member:
    """Approve an application: the member becomes active with a card number. Safe to call twice."""
    require_perm(by, "members.approve_member")
    require_visible(by, member)
    note = _reason(note, field="note", required=False)
    member = _lock(member)
    if member.status == MemberStatus.ACTIVE:
        return member
    if member.status != MemberStatus.PENDING:
        raise _invalid(_("Only a pending application can be approved."), code="not_pending")
    member.status = MemberStatus.ACTIVE
    member.card_number = member.card_number or make_card_numbers(1)[0]
    member.join_date = timezone.localdate()
    member.decided_at = timezone.now()
    member.decided_by = by
    member.save(
        update_fields=["status", "card_number", "join_date", "decided_at", "decided_by", "updated_at"]
    )
    _event(member, MembershipEvent.Kind.APPROVED, by, note)
    notices.approved(member)
    webhook_emit("membership.approved", member)
    return member


@transaction.atomic
def member_reject(*, member: Member, by, reason: str) -> Member:
    """Reject an application with a reason the applicant will read."""
    require_perm(by, "members.approve_member")
    require_visible(by, member)
    reason = _reason(reason, message=_("Give the reason for the rejection."))
    member = _lock(member)
    if member.status == MemberStatus.REJECTED:
        return member
    if member.status != MemberStatus.PENDING:
        raise _invalid(_("Only a pending application can be rejected."), code="not_pending")
    member.status = MemberStatus.REJECTED
    member.rejection_reason = reason
    member.decided_at = timezone.now()
    member.decided_by = by
    member.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by", "updated_at"])
    _event(member, MembershipEvent.Kind.REJECTED, by, reason)
    notices.rejected(member)
    return member


@transaction.atomic
def member_register(*, data: dict, by, channel: str = Channel.OFFICER) -> Member:
    """An officer registers a member directly: the application and its approval in one step."""
    member = member_apply(data=data, by=by, channel=channel)
    return member_approve(member=member, by=by, note=_("Registered by an officer"))


def _in_area(by, union: Organisation) -> bool:
    """Whether ``union`` is within what ``by`` may see (their own area)."""
    return Organisation.objects.visible_to(by).filter(pk=union.pk).exists()


def _lock_transfer(transfer: TransferRequest) -> TransferRequest:
    return TransferRequest.objects.select_for_update(of=("self",)).get(pk=transfer.pk)


def _move(member: Member, to_union: Organisation, by, reason: str) -> None:
    """The move itself: the member's union (and employer) change, the event is recorded, the member told."""
    from_union = member.union
    member.union = to_union
    if member.employer_id and to_union.enterprise_id and member.employer_id != to_union.enterprise_id:
        member.employer_id = to_union.enterprise_id
    member._change_reason = reason
    member.save(update_fields=["union", "employer", "updated_at"])
    # the tombstone of the areas the member leaves, at the feed position the save just gave the member
    position = MemberChange.objects.filter(member_id=member.pk).values("txid", "seq")[0]
    MemberDeparture.objects.create(member=member, from_union=from_union, to_union=to_union, **position)
    event = _event(
        member, MembershipEvent.Kind.TRANSFERRED, by, reason, from_union=from_union, to_union=to_union
    )
    notices.transferred(member, event)
    webhook_emit("membership.transferred", event)


@transaction.atomic
def member_transfer(*, member: Member, to_union: Organisation, by, reason: str) -> TransferRequest:
    """Move an active membership to another union (会员组织关系转接); the row and its history stay.

    Into a union of the requester's own area the member moves at once, and the request is recorded as
    accepted by them. Into a union outside it, the request waits for the receiving union, which
    accepts (:func:`transfer_accept`) or declines (:func:`transfer_decline`) it: nobody places a
    member in a union without that union's knowledge (issue 18.4).
    """
    require_perm(by, "members.transfer_member")
    require_visible(by, member)
    if not to_union.is_member_union or not to_union.is_active:
        raise _invalid(_("Members join a grassroots union, branch or group."), "to_union", "union_kind")
    reason = _reason(reason, message=_("Give the reason for the transfer."))
    member = _lock(member)
    if member.status != MemberStatus.ACTIVE:
        raise _invalid(_("Only an active member can be transferred."), code="not_active")
    if member.union_id == to_union.pk:
        raise _invalid(_("The member already belongs to this union."), "to_union", "same_union")
    if TransferRequest.objects.pending().filter(member=member).exists():
        raise _invalid(
            _("This member already has a transfer waiting for a decision."), "to_union", "transfer_pending"
        )
    transfer = TransferRequest(
        member=member, from_union=member.union, to_union=to_union, reason=reason, requested_by=by
    )
    if _in_area(by, to_union):
        _move(member, to_union, by, reason)
        _decide(transfer, TransferRequest.State.ACCEPTED, by=by)
    else:
        transfer.save()
        notices.transfer_requested(transfer)
    return transfer


def _decide(transfer: TransferRequest, state: str, *, by, note: str = "") -> None:
    """Record the decision on a request (or its withdrawal): the state, who, when and why."""
    transfer.state = state
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.decision_note = note
    if transfer.pk is None:
        transfer.save()
    else:
        transfer.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])


def _pending_for_decision(transfer: TransferRequest, by, *, side: str) -> tuple[Member, TransferRequest]:
    """Lock the member, then the request (always in that order); the request must still wait."""
    require_perm(by, "members.transfer_member")
    union = transfer.to_union if side == "to" else transfer.from_union
    if not _in_area(by, union):
        if side == "to":
            message = _("Only the receiving union (or those above it) can accept or decline this transfer.")
        else:
            message = _("Only the sending side can withdraw this transfer.")
        raise PermissionDeniedError(message)
    member = _lock(transfer.member)
    return member, _lock_transfer(transfer)


def _not_pending(transfer: TransferRequest) -> ApplicationError:
    return _invalid(
        _("This transfer is no longer waiting: it was %(state)s.")
        % {"state": TransferRequest.State(transfer.state).label},
        code="wrong_state",
    )


@transaction.atomic
def transfer_accept(*, transfer: TransferRequest, by, note: str = "") -> TransferRequest:
    """The receiving union accepts: the member moves into it. Safe to call twice."""
    member, transfer = _pending_for_decision(transfer, by, side="to")
    note = _reason(note, field="note", required=False)
    if transfer.state == TransferRequest.State.ACCEPTED:
        return transfer
    if transfer.state != TransferRequest.State.PENDING:
        raise _not_pending(transfer)
    if member.status != MemberStatus.ACTIVE or member.union_id != transfer.from_union_id:
        raise _invalid(
            _("The membership has changed since the transfer was requested; decline this request."),
            code="stale",
        )
    to_union = transfer.to_union
    if not to_union.is_member_union or not to_union.is_active:
        raise _invalid(_("Members join a grassroots union, branch or group."), code="union_kind")
    _move(member, to_union, by, transfer.reason)
    _decide(transfer, TransferRequest.State.ACCEPTED, by=by, note=note)
    notices.transfer_decided(transfer)
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: TransferRequest, by, reason: str) -> TransferRequest:
    """The receiving union declines, with its reason: the member stays where they are."""
    _member, transfer = _pending_for_decision(transfer, by, side="to")
    reason = _reason(reason, message=_("Give the reason for declining."))
    if transfer.state == TransferRequest.State.DECLINED:
        return transfer
    if transfer.state != TransferRequest.State.PENDING:
        raise _not_pending(transfer)
    _decide(transfer, TransferRequest.State.DECLINED, by=by, note=reason)
    notices.transfer_decided(transfer)
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: TransferRequest, by, reason: str = "") -> TransferRequest:
    """The sending side withdraws a request still waiting."""
    _member, transfer = _pending_for_decision(transfer, by, side="from")
    reason = _reason(reason, field="reason", required=False)
    if transfer.state == TransferRequest.State.CANCELLED:
        return transfer
    if transfer.state != TransferRequest.State.PENDING:
        raise _not_pending(transfer)
    _decide(transfer, TransferRequest.State.CANCELLED, by=by, note=reason)
    return transfer


END_STATUSES = {
    MemberStatus.LAPSED: MembershipEvent.Kind.LAPSED,
    MemberStatus.WITHDRAWN: MembershipEvent.Kind.WITHDRAWN,
    MemberStatus.DECEASED: MembershipEvent.Kind.DECEASED,
}


@transaction.atomic
def member_end(*, member: Member, status: str, by, reason: str, on: dt.date | None = None) -> Member:
    """End a membership: lapse, withdrawal or death. Nothing is deleted."""
    require_perm(by, "members.end_member")
    require_visible(by, member)
    if status not in END_STATUSES:
        raise _invalid(_("Choose lapsed, withdrawn or deceased."), "status")
    reason = _reason(reason)
    member = _lock(member)
    if member.status == status:
        return member
    if member.status != MemberStatus.ACTIVE:
        raise _invalid(_("Only an active membership can end."), code="not_active")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise _invalid(_("The date cannot be in the future."), "on")
    member.status = status
    member.ended_on = on
    member.end_reason = reason
    member.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    for transfer in TransferRequest.objects.pending().filter(member=member).select_for_update(of=("self",)):
        # a move of an ended membership cannot happen any more: the request is withdrawn, with the reason
        _decide(transfer, TransferRequest.State.CANCELLED, by=by, note=reason)
    event = _event(member, END_STATUSES[status], by, reason)
    notices.ended(member, event)
    webhook_emit("membership.ended", event)
    return member


UPDATABLE_FIELDS = (
    "name",
    "mobile",
    "household_type",
    "is_migrant_worker",
    "employer",
    "job",
    "skill_grade",
    "id_number",
)


@transaction.atomic
def member_update(*, member: Member, by, data: dict, note: str = "") -> Member:
    """Change a member's details (not the union or status: those have their own steps)."""
    require_perm(by, "members.change_member")
    require_visible(by, member)
    unknown = set(data) - set(UPDATABLE_FIELDS)
    if unknown:
        raise _invalid(
            _("These fields change through their own steps: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    note = _reason(note, field="note", required=False)
    cleaned = clean_member_input(data, partial=True, applied_on=timezone.localdate(member.applied_at))
    member = _lock(member)
    changed = []
    for key in UPDATABLE_FIELDS:
        if key in cleaned and getattr(member, key) != cleaned[key]:
            setattr(member, key, cleaned[key])
            changed.append(key)
    if "id_number" in changed:
        member.id_number_hash = id_number_key(member.id_number)
        member.sex, member.birth_date = cleaned["sex"], cleaned["birth_date"]
        changed += ["id_number_hash", "sex", "birth_date"]
    if "name" in changed:
        set_name_keys(member)
        changed += list(NAME_KEY_FIELDS)
    if not changed:
        return member
    member._change_reason = note
    try:
        with transaction.atomic():
            member.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        raise _duplicate_error() from None
    _event(member, MembershipEvent.Kind.UPDATED, by, note or ", ".join(changed))
    return member


def member_sync(*, data: dict, by) -> tuple[str, Member]:
    """One record of a partner's member sync, keyed by the ID number: ``("created" | "updated" |
    "unchanged", member)``. A new number is registered, a known one (an open membership the caller
    may see) updated, through the same services as every other way in. The union changes only by a
    transfer (its own step, with a reason)."""
    from django.core.exceptions import ValidationError

    try:
        number = parse_id_number(data.get("id_number")).number
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="id_number") from None
    existing = Member.objects.open().filter(id_number_hash=id_number_key(number)).first()
    if existing is None:
        return "created", member_register(data=data, by=by, channel=Channel.API)
    require_visible(by, existing)
    if data.get("union") is not None and getattr(data["union"], "pk", data["union"]) != existing.union_id:
        raise _invalid(
            _("This member belongs to another union: transfer the membership instead."),
            "union",
            "transfer_needed",
        )
    before = existing.updated_at
    member = member_update(
        member=existing,
        by=by,
        data={k: v for k, v in data.items() if k in UPDATABLE_FIELDS and k != "id_number"},
    )
    return ("updated" if member.updated_at != before else "unchanged"), member


def members_bulk(
    action, members: Iterable[Member], **kwargs
) -> tuple[int, list[tuple[Member, ApplicationError]]]:
    """Apply one service to many members; how many succeeded and the errors of the others."""
    return apply_each(action, members, arg="member", **kwargs)


# --- enterprises and organisations ------------------------------------------------------------

# --- portal accounts of members registered by others -------------------------------------------------

ACTIVATION_PURPOSE = "member-activation"


def _activation_key(id_number: str, mobile: str) -> tuple[str, str] | None:
    """The blind index of the ID number and the normalised mobile, or None when either is malformed."""
    from django.core.exceptions import ValidationError

    try:
        return id_number_key(parse_id_number(id_number).number), normalize_mobile(mobile)
    except ValidationError:
        return None


def _unclaimed_by_key(id_number_hash: str, mobile: str) -> Member | None:
    return (
        Member.objects.open()
        .filter(id_number_hash=id_number_hash, mobile=mobile, user__isnull=True)
        .order_by("-pk")
        .first()
    )


def _unclaimed_membership(id_number: str, mobile: str) -> Member | None:
    """The open membership of this ID number whose mobile on file is ``mobile`` and that has no login yet."""
    key = _activation_key(id_number, mobile)
    return None if key is None else _unclaimed_by_key(*key)


def member_activation_request(*, id_number: str, mobile: str, client: str = "") -> None:
    """A member registered by an officer, a proxy agent or an import asks for a portal login.

    A code goes by SMS to the mobile on file, and only when the ID number and that mobile match an
    open membership without a login. The caller says the same thing either way (no enumeration):
    the request is counted against the caps on SMS codes (per typed mobile and per ``client``
    address) before anything is looked up, so a refusal says nothing about the membership either.
    """
    from django.core.exceptions import ValidationError

    from union_portal.notifications.services import verification_code_allow

    try:
        typed_mobile = normalize_mobile(mobile)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="mobile") from None
    verification_code_allow(mobile=typed_mobile, client=client)
    key = _activation_key(id_number, typed_mobile)
    if key is None:
        return
    from .tasks import activation_code_task

    # Looked up and sent by the worker: the request costs the same whether or not the membership
    # exists, so its response time does not tell (issue 18.3).
    activation_code_task.delay(id_number_hash=key[0], mobile=key[1])


def activation_code_deliver(*, id_number_hash: str, mobile: str) -> bool:
    """Send the activation code when an open membership without a login has this ID number (its
    blind index) and mobile on file; True when a code went out. Called by ``activation_code_task``."""
    from union_portal.notifications.services import verification_code_send

    member = _unclaimed_by_key(id_number_hash, mobile)
    if member is None:
        return False
    verification_code_send(
        mobile=member.mobile,
        purpose=ACTIVATION_PURPOSE,
        text=_("Your code to activate your member account is %(code)s. It is valid for 10 minutes."),
    )
    return True


@transaction.atomic
def member_activate(*, id_number: str, mobile: str, code: str, password: str | None):
    """Give the membership a login once the code sent to its mobile is right; returns the user.

    A person who already has a login under this mobile keeps it: the membership is linked to it once
    ``password`` is that login's password. Otherwise a login is made with the mobile as user name
    and ``password``. The code is spent only when everything else succeeded: a refused password
    leaves it valid for the next try (issue 9.5).
    """
    from django.contrib.auth import get_user_model, password_validation
    from django.contrib.auth.models import Group
    from django.core.exceptions import ValidationError
    from django.db.models import Q

    from union_portal.accounts.roles import Role
    from union_portal.notifications.services import verification_code_check

    def bad_code():
        return _invalid(_("The code is wrong or has expired: ask for a new one."), "code", "bad_code")

    member = _unclaimed_membership(id_number, mobile)
    if member is None or not verification_code_check(
        mobile=member.mobile, purpose=ACTIVATION_PURPOSE, code=code, use=False
    ):
        raise bad_code()
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member.user_id is not None:
        raise _invalid(_("This membership already has a login."), code="already_linked")
    if not password:
        raise _invalid(_("Choose a password."), "password1", "required")
    user_model = get_user_model()
    user = (
        user_model.objects.filter(Q(mobile=member.mobile) | Q(username=member.mobile)).order_by("pk").first()
    )
    if user is not None and not user.check_password(password):
        raise _invalid(
            _(
                "This mobile number already has a login: type its password, "
                "or set a new one with “Forgot password” first."
            ),
            "password1",
            "existing_login",
        )
    if user is None:
        user = user_model(username=member.mobile, mobile=member.mobile, display_name=member.name)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), code="weak_password", field="password1") from None
    if not verification_code_check(mobile=member.mobile, purpose=ACTIVATION_PURPOSE, code=code, use=True):
        raise bad_code()  # spent by a simultaneous request
    if user.pk is None:
        from union_portal.accounts.services import member_login_create

        user = member_login_create(mobile=member.mobile, display_name=member.name, password=password)
    user.groups.add(Group.objects.get_or_create(name=Role.MEMBER)[0])
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    _event(member, MembershipEvent.Kind.UPDATED, user, _("Portal login activated"))
    return user


# --- personal data ----------------------------------------------------------------------------------


def member_reveal(*, member: Member, by, reason: str, request=None) -> dict:
    """The full ID number and mobile of one member, for a stated reason, written to the access log."""
    from union_portal.core.models import AccessLog, log_access

    require_perm(by, "members.reveal_member")
    require_visible(by, member)
    reason = _reason(reason)
    log_access(actor=by, action=AccessLog.Action.REVEAL, target=member, reason=reason, request=request)
    return {"id_number": member.id_number, "mobile": member.mobile}


# --- card verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CardCheck:
    valid: bool
    masked_name: str = ""
    union_name: str = ""


def card_verify(card_number: str) -> CardCheck:
    """What a merchant may learn from a card number: valid or not, and a masked name."""
    card = (card_number or "").strip()
    if not card_number_is_well_formed(card):
        return CardCheck(valid=False)
    member = (
        Member.objects.filter(card_number=card)
        .select_related("union")
        .only("name", "status", "union__name")
        .first()
    )
    if member is None or member.status != MemberStatus.ACTIVE:
        return CardCheck(valid=False)
    return CardCheck(valid=True, masked_name=member.masked_name, union_name=member.union.name)

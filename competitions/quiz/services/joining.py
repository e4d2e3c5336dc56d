"""Rule 1: a member joins (mobile confirmed by a code, union chosen)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from members.models import MemberStatus
from members.selectors import current_membership
from union_portal.core.errors import NotFoundError, PermissionDeniedError
from union_portal.core.validators import normalize_mobile
from union_portal.notifications.services import (
    verification_code_check,
    verification_code_send,
)
from union_portal.organisations.models import Organisation, OrganisationKind

from .. import ranking
from ..models import (
    Participant,
    Quiz,
)
from .common import JOIN_CODE_PURPOSE, _invalid, _now, _open_quiz, local_day

# --- joining --------------------------------------------------------------------------------------


def _active_membership(user):
    membership = current_membership(user)
    if membership is None or membership.status != MemberStatus.ACTIVE:
        raise PermissionDeniedError(
            _("The quiz is for union members: your membership must be active."), code="not_a_member"
        )
    return membership


def union_choices(*, quiz: Quiz, membership) -> list[Organisation]:
    """The unions a member may play for: their membership's union (first, the default), and the
    local (town) and industry federations of the quiz's area."""
    choices = [membership.union]
    choices += list(
        Organisation.objects.filter(
            path__startswith=quiz.organisation.path,
            kind__in=[OrganisationKind.TOWN, OrganisationKind.INDUSTRY],
            is_active=True,
        )
        .exclude(pk=membership.union_id)
        .order_by("path")
    )
    return choices


def join_code_send(*, quiz: Quiz, by, mobile: str) -> str:
    """Send the code that confirms the mobile before the first attempt. Returns the number used."""
    _open_quiz(quiz)
    _active_membership(by)
    try:
        mobile = normalize_mobile(mobile)
    except Exception:  # noqa: BLE001 - ValidationError of the validator
        raise _invalid(_("Enter a valid mobile number."), "mobile") from None
    verification_code_send(
        mobile=mobile,
        purpose=JOIN_CODE_PURPOSE,
        text=_("Your code to join the union knowledge quiz is %(code)s. It is valid for 10 minutes."),
    )
    return mobile


@transaction.atomic
def participant_join(*, quiz: Quiz, by, mobile: str, code: str, union: Organisation) -> Participant:
    """Rule 1: confirm the mobile (the code sent to it) and choose the union, once."""
    _open_quiz(quiz)
    membership = _active_membership(by)
    if not membership.union.path.startswith(quiz.organisation.path):
        raise PermissionDeniedError(_("This quiz is for the members of another area."), code="other_area")
    existing = Participant.objects.filter(quiz=quiz, user=by).first()
    if existing is not None:
        return existing
    try:
        mobile = normalize_mobile(mobile)
    except Exception:  # noqa: BLE001 - ValidationError of the validator
        raise _invalid(_("Enter a valid mobile number."), "mobile") from None
    if union.pk not in {o.pk for o in union_choices(quiz=quiz, membership=membership)}:
        raise _invalid(_("Choose your union or a local or industry federation of the area."), "union")
    if not verification_code_check(mobile=mobile, purpose=JOIN_CODE_PURPOSE, code=code):
        raise _invalid(_("The code is wrong or has expired. Ask for a new one."), "code", "wrong_code")
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                quiz=quiz, user=by, member=membership, name=membership.name, mobile=mobile, union=union
            )
    except IntegrityError:
        return Participant.objects.get(quiz=quiz, user=by)
    return participant


def participant_of(*, quiz: Quiz, user) -> Participant | None:
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(quiz=quiz, user=user).select_related("union", "next_union").first()


# --- changing the union -----------------------------------------------------------------------------


def _apply_due_union(participant: Participant, day: dt.date) -> bool:
    """Make a change of union that has come due the participant's union (with its history)."""
    if not (participant.next_union_id and participant.next_union_from and day >= participant.next_union_from):
        return False
    participant.union_id = participant.next_union_id
    participant.next_union = None
    participant.next_union_from = None
    participant.save(update_fields=["union", "next_union", "next_union_from"])
    return True


@transaction.atomic
def participant_change_union(
    *, participant: Participant, by, union: Organisation, now: dt.datetime | None = None
) -> Participant:
    """Play for another union from the first day of next month (Shanghai): this month's attempts, and so
    this month's points and prize, stay with the union they were made for. Asking again replaces the
    change; choosing the current union cancels it. The choices are those of joining."""
    if participant.user_id != getattr(by, "pk", None):
        raise NotFoundError(_("Not found."))
    participant = (
        Participant.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=participant.pk)
    )
    _open_quiz(participant.quiz)
    membership = _active_membership(by)
    if union.pk not in {o.pk for o in union_choices(quiz=participant.quiz, membership=membership)}:
        raise _invalid(_("Choose your union or a local or industry federation of the area."), "union")
    day = local_day(_now(now))
    _apply_due_union(participant, day)
    if union.pk == participant.union_id:
        participant.next_union, participant.next_union_from = None, None
    else:
        participant.next_union, participant.next_union_from = (
            union,
            ranking.next_month(ranking.month_start(day)),
        )
    participant.save(update_fields=["next_union", "next_union_from"])
    return participant


def union_changes_apply(*, now: dt.datetime | None = None) -> int:
    """The changes of union that have come due (the monthly task; ``attempt_start`` also applies a
    participant's own). Safe twice."""
    day = local_day(_now(now))
    done = 0
    for pk in Participant.objects.filter(next_union_from__lte=day).values_list("pk", flat=True):
        with transaction.atomic():
            participant = Participant.objects.select_for_update(of=("self",)).get(pk=pk)
            done += _apply_due_union(participant, day)
    return done

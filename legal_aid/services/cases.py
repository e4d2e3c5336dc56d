"""Consultations and labour-dispute cases: intake, the lawyer, the stages, closing, referral between
the partner offices of the one-stop mechanism, and the limitation warnings.

A case moves only forward (see :data:`legal_aid.models.NEXT_STAGES`), only here, each move a
:class:`CaseStep` with who, when and the note; closing needs an outcome. Calling a move again on a
case already there returns it unchanged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from union_portal.core.crypto import blind_index
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import normalize_id_number, normalize_mobile
from union_portal.notifications.services import notify
from union_portal.organisations.models import Enterprise, Organisation
from union_portal.webhooks.services import webhook_emit

from ..models import (
    BEFORE_ARBITRATION,
    NEXT_STAGES,
    ZERO,
    CaseStep,
    Channel,
    ClaimType,
    Consultation,
    ConsultationStatus,
    DisputeCase,
    Lawyer,
    LawyerStatus,
    Outcome,
    PartnerOffice,
    Stage,
    Station,
    Topic,
    limitation_date,
)
from .common import invalid, is_lawyer_of, link, money, staff_with, text

# --- consultations ----------------------------------------------------------------------------------------


def _mobile(value, field: str = "mobile") -> str:
    if not value:
        return ""
    try:
        return normalize_mobile(value)
    except Exception:  # noqa: BLE001 - a ValidationError with the validator's message
        raise invalid(_("Enter a valid mainland mobile number of 11 digits."), field) from None


def _id_number(value, field: str = "applicant_id_number") -> str:
    if not value:
        return ""
    try:
        return normalize_id_number(value)
    except Exception as error:  # noqa: BLE001 - a ValidationError with the validator's message
        raise invalid(error.messages[0], field) from None


def find_cases_by_id_number(number: str, queryset=None):
    """The cases of an applicant by resident ID number, through its blind index (the encrypted column
    itself cannot be searched)."""
    queryset = DisputeCase.objects.all() if queryset is None else queryset
    return queryset.filter(applicant_id_number_hash=blind_index(normalize_id_number(number)))


@transaction.atomic
def consultation_record(
    *,
    by,
    channel: str,
    topic: str,
    question: str,
    advice: str = "",
    member: Member | None = None,
    name: str = "",
    mobile: str = "",
    lawyer: Lawyer | None = None,
    station: Station | None = None,
    organisation: Organisation | None = None,
    follow_up_needed: bool = False,
) -> Consultation:
    """Record a consultation by phone, visit or letter: by the lawyer on duty (for themselves) or staff."""
    own_lawyer = getattr(by, "lawyer", None) if by is not None and by.is_authenticated else None
    if lawyer is None and own_lawyer is not None:
        lawyer = own_lawyer
    if not is_lawyer_of(by, lawyer):
        require_perm(by, "legal_aid.add_consultation")
    if channel not in Channel.values:
        raise invalid(_("Choose how the question came."), "channel", "required")
    if topic not in Topic.values:
        raise invalid(_("Choose the topic."), "topic", "required")
    if member is None and not (name or "").strip():
        raise invalid(_("Choose the member or enter a name."), "name", "required")
    organisation = organisation or (station.organisation if station else None)
    organisation = (
        organisation or (member.union if member else None) or (lawyer.organisation if lawyer else None)
    )
    if organisation is None:
        raise invalid(_("Choose the station or the organisation that handles it."), "station", "required")
    if not is_lawyer_of(by, lawyer):
        require_visible(by, organisation)
    if member is not None and not is_lawyer_of(by, lawyer):
        require_visible(by, member)
    advice = text(advice, "advice", limit=4000, required=False, multiline=True)
    now = timezone.now()
    return Consultation.objects.create(
        channel=channel,
        topic=topic,
        question=text(question, "question", limit=4000, multiline=True),
        advice=advice,
        member=member,
        name=text(name, "name", limit=50, required=False) or None,  # encrypted: empty is NULL
        mobile=_mobile(mobile),
        lawyer=lawyer,
        station=station,
        organisation=organisation,
        follow_up_needed=bool(follow_up_needed),
        status=ConsultationStatus.ANSWERED if advice else ConsultationStatus.REQUESTED,
        asked_by=by,
        asked_at=now,
        answered_at=now if advice else None,
    )


@transaction.atomic
def consultation_request(*, member: Member, by, topic: str, question: str) -> Consultation:
    """A member asks a question online; the staff of their union's area are told."""
    if member.user_id != getattr(by, "pk", None):
        raise PermissionDeniedError(_("Members ask for themselves."))
    if topic not in Topic.values:
        raise invalid(_("Choose the topic."), "topic", "required")
    consultation = Consultation.objects.create(
        channel=Channel.ONLINE,
        topic=topic,
        question=text(question, "question", limit=4000, multiline=True),
        member=member,
        organisation=member.union,
        status=ConsultationStatus.REQUESTED,
        asked_by=by,
        asked_at=timezone.now(),
    )
    for user in staff_with("legal_aid.change_consultation", member.union.path):
        notify(
            user=user,
            event="legal.consultation_requested",
            key=f"legal.consultation_requested:{consultation.pk}:{user.pk}",
            context={"topic": consultation.get_topic_display(), "pk": consultation.pk},
            link=link("admin:legal_aid_consultation_change", consultation.pk),
        )
    return consultation


@transaction.atomic
def consultation_answer(
    *, consultation: Consultation, by, advice: str, follow_up_needed: bool = False
) -> Consultation:
    """A lawyer (or staff) answers a consultation; the member is told."""
    consultation = (
        Consultation.objects.select_for_update(of=("self",)).select_related("member").get(pk=consultation.pk)
    )
    own_lawyer = getattr(by, "lawyer", None) if by is not None and by.is_authenticated else None
    if own_lawyer is not None and consultation.lawyer_id in (None, own_lawyer.pk):
        lawyer = own_lawyer
    else:
        require_perm(by, "legal_aid.change_consultation")
        require_visible(by, consultation)
        lawyer = consultation.lawyer
    if consultation.status == ConsultationStatus.CLOSED:
        raise invalid(_("This consultation is closed."), code="wrong_state")
    consultation.advice = text(advice, "advice", limit=4000, multiline=True)
    consultation.lawyer = lawyer
    consultation.follow_up_needed = bool(follow_up_needed)
    consultation.status, consultation.answered_at = ConsultationStatus.ANSWERED, timezone.now()
    consultation.save(update_fields=["advice", "lawyer", "follow_up_needed", "status", "answered_at"])
    if consultation.member_id and consultation.member.user_id:
        notify(
            user=consultation.member.user,
            event="legal.consultation_answered",
            key=f"legal.consultation_answered:{consultation.pk}",
            context={"topic": consultation.get_topic_display(), "pk": consultation.pk},
            link=link("legal:consultation", consultation.pk),
        )
    return consultation


# --- cases --------------------------------------------------------------------------------------------------


def clean_claims(claims) -> tuple[list[dict], Decimal]:
    """Claims as ``[{"type": ..., "amount": "1234.00"}]`` (known types, amounts in yuan) and their total."""
    cleaned, total = [], ZERO
    for claim in claims or []:
        kind = (claim or {}).get("type")
        if kind not in ClaimType.values:
            raise invalid(_("Choose the type of each claim."), "claims")
        amount = money(claim.get("amount") or 0, "claims")
        cleaned.append({"type": kind, "amount": str(amount)})
        total += amount
    if not cleaned:
        raise invalid(_("Enter at least one claim."), "claims", "required")
    return cleaned, total


def _notify_stage(case: DisputeCase, step: CaseStep) -> None:
    """Tell the applicant (a member with an account) and the lawyer, except whoever made the move."""
    context = {"pk": case.pk, "stage": case.get_stage_display(), "note": step.note}
    users = []
    if case.applicant_id and case.applicant.user_id:
        users.append((case.applicant.user, link("legal:case", case.pk)))
    if case.lawyer_id and case.lawyer.user_id:
        users.append((case.lawyer.user, link("legal:case", case.pk)))
    for user, url in users:
        if user.pk == step.by_id:
            continue
        notify(
            user=user,
            event="legal.case_stage",
            key=f"legal.case_stage:{step.pk}:{user.pk}",
            context=context,
            link=url,
        )


def _step(case: DisputeCase, to_stage: str, *, by, note: str = "", fields=()) -> DisputeCase:
    from_stage = case.stage
    case.stage, case.stage_changed_at = to_stage, timezone.now()
    case.save(update_fields=["stage", "stage_changed_at", *fields])
    step = CaseStep.objects.create(
        case=case, from_stage=from_stage, to_stage=to_stage, by=by, at=case.stage_changed_at,
        note=text(note, "note", limit=300, required=False),
    )  # fmt: skip
    _notify_stage(case, step)
    webhook_emit("legal.case_stage_changed", step)
    return case


def _lock_case(case: DisputeCase) -> DisputeCase:
    return (
        DisputeCase.objects.select_for_update(of=("self",))
        .select_related("applicant__user", "lawyer__user")
        .get(pk=case.pk)
    )


@transaction.atomic
def case_open(*, by, data: dict, applicant: Member | None = None) -> DisputeCase:
    """Take in a labour-dispute case: by staff (or a partner office's system), or by a member asking
    for legal aid for themselves. ``data``: ``applicant_name``, ``applicant_mobile``,
    ``applicant_id_number`` (a non-member's; stored encrypted, with its blind index), ``employer``
    (an Enterprise) or ``employer_name``, ``claims``, ``arose_on``, ``details``, ``organisation``,
    ``referred_from``, ``note``."""
    self_service = applicant is not None and applicant.user_id is not None and applicant.user_id == by.pk
    if not self_service:
        require_perm(by, "legal_aid.add_disputecase")
    employer = data.get("employer")
    if employer is not None and not isinstance(employer, Enterprise):
        raise invalid(_("Choose the employer."), "employer")
    organisation = data.get("organisation") or (applicant.union if applicant else None)
    organisation = organisation or (employer.town if employer else None)
    if organisation is None:
        raise invalid(_("Choose the organisation that handles the case."), "organisation", "required")
    if not self_service:
        require_visible(by, organisation)
        if applicant is not None:
            require_visible(by, applicant)
    arose_on = data.get("arose_on")
    if not isinstance(arose_on, dt.date):
        raise invalid(_("Enter the day the dispute arose."), "arose_on", "required")
    if arose_on > timezone.localdate():
        raise invalid(_("The date cannot be in the future."), "arose_on")
    claims, total = clean_claims(data.get("claims"))
    referred_from = data.get("referred_from") or ""
    if referred_from and referred_from not in PartnerOffice.values:
        raise invalid(_("Choose the partner office."), "referred_from")
    name = applicant.name if applicant else text(data.get("applicant_name"), "applicant_name", limit=50)
    id_number = applicant.id_number if applicant else _id_number(data.get("applicant_id_number"))
    mobile = applicant.mobile if applicant else _mobile(data.get("applicant_mobile"), "applicant_mobile")
    employer_name = employer.name if employer else text(data.get("employer_name"), "employer_name", limit=150)
    now = timezone.now()
    case = DisputeCase.objects.create(
        applicant=applicant,
        applicant_name=name,
        applicant_mobile=mobile or "",
        applicant_id_number=id_number,
        applicant_id_number_hash=blind_index(id_number) or "",
        employer=employer,
        employer_name=employer_name,
        claims=claims,
        claimed_total=total,
        details=text(data.get("details"), "details", limit=8000, required=False, multiline=True),
        arose_on=arose_on,
        limitation_on=limitation_date(arose_on),
        organisation=organisation,
        referred_from=referred_from,
        opened_by=by,
        opened_at=now,
        stage_changed_at=now,
    )
    step = CaseStep.objects.create(
        case=case, from_stage="", to_stage=Stage.INTAKE, by=by, at=now,
        note=text(data.get("note"), "note", limit=300, required=False),
    )  # fmt: skip
    _notify_stage(case, step)
    for user in staff_with("legal_aid.advance_disputecase", organisation.path):
        if user.pk != by.pk:
            notify(
                user=user,
                event="legal.case_opened",
                key=f"legal.case_opened:{case.pk}:{user.pk}",
                context={"pk": case.pk, "total": total},
                link=link("admin:legal_aid_disputecase_change", case.pk),
            )
    return case


def _may_move(by, case: DisputeCase) -> None:
    """Staff who may move cases and see this one, or the lawyer assigned to it."""
    if is_lawyer_of(by, case.lawyer):
        return
    require_perm(by, "legal_aid.advance_disputecase")
    require_visible(by, case)


@transaction.atomic
def case_limitation_interrupt(*, case: DisputeCase, by, on: dt.date, note: str) -> DisputeCase:
    """The limitation period is interrupted on ``on`` (art. 27 para. 2: the worker claimed their rights
    from the employer, asked an authority for relief, or the employer agreed to perform) and runs a
    full year again from that day. Recorded as a step of the case (stage kept, the new date, who, when,
    why); the 60/30/7-day warnings start again; the lawyer and the applicant are told. An interruption
    after the period ran out does not revive it."""
    case = _lock_case(case)
    _may_move(by, case)
    if not case.limitation_runs:
        raise ApplicationError(
            _("The limitation period no longer runs for this case (it is before the arbitrators or closed)."),
            code="wrong_state",
        )
    if not isinstance(on, dt.date):
        raise invalid(_("Enter the day the period was interrupted."), "on", "required")
    if on > timezone.localdate():
        raise invalid(_("The date cannot be in the future."), "on")
    if on < case.arose_on:
        raise invalid(_("The period cannot be interrupted before the dispute arose."), "on")
    if on > case.limitation_on:
        raise invalid(
            _("The period had run out on %(day)s: a later interruption does not revive it.")
            % {"day": case.limitation_on.isoformat()},
            "on",
        )
    reason = text(note, "note", limit=300)
    renewed = limitation_date(on)
    if renewed <= case.limitation_on:
        raise invalid(_("The period already runs until a later day."), "on")
    case.limitation_on, case.limitation_warned_days = renewed, None
    case.save(update_fields=["limitation_on", "limitation_warned_days"])
    step = CaseStep.objects.create(
        case=case, from_stage=case.stage, to_stage=case.stage, by=by, at=timezone.now(), note=reason,
        limitation_on=renewed,
    )  # fmt: skip
    context = {"pk": case.pk, "until": renewed.isoformat(), "note": reason}
    people = []
    if case.applicant_id and case.applicant.user_id:
        people.append(case.applicant.user)
    if case.lawyer_id and case.lawyer.user_id:
        people.append(case.lawyer.user)
    for user in people:
        if user.pk != by.pk:
            notify(
                user=user,
                event="legal.limitation_interrupted",
                key=f"legal.limitation_interrupted:{step.pk}:{user.pk}",
                context=context,
                link=link("legal:case", case.pk),
            )
    return case


@transaction.atomic
def case_assign_lawyer(*, case: DisputeCase, lawyer: Lawyer, by, note: str = "") -> DisputeCase:
    """Staff give a case at intake to a lawyer of the panel; the lawyer is told."""
    require_perm(by, "legal_aid.advance_disputecase")
    require_visible(by, case)
    case = _lock_case(case)
    if case.lawyer_id == lawyer.pk and case.stage != Stage.INTAKE:
        return case
    if case.stage != Stage.INTAKE:
        raise ApplicationError(
            _("A lawyer is assigned at intake (this case is at %(stage)s)."),
            code="wrong_state",
            params={"stage": case.get_stage_display()},
        )
    if lawyer.status != LawyerStatus.ACTIVE:
        raise invalid(_("This lawyer is no longer on the panel."), "lawyer", "not_active")
    case.lawyer = lawyer
    return _step(case, Stage.LAWYER_ASSIGNED, by=by, note=note or lawyer.name, fields=["lawyer"])


@transaction.atomic
def case_advance(*, case: DisputeCase, to_stage: str, by, note: str = "") -> DisputeCase:
    """Move a case one step forward (mediation, its result, arbitration, judgment). Never backwards."""
    case = _lock_case(case)
    _may_move(by, case)
    if case.stage == to_stage:
        return case
    if to_stage == Stage.CLOSED:
        raise invalid(_("Close a case with its outcome."), "outcome", "required")
    if to_stage == Stage.LAWYER_ASSIGNED:
        raise invalid(_("Assign the lawyer to move a case past intake."), "lawyer", "required")
    if to_stage not in NEXT_STAGES.get(case.stage, ()):
        raise ApplicationError(
            _("A case at %(stage)s cannot move to %(to)s: stages only move forward, one step at a time."),
            code="wrong_stage",
            field="to_stage",
            params={
                "stage": case.get_stage_display(),
                "to": Stage(to_stage).label if to_stage in Stage.values else to_stage,
            },
        )
    return _step(case, to_stage, by=by, note=note)


@transaction.atomic
def case_close(*, case: DisputeCase, by, outcome: str, amount_recovered=0, note: str = "") -> DisputeCase:
    """Close a case with its outcome and the amount recovered for the worker (Decimal yuan)."""
    case = _lock_case(case)
    _may_move(by, case)
    if case.stage == Stage.CLOSED:
        return case
    if outcome not in Outcome.values:
        raise invalid(_("Closing a case needs its outcome."), "outcome", "required")
    if outcome == Outcome.MEDIATED and case.stage not in (Stage.MEDIATED, Stage.MEDIATION):
        raise invalid(_("A mediation agreement closes a case in mediation."), "outcome")
    case.outcome = outcome
    case.amount_recovered = money(amount_recovered or 0, "amount_recovered")
    case.closed_at = timezone.now()
    return _step(
        case, Stage.CLOSED, by=by, note=note or Outcome(outcome).label,
        fields=["outcome", "amount_recovered", "closed_at"],
    )  # fmt: skip


@transaction.atomic
def case_refer(*, case: DisputeCase, to_office: str, by, note: str = "") -> DisputeCase:
    """Refer a case to a partner office (一站式): recorded as a step of the case; the stage is kept
    and the partner gives its feedback through the stages."""
    case = _lock_case(case)
    _may_move(by, case)
    if to_office not in PartnerOffice.values:
        raise invalid(_("Choose the partner office."), "to_office", "required")
    if case.stage == Stage.CLOSED:
        raise invalid(_("This case is closed."), code="wrong_state")
    if case.referred_to == to_office:
        return case
    case.referred_to = to_office
    case.save(update_fields=["referred_to"])
    step = CaseStep.objects.create(
        case=case, from_stage=case.stage, to_stage=case.stage, by=by, at=timezone.now(),
        note=text(
            _("Referred to %(office)s. %(note)s") % {"office": PartnerOffice(to_office).label, "note": note},
            "note", limit=300, required=False,
        ),
    )  # fmt: skip
    _notify_stage(case, step)  # the applicant reads where the case went (the step's note)
    return case


# --- limitation warnings ----------------------------------------------------------------------------------


def limitation_threshold(days_left: int, thresholds: list[int] | None = None) -> int | None:
    """The warning due for a case ``days_left`` days from its limitation date: the smallest threshold
    that is at least ``days_left`` (60, 30 or 7 days), or None when none is reached yet."""
    thresholds = sorted(thresholds or settings.LEGAL_LIMITATION_WARNING_DAYS)
    return next((t for t in thresholds if days_left <= t), None)


def limitation_warnings_send(*, today: dt.date | None = None) -> int:
    """Warn the staff of the case's area and the assigned lawyer when an open case before arbitration
    comes within 60, 30 and 7 days of its limitation date: once each (a case found late gets only the
    latest warning due, never an earlier one afterwards). Returns how many cases were warned."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(settings.LEGAL_LIMITATION_WARNING_DAYS))
    due = (
        DisputeCase.objects.filter(
            stage__in=BEFORE_ARBITRATION, limitation_on__lte=horizon, limitation_on__gte=today
        )
        .select_related("organisation", "lawyer__user")
        .order_by("limitation_on", "pk")
    )
    warned = 0
    for case in due:
        days_left = (case.limitation_on - today).days
        threshold = limitation_threshold(days_left)
        if threshold is None or (
            case.limitation_warned_days is not None and case.limitation_warned_days <= threshold
        ):
            continue
        with transaction.atomic():
            locked = DisputeCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
            if locked.limitation_warned_days is not None and locked.limitation_warned_days <= threshold:
                continue
            DisputeCase.objects.filter(pk=case.pk).update(limitation_warned_days=threshold)
            context = {
                "pk": case.pk,
                "days": days_left,
                "limitation_on": case.limitation_on,
                "threshold": threshold,
            }
            users = staff_with("legal_aid.advance_disputecase", case.organisation.path)
            if case.lawyer_id and case.lawyer.user_id:
                users.append(case.lawyer.user)
            for user in {u.pk: u for u in users}.values():
                notify(
                    user=user,
                    event="legal.limitation_warning",
                    key=f"legal.limitation:{case.pk}:{threshold}:{user.pk}",
                    context=context,
                    link=link("admin:legal_aid_disputecase_change", case.pk)
                    if user.is_staff
                    else link("legal:case", case.pk),
                    urgent=True,
                )
        warned += 1
    return warned

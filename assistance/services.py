"""Every write of hardship aid that carries a rule: files, campaigns, the scheme, the workflow.

The workflow of an application lives here and only here::

    submitted ─check─▶ checked ─approve─▶ approved ─pay─▶ paid ─close─▶ closed
        │                 │
        ├─reject──────────┴─reject─▶ rejected
        └─withdraw (also from checked) ─▶ withdrawn

Each step checks the actor's permission and scope, locks what it changes (the campaign or the
mutual-aid enrolment first, then the application: always in that order, so two steps never wait
on each other in a circle), records an :class:`AidStep` and notifies the applicant after commit.
Calling a step again on an application already there returns it unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus
from union_portal.core.errors import ApplicationError, PermissionDeniedError, apply_each
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text
from union_portal.core.workdays import working_days_between
from union_portal.notifications.services import notify

from .models import (
    CAMPAIGN_KIND_OF,
    GRANTED_STATES,
    ZERO,
    AidApplication,
    AidKind,
    AidStep,
    Campaign,
    Cause,
    Document,
    DocumentKind,
    FileStatus,
    HardshipFile,
    HardshipLevel,
    Health,
    HouseholdMember,
    MutualAidEnrolment,
    MutualAidScheme,
    Payment,
    PaymentMethod,
    Relation,
    State,
    Visit,
    WorkStatus,
)

CENT = Decimal("0.01")
REASON_MAX = 300


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise _invalid(_("Enter an amount in yuan."), field) from None
    if amount < 0:
        raise _invalid(_("The amount cannot be negative."), field)
    if amount >= Decimal("1e10"):
        raise _invalid(_("The amount is too large."), field)
    return amount


def _text(
    value, field: str, *, required: bool = True, limit: int | None = REASON_MAX, multiline: bool = False
) -> str:
    """Text a person typed, through ``clean_text``: control and bidirectional characters refused,
    invisible ones removed, too long refused (never cut)."""
    try:
        text = clean_text(value, max_length=limit, multiline=multiline)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field=field) from None
    if required and not text:
        raise _invalid(_("This is required."), field, "required")
    return text


def clean_bank_account(value) -> str:
    """A bank account or card number: 8 to 30 digits; spaces and hyphens as people write them are dropped."""
    account = "".join(str(value or "").split()).replace("-", "")
    if not account.isascii() or not account.isdigit() or not 8 <= len(account) <= 30:
        raise _invalid(_("Enter the account number: 8 to 30 digits."), "payee_account")
    return account


def _payee(bank, account) -> tuple[str, str]:
    bank = _text(bank, "payee_bank", required=False, limit=100)
    if not bank and not (account or "").strip():
        return "", ""
    if not bank:
        raise _invalid(_("Enter the bank of the account."), "payee_bank", "required")
    return bank, clean_bank_account(account)


# --- hardship files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFigures:
    size: int
    income: Decimal
    per_head: Decimal


def household_figures(rows: Iterable) -> HouseholdFigures:
    """Monthly household income and income per head (rounded to the fen) of household rows or dicts."""
    incomes = [Decimal(str(r["monthly_income"] if isinstance(r, dict) else r.monthly_income)) for r in rows]
    total = sum(incomes, ZERO).quantize(CENT)
    per_head = (total / len(incomes)).quantize(CENT, rounding=ROUND_HALF_UP) if incomes else ZERO
    return HouseholdFigures(size=len(incomes), income=total, per_head=per_head)


def clean_causes(causes) -> list[str]:
    """Causes of hardship as a sorted list of known codes, at least one."""
    if isinstance(causes, str):
        causes = [c.strip() for c in causes.replace("，", ",").split(",")]
    values = sorted({c for c in (causes or []) if c})
    unknown = [c for c in values if c not in Cause.values]
    if unknown:
        raise _invalid(_("Unknown cause: %(c)s") % {"c": ", ".join(unknown)}, "causes")
    if not values:
        raise _invalid(_("Choose at least one cause of hardship."), "causes", "required")
    return values


def clean_household_row(row: dict) -> dict:
    name = _text(row.get("name"), "household", limit=50)
    if row.get("relation") not in Relation.values:
        raise _invalid(_("Choose the relation of %(name)s.") % {"name": name}, "household")
    try:
        age = int(row.get("age"))
    except (TypeError, ValueError):
        raise _invalid(_("Enter the age of %(name)s.") % {"name": name}, "household") from None
    if not 0 <= age <= 130:
        raise _invalid(_("Enter the age of %(name)s.") % {"name": name}, "household")
    health = row.get("health") or Health.HEALTHY
    work = row.get("work") or WorkStatus.EMPLOYED
    if health not in Health.values or work not in WorkStatus.values:
        raise _invalid(_("Unknown health or work status for %(name)s.") % {"name": name}, "household")
    return {
        "name": name,
        "relation": row["relation"],
        "age": age,
        "health": health,
        "work": work,
        "monthly_income": _money(row.get("monthly_income") or 0, "household"),
    }


def _store_figures(file: HardshipFile, figures: HouseholdFigures) -> None:
    file.household_size, file.household_income, file.income_per_head = (
        figures.size,
        figures.income,
        figures.per_head,
    )


@transaction.atomic
def hardship_file_open(
    *,
    member: Member,
    by,
    level: str,
    causes,
    household: list[dict],
    next_recheck_on: dt.date | None = None,
    centre=None,
    notes: str = "",
) -> HardshipFile:
    """Open a hardship file for a member with their household; the first re-check is due in a year."""
    require_perm(by, "assistance.add_hardshipfile")
    require_visible(by, member)
    if member.status != MemberStatus.ACTIVE:
        raise _invalid(_("Hardship files are kept for active members."), "member", "not_active")
    if level not in HardshipLevel.values:
        raise _invalid(_("Choose the hardship level."), "level", "required")
    rows = [clean_household_row(r) for r in household]
    if not rows:
        raise _invalid(_("Enter the household, the member included."), "household", "required")
    today = timezone.localdate()
    file = HardshipFile(
        member=member,
        centre=centre,
        level=level,
        causes=clean_causes(causes),
        opened_on=today,
        next_recheck_on=next_recheck_on or _one_year_after(today),
        notes=_text(notes, "notes", required=False, limit=None, multiline=True),
        opened_by=by,
    )
    _store_figures(file, household_figures(rows))
    if HardshipFile.objects.active().filter(member=member).exists():
        raise _invalid(_("This member already has an active hardship file."), "member", "duplicate")
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError:
        raise _invalid(_("This member already has an active hardship file."), "member", "duplicate") from None
    HouseholdMember.objects.bulk_create([HouseholdMember(file=file, **r) for r in rows])
    return file


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _lock_file(file: HardshipFile) -> HardshipFile:
    return HardshipFile.objects.select_for_update(of=("self",)).get(pk=file.pk)


@transaction.atomic
def hardship_file_update(*, file: HardshipFile, by, data: dict) -> HardshipFile:
    """Change level, causes, centre, re-check date or notes of an active file."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    allowed = {"level", "causes", "centre", "next_recheck_on", "notes"}
    unknown = set(data) - allowed
    if unknown:
        raise _invalid(
            _("These fields change through their own steps: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    file = _lock_file(file)
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file can be changed."), code="not_active")
    if "level" in data and data["level"] not in HardshipLevel.values:
        raise _invalid(_("Choose the hardship level."), "level", "required")
    if "causes" in data:
        data = {**data, "causes": clean_causes(data["causes"])}
    if "notes" in data:
        data = {**data, "notes": _text(data["notes"], "notes", required=False, limit=None, multiline=True)}
    for key, value in data.items():
        setattr(file, key, value)
    file.save()
    return file


@transaction.atomic
def hardship_file_recompute(*, file: HardshipFile, by) -> HardshipFile:
    """Recompute the income per head after the household rows changed (the admin's inline)."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    file = _lock_file(file)
    _store_figures(file, household_figures(file.household.all()))
    file.save(update_fields=["household_size", "household_income", "income_per_head", "updated_at"])
    return file


@transaction.atomic
def hardship_file_recheck(
    *, file: HardshipFile, by, note: str = "", next_recheck_on: dt.date | None = None
) -> HardshipFile:
    """Record the annual re-check: the family is still in hardship; the next one is due in a year."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    file = _lock_file(file)
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file is re-checked."), code="not_active")
    today = timezone.localdate()
    if next_recheck_on is not None and next_recheck_on <= today:
        raise _invalid(_("The next re-check must be in the future."), "next_recheck_on")
    file.last_checked_on = today
    file.next_recheck_on = next_recheck_on or _one_year_after(today)
    file._change_reason = note[:100]
    file.save(update_fields=["last_checked_on", "next_recheck_on", "updated_at"])
    return file


@transaction.atomic
def hardship_file_exit(*, file: HardshipFile, by, reason: str, on: dt.date | None = None) -> HardshipFile:
    """The family is out of hardship (解困脱困): the file stops being active, with the date and reason."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    reason = _text(reason, "reason", multiline=True)
    file = _lock_file(file)
    if file.status == FileStatus.OUT:
        return file
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file can be marked out of hardship."), code="not_active")
    on = on or timezone.localdate()
    if on > timezone.localdate() or on < file.opened_on:
        raise _invalid(_("The date must lie between the opening of the file and today."), "on")
    file.status, file.exited_on, file.exit_reason = FileStatus.OUT, on, reason
    file.save(update_fields=["status", "exited_on", "exit_reason", "updated_at"])
    return file


@transaction.atomic
def hardship_file_close(*, file: HardshipFile, by, reason: str) -> HardshipFile:
    """Close a file for another reason (moved away, died, left the union)."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    reason = _text(reason, "reason", multiline=True)
    file = _lock_file(file)
    if file.status == FileStatus.CLOSED:
        return file
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file can be closed."), code="not_active")
    file.status, file.closed_on, file.exit_reason = FileStatus.CLOSED, timezone.localdate(), reason
    file.save(update_fields=["status", "closed_on", "exit_reason", "updated_at"])
    return file


def _visit_fields(*, visited_on: dt.date, visitors: str, gift_value, notes: str) -> dict:
    """One rule for a visit, recorded or corrected: not in the future, the visitors named."""
    if visited_on > timezone.localdate():
        raise _invalid(_("The date cannot be in the future."), "visited_on")
    return {
        "visited_on": visited_on,
        "visitors": _text(visitors, "visitors", limit=200),
        "gift_value": _money(gift_value, "gift_value"),
        "notes": _text(notes, "notes", required=False, limit=None, multiline=True),
    }


def visit_record(
    *, file: HardshipFile, by, visited_on: dt.date, visitors: str, gift_value=0, notes: str = ""
) -> Visit:
    require_perm(by, "assistance.add_visit")
    require_visible(by, file)
    fields = _visit_fields(visited_on=visited_on, visitors=visitors, gift_value=gift_value, notes=notes)
    return Visit.objects.create(file=file, recorded_by=by, **fields)


@transaction.atomic
def visit_update(
    *, visit: Visit, by, visited_on: dt.date, visitors: str, gift_value=0, notes: str = ""
) -> Visit:
    """Correct a recorded visit under the same rules as recording it; the history keeps the old one."""
    require_perm(by, "assistance.change_visit")
    require_visible(by, visit.file)
    fields = _visit_fields(visited_on=visited_on, visitors=visitors, gift_value=gift_value, notes=notes)
    visit = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.save(update_fields=list(fields))
    return visit


# --- campaigns and the scheme -------------------------------------------------------------------


def _lock_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).get(pk=campaign_id)


@transaction.atomic
def campaign_save(*, campaign: Campaign, by) -> Campaign:
    """Create or change a campaign; its budget can never drop below what is approved already."""
    require_perm(by, "assistance.change_campaign" if campaign.pk else "assistance.add_campaign")
    require_visible(by, campaign.organisation)
    if campaign.closes_on < campaign.opens_on:
        raise _invalid(_("A campaign cannot close before it opens."), "closes_on")
    if campaign.festival and campaign.kind != "festival":
        raise _invalid(_("Only festival condolence has a festival."), "festival")
    if campaign.pk:
        current = _lock_campaign(campaign.pk)
        if campaign.budget < current.approved_total:
            raise _invalid(
                _("The budget cannot be less than the %(total)s yuan approved already.")
                % {"total": current.approved_total},
                "budget",
                "below_approved",
            )
        campaign.approved_total, campaign.paid_total = current.approved_total, current.paid_total
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise _invalid(_("This campaign already exists for that year."), "year", "duplicate") from None
    return campaign


@dataclass(frozen=True)
class ClaimStep:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class ClaimComputation:
    """How a mutual-aid claim is reimbursed, step by step, as the member reads it."""

    steps: list[ClaimStep] = field(default_factory=list)
    amount: Decimal = ZERO

    def as_json(self) -> list[dict]:
        return [{"label": s.label, "amount": str(s.amount)} for s in self.steps]


def compute_claim(*, scheme: MutualAidScheme, expenses, reimbursed_before=ZERO) -> ClaimComputation:
    """Reimbursement = min((expenses - deductible) × ratio, annual cap - reimbursed this year), never below 0."""
    expenses = _money(expenses, "medical_expenses")
    reimbursed_before = Decimal(reimbursed_before)
    above = max(expenses - scheme.deductible, ZERO)
    by_ratio = (above * scheme.ratio).quantize(CENT, rounding=ROUND_HALF_UP)
    cap_left = max(scheme.annual_cap - reimbursed_before, ZERO)
    amount = min(by_ratio, cap_left)
    steps = [
        ClaimStep(_("Medical expenses you paid"), expenses),
        ClaimStep(_("Minus the deductible"), scheme.deductible),
        ClaimStep(_("Expenses above the deductible"), above),
        ClaimStep(
            _("Times the ratio of %(ratio)s%%") % {"ratio": (scheme.ratio * 100).normalize()}, by_ratio
        ),
        ClaimStep(_("Annual cap per member"), scheme.annual_cap),
        ClaimStep(_("Already reimbursed this year"), reimbursed_before),
        ClaimStep(_("Left under the cap"), cap_left),
        ClaimStep(_("Reimbursement (the smaller of the two)"), amount),
    ]
    return ClaimComputation(steps=steps, amount=amount)


@transaction.atomic
def mutual_aid_enrol(
    *, scheme: MutualAidScheme, member: Member, by, on: dt.date | None = None
) -> MutualAidEnrolment:
    require_perm(by, "assistance.add_mutualaidenrolment")
    require_visible(by, member)
    on = on or timezone.localdate()
    if member.status != MemberStatus.ACTIVE:
        raise _invalid(_("Only active members can enrol."), "member", "not_active")
    if not scheme.enrol_opens_on <= on <= scheme.enrol_closes_on:
        raise _invalid(_("Enrolment in this scheme is closed."), "scheme", "closed")
    enrolment, _created = MutualAidEnrolment.objects.get_or_create(
        scheme=scheme, member=member, defaults={"enrolled_on": on}
    )
    return enrolment


def current_enrolment(member: Member, on: dt.date | None = None) -> MutualAidEnrolment | None:
    year = (on or timezone.localdate()).year
    return (
        MutualAidEnrolment.objects.select_related("scheme").filter(member=member, scheme__year=year).first()
    )


# --- notifications of the applicant --------------------------------------------------------------


def _link(application: AidApplication) -> str:
    try:
        return reverse("aid:detail", args=[application.pk])
    except NoReverseMatch:  # the portal is not mounted (a management command in a bare project)
        return ""


#: The events of an application's steps; their words are the templates
#: ``assistance/templates/notifications/aid.<state>/`` (title, body, and the SMS as one sentence).
STEP_EVENTS = {state: f"aid.{state}" for state in State.values}


def step_context(application: AidApplication, step: AidStep) -> dict:
    """What the templates of a step's message may say: kind, number, amount, and for a payment how,
    when and under which bank reference it was paid; for a rejection the reason."""
    context = {
        "kind": AidKind(application.kind).label,  # lazy: rendered in the portal's language
        "pk": application.pk,
        "amount": application.amount_approved,
        "note": step.note,
        # The sentence ends with the template's own full stop, not the reason's.
        "reason": application.rejection_reason.strip().rstrip("。．.!！;；"),
    }
    if step.to_state == State.PAID:
        payment = Payment.objects.filter(application=application).first()
        if payment is not None:
            context.update(
                amount=payment.amount,
                method=PaymentMethod(payment.method).label,
                paid_on=payment.paid_on.isoformat(),
                reference=payment.reference,
            )
    return context


def _notify_step(application: AidApplication, step: AidStep) -> None:
    """Tell the member (and the proxy agent who filed for them) that the application moved."""
    recipients = {application.member.user_id: application.member.user} if application.member.user_id else {}
    filer = application.filed_by
    if filer.pk not in recipients and not filer.is_staff and filer.pk != step.by_id:
        recipients[filer.pk] = filer
    if not recipients:
        return
    context = step_context(application, step)
    for user in recipients.values():
        notify(
            user=user,
            event=STEP_EVENTS[step.to_state],
            context=context,
            link=_link(application),
            key=f"aid.step:{step.pk}:{user.pk}",
        )


def _move(
    application: AidApplication, to_state: str, *, by, note: str = "", amount=None, fields=()
) -> AidApplication:
    note = _text(note, "note", required=False, multiline=True)
    from_state = application.state
    application.state = to_state
    application.state_changed_at = timezone.now()
    application.save(update_fields=["state", "state_changed_at", "updated_at", *fields])
    step = AidStep.objects.create(
        application=application,
        from_state=from_state,
        to_state=to_state,
        by=by,
        note=note,
        amount=amount,
    )
    _notify_step(application, step)
    return application


def _lock_application(pk: int) -> AidApplication:
    return (
        AidApplication.objects.select_for_update(of=("self",)).select_related("member", "filed_by").get(pk=pk)
    )


def _lock_for(application: AidApplication) -> AidApplication:
    """Lock in the one order every step uses: campaign, then enrolment, then the application."""
    if application.campaign_id:
        _lock_campaign(application.campaign_id)
    if application.enrolment_id:
        MutualAidEnrolment.objects.select_for_update(of=("self",)).get(pk=application.enrolment_id)
    return _lock_application(application.pk)


def _wrong_state(application: AidApplication, message) -> ApplicationError:
    return ApplicationError(message, code="wrong_state", params={"state": application.get_state_display()})


# --- the workflow ----------------------------------------------------------------------------------


def _active_file(member: Member) -> HardshipFile | None:
    return HardshipFile.objects.active().filter(member=member).first()


def _may_act_for(by, member: Member) -> None:
    """The member themselves, or someone allowed to file for members and who sees this one."""
    if by is not None and by.is_authenticated and member.user_id == by.pk:
        return
    require_perm(by, "assistance.add_aidapplication")
    require_visible(by, member)


@transaction.atomic
def application_submit(
    *, member: Member, by, kind: str, data: dict, documents: Iterable = ()
) -> AidApplication:
    """File an application: by the member, or by a proxy agent (or an officer) for a member of their area.

    ``data``: ``reason``; ``campaign`` (festival, education); ``student_name``, ``university``,
    ``admission_year`` (education); ``medical_expenses`` (medical, mutual aid);
    ``amount_requested`` (medical, employment, relief). ``documents``: ``(kind, uploaded file)`` pairs.
    """
    _may_act_for(by, member)
    if member.status != MemberStatus.ACTIVE:
        raise _invalid(_("Only active members can apply for aid."), "member", "not_active")
    if kind not in AidKind.values:
        raise _invalid(_("Choose the kind of aid."), "kind", "required")
    today = timezone.localdate()
    application = AidApplication(
        kind=kind,
        member=member,
        filed_by=by,
        reason=_text(data.get("reason"), "reason", limit=2000, multiline=True),
        hardship_file=_active_file(member),
    )
    if kind in CAMPAIGN_KIND_OF:
        campaign = data.get("campaign")
        if not isinstance(campaign, Campaign):
            raise _invalid(_("Choose the campaign."), "campaign", "required")
        if campaign.kind != CAMPAIGN_KIND_OF[kind]:
            raise _invalid(_("This campaign is for another kind of aid."), "campaign")
        if not campaign.is_open_on(today):
            raise _invalid(_("This campaign is not open for applications."), "campaign", "campaign_closed")
        if application.hardship_file is None:
            raise _invalid(
                _("This aid is for families with an active hardship file; ask your union to open one."),
                "member",
                "no_hardship_file",
            )
        application.campaign = campaign
        if AidApplication.objects.filter(campaign=campaign, member=member, state__in=_live()).exists():
            raise _duplicate()
    elif data.get("campaign") is not None:
        raise _invalid(_("This kind of aid has no campaign."), "campaign")
    if kind == AidKind.EDUCATION:
        application.student_name = _text(data.get("student_name"), "student_name", limit=50)
        application.university = _text(data.get("university"), "university", limit=100)
        year = data.get("admission_year")
        if (
            not isinstance(year, int)
            or not application.campaign.year - 4 <= year <= application.campaign.year
        ):
            raise _invalid(_("Enter the year the student entered university."), "admission_year")
        application.admission_year = year
    if kind in (AidKind.MEDICAL, AidKind.MUTUAL_AID):
        if data.get("medical_expenses") in (None, ""):
            raise _invalid(_("Enter the medical expenses you paid yourself."), "medical_expenses", "required")
        application.medical_expenses = _money(data["medical_expenses"], "medical_expenses")
    if kind == AidKind.MUTUAL_AID:
        enrolment = current_enrolment(member, today)
        if enrolment is None:
            raise _invalid(
                _("You are not enrolled in this year's mutual-aid scheme."), "kind", "not_enrolled"
            )
        application.enrolment = enrolment
        computation = compute_claim(
            scheme=enrolment.scheme,
            expenses=application.medical_expenses,
            reimbursed_before=enrolment.reimbursed_total,
        )
        application.computation = computation.as_json()
        application.amount_requested = computation.amount
    elif kind not in CAMPAIGN_KIND_OF:
        if data.get("amount_requested") in (None, ""):
            raise _invalid(_("Enter the amount you ask for."), "amount_requested", "required")
        application.amount_requested = _money(data["amount_requested"], "amount_requested")
        if application.amount_requested <= 0:
            raise _invalid(_("Enter the amount you ask for."), "amount_requested", "required")
    application.payee_bank, application.payee_account = _payee(
        data.get("payee_bank"), data.get("payee_account")
    )
    application.submitted_at = application.state_changed_at = timezone.now()
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        if "aid_one_live_application_per_campaign" in str(exc) or "UNIQUE" in str(exc).upper():
            raise _duplicate() from None
        raise
    for doc_kind, upload in documents:
        document_add(application=application, by=by, upload=upload, kind=doc_kind)
    step = AidStep.objects.create(
        application=application,
        from_state="",
        to_state=State.SUBMITTED,
        by=by,
        note=_text(data.get("note"), "note", required=False),
    )
    _notify_step(application, step)
    return application


def _live():
    return [State.SUBMITTED, State.CHECKED, *GRANTED_STATES]


def _duplicate() -> ApplicationError:
    return _invalid(_("This member already has an application in this campaign."), "campaign", "duplicate")


@transaction.atomic
def application_check(*, application: AidApplication, by, note: str = "") -> AidApplication:
    """The grassroots union checked the application and sends it on to the district."""
    require_perm(by, "assistance.check_aidapplication")
    require_visible(by, application)
    application = _lock_application(application.pk)
    if application.state == State.CHECKED:
        return application
    if application.state != State.SUBMITTED:
        raise _wrong_state(application, _("Only a submitted application can be checked (it is %(state)s)."))
    return _move(application, State.CHECKED, by=by, note=note)


@transaction.atomic
def application_payee_set(*, application: AidApplication, by, bank: str, account: str) -> AidApplication:
    """Where the aid is transferred: set by the applicant or by staff who record payments, until paid."""
    application = _lock_application(application.pk)
    if by is None or by.pk not in (application.member.user_id, application.filed_by_id):
        require_perm(by, "assistance.pay_aidapplication")
    require_visible(by, application)
    if application.state not in (State.SUBMITTED, State.CHECKED, State.APPROVED):
        raise _wrong_state(application, _("The account can be changed only until payment (it is %(state)s)."))
    bank, account = _payee(bank, account)
    if not account:
        raise _invalid(_("Enter the bank of the account."), "payee_bank", "required")
    application.payee_bank, application.payee_account = bank, account
    application._change_reason = "payee"
    application.save(update_fields=["payee_bank", "payee_account", "updated_at"])
    return application


def application_limit(application: AidApplication) -> tuple[Decimal, list[dict]]:
    """The most the rules allow for this application, and the computation behind it (call under lock)."""
    if application.campaign_id:
        campaign = Campaign.objects.get(pk=application.campaign_id)
        return campaign.standard_amount, [
            {"label": _("Campaign standard"), "amount": str(campaign.standard_amount)}
        ]
    if application.enrolment_id:
        enrolment = MutualAidEnrolment.objects.select_related("scheme").get(pk=application.enrolment_id)
        computation = compute_claim(
            scheme=enrolment.scheme,
            expenses=application.medical_expenses or 0,
            reimbursed_before=enrolment.reimbursed_total,
        )
        return computation.amount, computation.as_json()
    requested = application.amount_requested or ZERO
    return requested, [{"label": _("Amount requested"), "amount": str(requested)}]


@transaction.atomic
def application_approve(
    *, application: AidApplication, by, amount=None, override_reason: str = "", note: str = ""
) -> AidApplication:
    """The district approves an amount: at most the limit of the rules, unless a district staff member
    with the override permission writes why. A campaign's approved total never exceeds its budget."""
    require_perm(by, "assistance.approve_aidapplication")
    require_visible(by, application)
    application = _lock_for(application)
    if application.state in GRANTED_STATES:
        return application
    if application.state != State.CHECKED:
        raise _wrong_state(
            application, _("Only an application checked by the union can be approved (it is %(state)s).")
        )
    limit, computation = application_limit(application)
    amount = limit if amount in (None, "") else _money(amount, "amount")
    if amount <= 0:
        raise _invalid(
            _("The amount must be more than zero (nothing is left under the rules)."), "amount", "zero_amount"
        )
    override_reason = _text(override_reason, "override_reason", required=False, multiline=True)
    if amount > limit:
        if not by.has_perm("assistance.override_aid_amount"):
            raise PermissionDeniedError(
                _(
                    "%(amount)s yuan is above the limit of %(limit)s yuan; only district staff may override it."
                )
                % {"amount": amount, "limit": limit},
                field="amount",
            )
        if not override_reason:
            raise _invalid(
                _("%(amount)s yuan is above the limit of %(limit)s yuan: write the reason.")
                % {"amount": amount, "limit": limit},
                "override_reason",
                "required",
            )
    else:
        override_reason = ""
    if application.campaign_id:
        campaign = Campaign.objects.get(pk=application.campaign_id)  # locked by _lock_for
        if campaign.approved_total + amount > campaign.budget:
            raise _invalid(
                _("The campaign has %(left)s yuan left of its budget.")
                % {"left": campaign.budget - campaign.approved_total},
                "amount",
                "over_budget",
            )
        Campaign.objects.filter(pk=campaign.pk).update(approved_total=F("approved_total") + amount)
    if application.enrolment_id:
        MutualAidEnrolment.objects.filter(pk=application.enrolment_id).update(
            reimbursed_total=F("reimbursed_total") + amount
        )
    if amount != limit:
        # The computation ends with the amount it produced: the district's decision, and why.
        label = (
            _("Approved above the limit by the district: %(reason)s") % {"reason": override_reason}
            if amount > limit
            else _("Approved by the district below the limit")
        )
        computation = [*computation, {"label": label, "amount": str(amount)}]
    application.amount_limit, application.amount_approved = limit, amount
    application.override_reason, application.computation = override_reason, computation
    note = note or override_reason
    return _move(
        application,
        State.APPROVED,
        by=by,
        note=note,
        amount=amount,
        fields=["amount_limit", "amount_approved", "override_reason", "computation"],
    )


@transaction.atomic
def application_reject(*, application: AidApplication, by, reason: str) -> AidApplication:
    """Reject at the union's check (a submitted application) or at the district (a checked one)."""
    reason = _text(reason, "reason", multiline=True)
    application = AidApplication.objects.get(pk=application.pk)
    perm = (
        "assistance.approve_aidapplication"
        if application.state == State.CHECKED
        else "assistance.check_aidapplication"
    )
    require_perm(by, perm)
    require_visible(by, application)
    application = _lock_application(application.pk)
    if application.state == State.REJECTED:
        return application
    if application.state not in (State.SUBMITTED, State.CHECKED):
        raise _wrong_state(
            application, _("An application can be rejected only while it is reviewed (it is %(state)s).")
        )
    if application.state == State.CHECKED and not by.has_perm("assistance.approve_aidapplication"):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    application.rejection_reason = reason
    return _move(application, State.REJECTED, by=by, note=reason, fields=["rejection_reason"])


@transaction.atomic
def application_withdraw(*, application: AidApplication, by, note: str = "") -> AidApplication:
    """The applicant (the member or who filed it) takes the application back before it is approved."""
    application = _lock_application(application.pk)
    if by is None or by.pk not in (application.member.user_id, application.filed_by_id):
        raise PermissionDeniedError(_("Only the applicant can withdraw an application."))
    require_visible(by, application)
    if application.state == State.WITHDRAWN:
        return application
    if application.state not in (State.SUBMITTED, State.CHECKED):
        raise _wrong_state(
            application, _("An application can be withdrawn only before it is approved (it is %(state)s).")
        )
    return _move(application, State.WITHDRAWN, by=by, note=note)


@transaction.atomic
def application_pay(
    *,
    application: AidApplication,
    by,
    method: str,
    reference: str = "",
    paid_on: dt.date | None = None,
    note: str = "",
) -> AidApplication:
    """Record the payment of the approved amount. A member is paid at most once per campaign."""
    require_perm(by, "assistance.pay_aidapplication")
    require_visible(by, application)
    if method not in PaymentMethod.values:
        raise _invalid(_("Choose how it was paid."), "method", "required")
    reference = _text(reference, "reference", required=False, limit=100)
    if method == PaymentMethod.BANK and not reference:
        raise _invalid(_("Enter the bank's transaction reference."), "reference", "required")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise _invalid(_("The date cannot be in the future."), "paid_on")
    application = _lock_for(application)
    if application.state in (State.PAID, State.CLOSED):
        return application
    if application.state != State.APPROVED:
        raise _wrong_state(application, _("Only an approved application can be paid (it is %(state)s)."))
    try:
        with transaction.atomic():
            Payment.objects.create(
                application=application,
                campaign_id=application.campaign_id,
                member_id=application.member_id,
                amount=application.amount_approved,
                paid_on=paid_on,
                method=method,
                reference=reference,
                recorded_by=by,
            )
    except IntegrityError:
        raise _invalid(
            _("This member has already been paid in this campaign."), code="already_paid"
        ) from None
    if application.campaign_id:
        Campaign.objects.filter(pk=application.campaign_id).update(
            paid_total=F("paid_total") + application.amount_approved
        )
    return _move(application, State.PAID, by=by, note=note or reference, amount=application.amount_approved)


@transaction.atomic
def application_close(*, application: AidApplication, by, note: str = "") -> AidApplication:
    """Close a paid application: the case is done."""
    require_perm(by, "assistance.pay_aidapplication")
    require_visible(by, application)
    application = _lock_application(application.pk)
    if application.state == State.CLOSED:
        return application
    if application.state != State.PAID:
        raise _wrong_state(application, _("Only a paid application can be closed (it is %(state)s)."))
    return _move(application, State.CLOSED, by=by, note=note)


def applications_bulk(action, applications: Iterable[AidApplication], **kwargs):
    """Apply one step to many applications, each in its own transaction; return (done, [(application, error)])."""
    return apply_each(action, applications, arg="application", **kwargs)


# --- documents --------------------------------------------------------------------------------------

#: Accepted document types, told by their first bytes (never by the name or the browser's word).
MAGIC = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)
CLOSED_STATES = (State.CLOSED, State.REJECTED, State.WITHDRAWN)
#: Once paid (or finished) an application takes no more documents: nothing is left to decide on them.
NO_UPLOAD_STATES = (State.PAID, *CLOSED_STATES)


def documents_accepted(application: AidApplication) -> bool:
    return application.state not in NO_UPLOAD_STATES


def sniff_document(head: bytes) -> tuple[str, str] | None:
    for magic, extension, content_type in MAGIC:
        if head.startswith(magic):
            return extension, content_type
    return None


def document_add(*, application: AidApplication, by, upload, kind: str = DocumentKind.OTHER) -> Document:
    """Keep an uploaded PDF, JPEG or PNG with the application, privately, under a random name."""
    require_visible(by, application)
    if not documents_accepted(application):
        raise _invalid(
            _("Documents cannot be added to an application that is paid or finished."),
            "documents",
            "finished",
        )
    if kind not in DocumentKind.values:
        raise _invalid(_("Choose what the document is."), "documents")
    size = upload.size or 0
    if size > settings.AID_DOCUMENT_MAX_BYTES:
        raise _invalid(
            _("%(name)s is larger than %(mb)s MB.")
            % {"name": upload.name, "mb": settings.AID_DOCUMENT_MAX_BYTES // (1024 * 1024)},
            "documents",
            "too_large",
        )
    if size == 0:
        raise _invalid(_("%(name)s is empty.") % {"name": upload.name}, "documents", "empty")
    upload.seek(0)
    sniffed = sniff_document(upload.read(16))
    upload.seek(0)
    if sniffed is None:
        raise _invalid(
            _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": upload.name}, "documents", "file_type"
        )
    extension, content_type = sniffed
    document = Document(
        application=application,
        kind=kind,
        token=secrets.token_hex(16),
        extension=extension,
        content_type=content_type,
        original_name=(upload.name or "document")[-200:],
        size=size,
        uploaded_by=by,
    )
    document.file.save("upload", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_digest(document: Document) -> str:
    with document.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


# --- reminders ---------------------------------------------------------------------------------------


def _staff_with(perm: str):
    """Active staff users with a permission through a role or directly, with their organisation."""
    app_label, codename = perm.split(".")
    user_model = get_user_model()
    by_group = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    )
    direct = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return list(
        user_model.objects.filter(is_active=True, is_staff=True, organisation__isnull=False)
        .filter(by_group | direct)
        .select_related("organisation")
        .distinct()
    )


def _in_scope(user, path: str) -> bool:
    return path.startswith(user.organisation.path)


def _admin_link(name: str, query: str = "") -> str:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def recheck_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell staff which hardship files of their area are due for the annual re-check. One message per
    person per day; returns how many were queued."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.AID_RECHECK_NOTICE_DAYS)
    due = list(
        HardshipFile.objects.active()
        .filter(next_recheck_on__lte=horizon)
        .values_list("member__union__path", "next_recheck_on")
    )
    if not due:
        return 0
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    staff = _staff_with("assistance.change_hardshipfile")
    for path, on in due:
        for user in staff:
            if _in_scope(user, path):
                counts[user.pk][0] += 1
                counts[user.pk][1] += on < today
    by_pk = {u.pk: u for u in staff}
    link = _admin_link("admin:assistance_hardshipfile_changelist", "?recheck=due")
    with translation.override(settings.LANGUAGE_CODE):
        for pk, (count, overdue) in counts.items():
            notify(
                user=by_pk[pk],
                kind="aid.recheck_due",
                title=_("%(n)d hardship file(s) due for the annual re-check") % {"n": count},
                body=_("%(late)d of them are overdue.") % {"late": overdue} if overdue else "",
                link=link,
                key=f"aid.recheck_due:{pk}:{today.isoformat()}",
            )
    return len(counts)


def waiting_applications(
    *, today: dt.date | None = None, working_days: int | None = None
) -> list[AidApplication]:
    """Applications waiting for staff for more than ``working_days`` working days (holidays excluded)."""
    today = today or timezone.localdate()
    working_days = settings.AID_WAITING_WORKING_DAYS if working_days is None else working_days
    # More than N working days is always more than N calendar days: a cheap first cut in the database.
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=working_days), dt.time.min))
    candidates = (
        AidApplication.objects.waiting().filter(state_changed_at__lt=cutoff).select_related("member__union")
    )
    return [
        a
        for a in candidates
        if working_days_between(timezone.localtime(a.state_changed_at).date(), today) > working_days
    ]


def waiting_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the staff who must act of applications waiting more than 5 working days."""
    today = today or timezone.localdate()
    waiting = waiting_applications(today=today)
    if not waiting:
        return 0
    checkers = _staff_with("assistance.check_aidapplication")
    approvers = _staff_with("assistance.approve_aidapplication")
    counts: dict[int, int] = defaultdict(int)
    users = {}
    for application in waiting:
        who = checkers if application.state == State.SUBMITTED else approvers
        for user in who:
            if _in_scope(user, application.member.union.path):
                counts[user.pk] += 1
                users[user.pk] = user
    link = _admin_link("admin:assistance_aidapplication_changelist", "?waiting=late")
    with translation.override(settings.LANGUAGE_CODE):
        for pk, count in counts.items():
            notify(
                user=users[pk],
                kind="aid.waiting",
                title=_("%(n)d aid application(s) have waited more than %(days)d working days")
                % {"n": count, "days": settings.AID_WAITING_WORKING_DAYS},
                link=link,
                key=f"aid.waiting:{pk}:{today.isoformat()}",
            )
    return len(counts)

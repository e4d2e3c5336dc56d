"""The workflow of an application and the messages of its steps.

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
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus
from union_portal.core.errors import ApplicationError, PermissionDeniedError, apply_each
from union_portal.core.permissions import require_in_area, require_perm, require_visible
from union_portal.notifications.services import notify
from union_portal.webhooks.services import webhook_emit

from ..models import (
    CAMPAIGN_KIND_OF,
    GRANTED_STATES,
    ZERO,
    AidApplication,
    AidKind,
    AidStep,
    Campaign,
    HardshipFile,
    MutualAidEnrolment,
    Payment,
    PaymentMethod,
    State,
)
from .campaigns import _lock_campaign, compute_claim, current_enrolment
from .common import _invalid, _money, _payee, _text
from .documents import document_add

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
        # A proxy agent files for several workers: their messages name the worker (issue 9.10).
        for_filer = user.pk != application.member.user_id
        notify(
            user=user,
            event=STEP_EVENTS[step.to_state],
            context={**context, "member_name": application.member.name} if for_filer else context,
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
    webhook_emit("aid.application_state_changed", step)
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
    """The member themselves, or someone allowed to file for members of the area the member is in.

    The area, not what the actor sees: a proxy agent sees only the members they filed for (issue 18.4)
    yet files aid for any member of their area whose full ID number they give."""
    if by is not None and by.is_authenticated and member.user_id == by.pk:
        return
    require_perm(by, "assistance.add_aidapplication")
    require_in_area(by, member)


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
    webhook_emit("aid.application_state_changed", step)
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
    """Record the payment of the approved amount. A member is paid at most once per campaign; a bank
    transfer needs the payee's account on the application (``application_payee_set``)."""
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
    if method == PaymentMethod.BANK and not application.payee_account:
        raise _invalid(
            _(
                "The application has no payee's bank account: set the account before recording a bank transfer."
            ),
            "payee_account",
            "no_payee_account",
        )
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

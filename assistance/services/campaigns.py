"""Campaigns (festival and education aid) and the mutual-aid scheme: saving a campaign, computing a
claim under the scheme's rules, enrolling a member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus
from union_portal.core.permissions import require_perm, require_visible

from ..models import (
    ZERO,
    Campaign,
    MutualAidEnrolment,
    MutualAidScheme,
)
from .common import CENT, _invalid, _money

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

"""Hardship aid's part of the scale data (:mod:`union_portal.core.scale`), built after the members, so that the aid queues, the payment list and the aid API are measured on rows.

At N members: N/20 hardship files (the household as one row, the member), three campaigns a year for
three years, N/10 applications in every state of the workflow (festival and education in the campaigns,
medical aid, employment help and temporary relief outside them), the first and the last step of each,
and a payment for each one paid or closed. Written by COPY on PostgreSQL (``RowWriter``) without
history rows; the campaigns' totals are the sums of what was approved and paid, so every constraint
holds. Mutual-aid claims are not generated (they need enrolments in a scheme).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from members.models import Member, MemberStatus
from union_portal.core.bulkload import RowWriter, reset_sequences
from union_portal.organisations.models import Organisation

from .models import (
    AidApplication,
    AidKind,
    AidStep,
    Campaign,
    CampaignKind,
    Festival,
    HardshipFile,
    HouseholdMember,
    Payment,
    PaymentMethod,
    State,
)

#: What this part writes: emptied by ``generate_scale --reset`` and analysed after the build.
MODELS = (HardshipFile, HouseholdMember, Campaign, AidApplication, AidStep, Payment)
STATES = (
    (State.SUBMITTED, 15), (State.CHECKED, 12), (State.APPROVED, 12), (State.PAID, 25),
    (State.CLOSED, 26), (State.REJECTED, 7), (State.WITHDRAWN, 3),
)  # fmt: skip
GRANTED = {State.APPROVED, State.PAID, State.CLOSED}
PAID = {State.PAID, State.CLOSED}
OUTSIDE_CAMPAIGNS = (AidKind.MEDICAL, AidKind.EMPLOYMENT, AidKind.RELIEF)
REASONS = (
    "家人患病住院，自付费用较高",
    "企业停产，收入减少",
    "子女上学，家庭负担重",
    "遭遇交通事故，暂时无法工作",
)


def _writer(model, **kwargs):
    return RowWriter(model, **kwargs)


def build(ctx) -> dict:
    return build_aid(members=ctx.members, seed=ctx.seed, log=ctx.log)


def build_aid(*, members: int, seed: int, log=print) -> dict:
    """Files, campaigns, applications, steps and payments for a district of ``members`` members."""
    rng = random.Random(seed * 7919 + 19)
    today = timezone.localdate()
    now = timezone.now()
    user, _ = get_user_model().objects.get_or_create(
        username="scale-system", defaults={"is_active": False, "display_name": "scale"}
    )
    district = Organisation.objects.filter(depth=1).order_by("path").first()
    active = list(
        Member.objects.filter(status=MemberStatus.ACTIVE).order_by("pk").values_list("pk", flat=True)
    )
    if district is None or not active:
        return {"aid_files": 0, "aid_applications": 0, "aid_payments": 0}
    n_files = max(1, min(len(active), members // 20))
    n_applications = max(1, members // 10)
    holders = rng.sample(active, n_files)

    def aware(day: dt.date) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randint(0, 480))
        )

    # hardship files, one household row each
    file_w, household_w = _writer(HardshipFile), _writer(HouseholdMember, skip={"id"})
    file_of = {}
    for pk, member_id in enumerate(holders, 1):
        opened = today - dt.timedelta(days=rng.randint(30, 1000))
        income = Decimal(rng.randint(0, 3000))
        file_w.add({
            "id": pk, "member_id": member_id, "centre_id": None, "causes": '["illness"]' if connection.vendor ==
            "postgresql" else ["illness"], "level": rng.choice(("severe", "relative", "sudden")), "household_size": 1,
            "household_income": income, "income_per_head": income, "opened_on": opened,
            "next_recheck_on": opened + dt.timedelta(days=365), "last_checked_on": None, "status": "active",
            "exited_on": None, "exit_reason": "", "closed_on": None, "notes": "", "opened_by_id": user.pk,
            "updated_at": now,
        })  # fmt: skip
        household_w.add({
            "file_id": pk, "name": "本人", "relation": "self", "age": rng.randint(25, 60), "health": "chronic",
            "work": "employed", "monthly_income": income,
        })  # fmt: skip
        file_of[member_id] = pk
    file_w.flush()
    household_w.flush()

    # campaigns: festival (New Year, Spring) and education, three years
    campaigns = []
    for year in range(today.year - 2, today.year + 1):
        for kind, festival, standard in (
            (CampaignKind.FESTIVAL, Festival.NEW_YEAR, Decimal("800")),
            (CampaignKind.FESTIVAL, Festival.SPRING, Decimal("1000")),
            (CampaignKind.EDUCATION, Festival.NONE, Decimal("3000")),
        ):
            campaigns.append(
                Campaign(
                    kind=kind,
                    name=f"{year} {kind} {festival or ''}".strip(),
                    year=year,
                    festival=festival,
                    organisation=district,
                    budget=Decimal(0),
                    standard_amount=standard,
                    opens_on=dt.date(year, 1, 1),
                    closes_on=dt.date(year, 12, 31),
                )  # fmt: skip
            )
    Campaign.objects.bulk_create(campaigns)
    campaigns = list(Campaign.objects.filter(organisation=district).order_by("pk"))
    approved_total = {c.pk: Decimal(0) for c in campaigns}
    paid_total = {c.pk: Decimal(0) for c in campaigns}

    app_w, step_w, pay_w = (
        _writer(AidApplication),
        _writer(AidStep, skip={"id"}),
        _writer(Payment, skip={"id"}),
    )
    states = [s for s, _w in STATES]
    weights = [w for _s, w in STATES]
    taken: set[tuple[int, int]] = set()  # (campaign, member): one application each
    paid = 0
    for pk in range(1, n_applications + 1):
        state = rng.choices(states, weights)[0]
        campaign = None
        if rng.random() < 0.6:
            campaign = rng.choice(campaigns)
            member_id = rng.choice(holders)
            if (campaign.pk, member_id) in taken:
                campaign = None
            else:
                taken.add((campaign.pk, member_id))
        if campaign is None:
            member_id = rng.choice(active)
            kind = rng.choice(OUTSIDE_CAMPAIGNS)
            requested = Decimal(rng.randrange(1000, 20000, 500))
            limit = requested
        else:
            kind = AidKind.FESTIVAL if campaign.kind == CampaignKind.FESTIVAL else AidKind.EDUCATION
            requested, limit = None, campaign.standard_amount
        submitted_on = (
            min(today, dt.date(campaign.year, 12, 31)) - dt.timedelta(days=rng.randint(0, 300))
            if campaign
            else today - dt.timedelta(days=rng.randint(0, 900))
        )
        submitted_at = aware(submitted_on)
        changed_at = (
            submitted_at + dt.timedelta(days=rng.randint(0, 20)) if state != State.SUBMITTED else submitted_at
        )
        changed_at = min(changed_at, now)
        amount = limit if state in GRANTED else None
        education = kind == AidKind.EDUCATION
        app_w.add({
            "id": pk, "kind": kind, "member_id": member_id, "hardship_file_id": file_of.get(member_id),
            "campaign_id": campaign.pk if campaign else None, "enrolment_id": None, "reason": rng.choice(REASONS),
            "student_name": "张同学" if education else "", "university": "华南理工大学" if education else "",
            "admission_year": campaign.year if education else None, "medical_expenses": requested
            if kind == AidKind.MEDICAL else None, "amount_requested": requested, "state": state,
            "filed_by_id": user.pk, "submitted_at": submitted_at, "state_changed_at": changed_at,
            "amount_limit": limit if state in GRANTED else None, "amount_approved": amount,
            "override_reason": "", "computation": "[]" if connection.vendor == "postgresql" else [],
            "payee_bank": "", "payee_account": "", "_plain_payee_account": "",
            "rejection_reason": "材料不全" if state == State.REJECTED else "", "updated_at": changed_at,
        })  # fmt: skip
        step_w.add({
            "application_id": pk, "from_state": "", "to_state": State.SUBMITTED, "by_id": user.pk,
            "at": submitted_at, "note": "", "amount": None,
        })  # fmt: skip
        if state != State.SUBMITTED:
            step_w.add({
                "application_id": pk, "from_state": State.SUBMITTED, "to_state": state, "by_id": user.pk,
                "at": changed_at, "note": "", "amount": amount,
            })  # fmt: skip
        if campaign and state in GRANTED:
            approved_total[campaign.pk] += amount
        if state in PAID:
            pay_w.add({
                "application_id": pk, "campaign_id": campaign.pk if campaign else None, "member_id": member_id,
                "amount": amount, "paid_on": changed_at.date(), "method": PaymentMethod.BANK,
                "reference": f"NS{pk:09d}", "recorded_by_id": user.pk, "recorded_at": changed_at,
            })  # fmt: skip
            paid += 1
            if campaign:
                paid_total[campaign.pk] += amount
    for writer in (app_w, step_w, pay_w):
        writer.flush()
    for campaign in campaigns:
        Campaign.objects.filter(pk=campaign.pk).update(
            approved_total=approved_total[campaign.pk],
            paid_total=paid_total[campaign.pk],
            budget=approved_total[campaign.pk] + Decimal("100000"),
        )
    reset_sequences([HardshipFile, AidApplication])
    log(f"aid: {n_files:,} files, {n_applications:,} applications, {paid:,} payments")
    return {"aid_files": n_files, "aid_applications": n_applications, "aid_payments": paid}

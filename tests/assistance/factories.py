"""Hardship aid made through the services, as the application makes it: files, campaigns, the
members of the ``aid`` fixture, and the first steps of an application."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from assistance import services
from assistance.models import Campaign, CampaignKind, Festival, MutualAidScheme
from members.models import Member
from union_portal.accounts.roles import Role

from ..accounts.factories import make_user
from ..members.factories import make_member

HOUSEHOLD = [
    {
        "name": "本人",
        "relation": "self",
        "age": 45,
        "health": "chronic",
        "work": "employed",
        "monthly_income": "2100",
    },
    {
        "name": "配偶",
        "relation": "spouse",
        "age": 44,
        "health": "serious",
        "work": "unable",
        "monthly_income": "0",
    },
    {
        "name": "孩子",
        "relation": "child",
        "age": 18,
        "health": "healthy",
        "work": "student",
        "monthly_income": "0",
    },
]


def make_file(member: Member, by, **kwargs):
    kwargs.setdefault("level", "severe")
    kwargs.setdefault("causes", ["illness", "schooling"])
    kwargs.setdefault("household", HOUSEHOLD)
    return services.hardship_file_open(member=member, by=by, **kwargs)


def make_campaign(
    org, by, *, kind=CampaignKind.FESTIVAL, budget="10000", standard="1000", **kwargs
) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign(
        kind=kind,
        name=kwargs.pop("name", f"{today.year} campaign {Campaign.objects.count() + 1}"),
        year=kwargs.pop("year", today.year),
        festival=kwargs.pop("festival", Festival.SPRING if kind == CampaignKind.FESTIVAL else ""),
        organisation=org,
        budget=Decimal(budget),
        standard_amount=Decimal(standard),
        opens_on=kwargs.pop("opens_on", today - dt.timedelta(days=10)),
        closes_on=kwargs.pop("closes_on", today + dt.timedelta(days=30)),
    )
    return services.campaign_save(campaign=campaign, by=by)


@dataclass
class Aid:
    campaign: Campaign
    scheme: MutualAidScheme
    member: Member  # active member of union A with a login and a hardship file
    member_user: object
    other_member: Member  # of union B, with a file and a login
    other_user: object
    file: object


def make_aid(tree, people) -> Aid:
    """A festival campaign of the district, a mutual-aid scheme, and two members with files and logins."""
    staff = people.district_staff
    member = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    other_user = make_user(Role.MEMBER, None, username="member2", mobile="13900000002")
    other = make_member(tree.union_b, user=other_user, name="李四")
    file = make_file(member, staff)
    make_file(other, staff)
    today = timezone.localdate()
    scheme = MutualAidScheme.objects.create(
        name=f"{today.year}年职工医疗互助",
        year=today.year,
        organisation=tree.district,
        fee=Decimal("30"),
        deductible=Decimal("1000"),
        ratio=Decimal("0.5"),
        annual_cap=Decimal("5000"),
        enrol_opens_on=today.replace(month=1, day=1),
        enrol_closes_on=today.replace(month=12, day=31),
    )
    return Aid(
        campaign=make_campaign(tree.district, staff),
        scheme=scheme,
        member=member,
        member_user=people.member_user,
        other_member=other,
        other_user=other_user,
        file=file,
    )


def submit_festival(aid: Aid, member=None, by=None, campaign=None, **data):
    member = member or aid.member
    return services.application_submit(
        member=member,
        by=by or member.user,
        kind="festival",
        data={
            "reason": "家中有病人，生活困难",
            "campaign": campaign or aid.campaign,
            "payee_bank": "农业银行三水支行",
            "payee_account": f"62284801{member.pk:011d}",
            **data,
        },
    )


def checked(application, people):
    return services.application_check(
        application=application,
        by=people.officer_a if application.member.union.name.startswith("健力宝") else people.officer_b,
    )

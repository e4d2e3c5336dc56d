"""Demo data of hardship aid: 8 help centres, hardship files, a current Spring Festival condolence
campaign with applications in every state, an education aid campaign, the mutual-aid scheme.

Built through the services (so it obeys every rule) and idempotent: each part is made only if it
is missing. Called by ``seed_demo`` as ``build(ctx)``, after the members app's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from members.models import Member, MemberStatus
from union_portal.core.demo import DemoContext

from . import services
from .models import (
    AidApplication,
    Campaign,
    CampaignKind,
    Cause,
    Festival,
    HardshipFile,
    HardshipLevel,
    HelpCentre,
    MutualAidScheme,
    Pairing,
    State,
    Visit,
)

CENTRES = [
    (
        "三水区困难职工帮扶中心",
        None,
        "佛山市三水区西南街道广海大道西",
        "周一至周五 8:30-12:00, 14:30-17:30",
        "0757-87771234",
    ),
    ("西南街道职工服务站", "西南街道", "西南街道建设二路", "周一至周五 9:00-17:00", "0757-87700001"),
    ("云东海街道职工服务站", "云东海街道", "云东海街道永丰路", "周一至周五 9:00-17:00", "0757-87700002"),
    ("白坭镇职工服务站", "白坭镇", "白坭镇国泰路", "周一至周五 9:00-17:00", "0757-87700003"),
    ("乐平镇职工服务站", "乐平镇", "乐平镇三乐路", "周一至周六 9:00-17:00", "0757-87700004"),
    ("大塘镇职工服务站", "大塘镇", "大塘镇大塘圩", "周一至周五 9:00-17:00", "0757-87700005"),
    ("芦苞镇职工服务站", "芦苞镇", "芦苞镇芦苞大道", "周一至周五 9:00-17:00", "0757-87700006"),
    ("南山镇职工服务站", "南山镇", "南山镇迳口圩", "周一至周五 9:00-17:00", "0757-87700007"),
]
RELATIVES = [("spouse", 30, 55), ("child", 3, 22), ("parent", 60, 85)]
REASONS = [
    "爱人患尿毒症长期透析，家庭开支大",
    "本人工伤后收入下降，孩子上学",
    "父母年迈多病，一人收入养活全家",
    "家中遭遇水浸，房屋受损",
    "单亲家庭，孩子读高中",
]
FILES = 60


def _spring_festival_year(today: dt.date) -> int:
    return today.year + 1 if today.month >= 9 else today.year


def build_centres(ctx: DemoContext) -> None:
    for name, town, address, hours, phone in CENTRES:
        if HelpCentre.objects.filter(name=name).exists():
            continue
        org = ctx.towns[town] if town else ctx.district
        HelpCentre.objects.create(
            name=name, organisation=org, address=address, opening_hours=hours, phone=phone
        )


def _household(ctx: DemoContext, member: Member) -> list[dict]:
    rng = ctx.rng
    age = timezone.localdate().year - member.birth_date.year
    rows = [
        {
            "name": member.name,
            "relation": "self",
            "age": age,
            "health": rng.choice(["healthy", "chronic", "healthy"]),
            "work": "employed",
            "monthly_income": Decimal(rng.randrange(1800, 3600, 50)),
        }
    ]
    for relation, low, high in rng.sample(RELATIVES, k=rng.randint(1, 3)):
        rows.append(
            {
                "name": f"{member.name[0]}{'家人'}",
                "relation": relation,
                "age": rng.randint(low, high),
                "health": rng.choice(["healthy", "chronic", "serious", "disabled"]),
                "work": rng.choice(["unemployed", "student", "retired", "unable"])
                if relation != "spouse"
                else rng.choice(["employed", "unemployed", "unable"]),
                "monthly_income": Decimal(rng.choice([0, 0, 800, 1500])),
            }
        )
    return rows


def build_files(ctx: DemoContext) -> list[HardshipFile]:
    staff = ctx.users["district"][0]
    existing = HardshipFile.objects.filter(member__union__path__startswith=ctx.district.path)
    if existing.count() >= FILES:
        return list(existing)
    rng = ctx.rng
    centres = {c.organisation_id: c for c in HelpCentre.objects.all()}
    candidates = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, union__path__startswith=ctx.district.path)
        .exclude(hardship_files__status="active")
        .select_related("union")
        .order_by("pk")[:3000]
    )
    demo_member = Member.objects.filter(user__username="member", status=MemberStatus.ACTIVE).first()
    chosen = rng.sample(candidates, k=min(FILES, len(candidates)))
    if (
        demo_member is not None
        and demo_member not in chosen
        and not demo_member.hardship_files.filter(status="active").exists()
    ):
        chosen[0] = demo_member
    today = timezone.localdate()
    with transaction.atomic():
        for index, member in enumerate(chosen):
            town = next((t for t in ctx.towns.values() if member.union.path.startswith(t.path)), None)
            file = services.hardship_file_open(
                member=member,
                by=staff,
                level=rng.choice(
                    [
                        HardshipLevel.SEVERE,
                        HardshipLevel.RELATIVE,
                        HardshipLevel.RELATIVE,
                        HardshipLevel.SUDDEN,
                    ]
                ),
                causes=rng.sample(list(Cause.values), k=rng.randint(1, 2)),
                household=_household(ctx, member),
                centre=centres.get(town.pk if town else ctx.district.pk),
                # a few re-checks fall due soon, so the reminders have something to say
                next_recheck_on=today
                + dt.timedelta(days=rng.randint(-10, 25) if index % 6 == 0 else rng.randint(60, 360)),
            )
            if index % 10 == 9:
                services.hardship_file_exit(file=file, by=staff, reason="子女参加工作，家庭收入提高")
            elif index % 7 == 0:
                Visit.objects.create(
                    file=file, visited_on=today - dt.timedelta(days=rng.randint(5, 200)),
                    visitors="区总工会、镇总工会", gift_value=Decimal("500"), notes="送去慰问金和米油", recorded_by=staff,
                )  # fmt: skip
            if index % 8 == 0:
                Pairing.objects.create(
                    file=file, helper_name=rng.choice(["梁志强", "何美玲", "陆国华"]), helper_unit="区总工会机关",
                    starts_on=today - dt.timedelta(days=rng.randint(30, 300)), goals="每季度走访一次，帮助子女就学",
                )  # fmt: skip
    return list(existing)


def build_campaigns(ctx: DemoContext) -> tuple[Campaign, Campaign]:
    today = timezone.localdate()
    district_staff = ctx.users["district"][0]
    year = _spring_festival_year(today)
    festival = Campaign.objects.filter(
        kind=CampaignKind.FESTIVAL, year=year, festival=Festival.SPRING
    ).first()
    if festival is None:
        festival = services.campaign_save(
            campaign=Campaign(
                kind=CampaignKind.FESTIVAL, name=f"{year}年春节送温暖", year=year, festival=Festival.SPRING,
                organisation=ctx.district, budget=Decimal("200000"), standard_amount=Decimal("1000"),
                opens_on=today - dt.timedelta(days=20), closes_on=max(today + dt.timedelta(days=60), dt.date(year, 1, 31)),
            ),
            by=district_staff,
        )  # fmt: skip
    education = Campaign.objects.filter(kind=CampaignKind.EDUCATION, year=today.year).first()
    if education is None:
        opens = dt.date(today.year, 8, 1) if today.month >= 8 else today - dt.timedelta(days=10)
        education = services.campaign_save(
            campaign=Campaign(
                kind=CampaignKind.EDUCATION, name=f"{today.year}年金秋助学", year=today.year, organisation=ctx.district,
                budget=Decimal("150000"), standard_amount=Decimal("3000"),
                opens_on=opens, closes_on=max(dt.date(today.year, 12, 31), today + dt.timedelta(days=30)),
            ),
            by=district_staff,
        )  # fmt: skip
    return festival, education


def build_scheme(ctx: DemoContext) -> MutualAidScheme:
    today = timezone.localdate()
    scheme = MutualAidScheme.objects.filter(organisation=ctx.district, year=today.year).first()
    if scheme is None:
        scheme = MutualAidScheme.objects.create(
            name=f"{today.year}年职工医疗互助", year=today.year, organisation=ctx.district, fee=Decimal("30"),
            deductible=Decimal("1000"), ratio=Decimal("0.5"), annual_cap=Decimal("20000"),
            enrol_opens_on=dt.date(today.year, 1, 1), enrol_closes_on=dt.date(today.year, 12, 31),
        )  # fmt: skip
    return scheme


def _checker(ctx: DemoContext, member: Member):
    officer = ctx.users["officer"][0]
    return officer if member.union.path.startswith(officer.organisation.path) else ctx.users["admin"][0]


def build_applications(
    ctx: DemoContext, festival: Campaign, education: Campaign, scheme: MutualAidScheme
) -> None:
    if AidApplication.objects.filter(campaign=festival).exists():
        return
    rng = ctx.rng
    district = ctx.users["district"][0]
    proxy = ctx.users["proxy"][0]
    files = list(
        HardshipFile.objects.active()
        .filter(member__union__path__startswith=ctx.district.path)
        .exclude(member__user__username="member")
        .select_related("member__union", "member__user")
        .order_by("pk")
    )
    # every state of the festival campaign, several times
    plan = [
        State.SUBMITTED,
        State.CHECKED,
        State.APPROVED,
        State.PAID,
        State.CLOSED,
        State.REJECTED,
        State.WITHDRAWN,
    ] * 4
    with transaction.atomic():
        for state, file in zip(plan, files, strict=False):
            member = file.member
            by_proxy = (
                proxy.organisation
                and member.union.path.startswith(proxy.organisation.path)
                and rng.random() < 0.5
            )
            filer = proxy if by_proxy else ctx.users["admin"][0]
            application = services.application_submit(
                member=member,
                by=filer,
                kind="festival",
                data={"reason": rng.choice(REASONS), "campaign": festival},
            )
            _advance(ctx, application, state, district, withdraw_by=filer)
        # education aid: students of hardship families
        for index, file in enumerate(files[28:40]):
            application = services.application_submit(
                member=file.member, by=ctx.users["admin"][0], kind="education",
                data={"reason": "子女考上大学，学费困难", "campaign": education, "student_name": f"{file.member.name[0]}同学",
                      "university": rng.choice(["华南理工大学", "中山大学", "广东工业大学", "佛山科学技术学院"]),
                      "admission_year": education.year},
            )  # fmt: skip
            _advance(
                ctx,
                application,
                [State.PAID, State.CLOSED, State.APPROVED, State.CHECKED][index % 4],
                district,
            )
        # mutual-aid claims and medical aid
        for index, file in enumerate(files[40:46]):
            services.mutual_aid_enrol(scheme=scheme, member=file.member, by=district)
            claim = services.application_submit(
                member=file.member, by=ctx.users["admin"][0], kind="mutual_aid",
                data={"reason": "住院治疗", "medical_expenses": Decimal(rng.randrange(3000, 30000, 100))},
            )  # fmt: skip
            _advance(ctx, claim, [State.PAID, State.SUBMITTED, State.APPROVED][index % 3], district)
        for file in files[46:49]:
            relief = services.application_submit(
                member=file.member, by=ctx.users["admin"][0], kind="relief",
                data={"reason": "突发疾病，临时救助", "amount_requested": Decimal("2000")},
            )  # fmt: skip
            _advance(ctx, relief, State.CHECKED, district)
    # the demo member: enrolled in the scheme, one education application under review
    demo = Member.objects.filter(user__username="member", status=MemberStatus.ACTIVE).first()
    if demo is not None and demo.hardship_files.filter(status="active").exists():
        services.mutual_aid_enrol(scheme=scheme, member=demo, by=district)
        application = services.application_submit(
            member=demo, by=demo.user, kind="education",
            data={"reason": "女儿考上大学，家里负担重", "campaign": education, "student_name": "陈小雨",
                  "university": "广东工业大学", "admission_year": education.year},
        )  # fmt: skip
        services.application_check(application=application, by=_checker(ctx, demo), note="材料齐全")


def _advance(ctx: DemoContext, application: AidApplication, state: str, district, withdraw_by=None) -> None:
    member = application.member
    if state == State.SUBMITTED:
        return
    if state == State.WITHDRAWN:
        services.application_withdraw(
            application=application, by=withdraw_by or application.filed_by, note="情况好转"
        )
        return
    if state == State.REJECTED:
        services.application_reject(
            application=application, by=_checker(ctx, member), reason="家庭人均收入高于帮扶标准"
        )
        return
    services.application_check(application=application, by=_checker(ctx, member), note="经核实情况属实")
    if state == State.CHECKED:
        return
    services.application_approve(application=application, by=district)
    if state == State.APPROVED:
        return
    if not application.payee_account:  # a bank transfer needs the account (a demo one: 6228 and the number)
        services.application_payee_set(
            application=application,
            by=district,
            bank="农业银行三水支行",
            account=f"6228480{application.pk:012d}",
        )
    services.application_pay(
        application=application, by=district, method="bank", reference=f"SSB{application.pk:08d}",
        paid_on=timezone.localdate() - dt.timedelta(days=ctx.rng.randint(0, 5)),
    )  # fmt: skip
    if state == State.CLOSED:
        services.application_close(application=application, by=district)


def build(ctx: DemoContext) -> None:
    build_centres(ctx)
    build_files(ctx)
    festival, education = build_campaigns(ctx)
    scheme = build_scheme(ctx)
    build_applications(ctx, festival, education, scheme)
    ctx.log.append(
        f"hardship aid: {HelpCentre.objects.count()} help centres, {HardshipFile.objects.count()} files, "
        f"{AidApplication.objects.count()} applications ({festival.name}: every state)"
    )

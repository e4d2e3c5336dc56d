"""Demo data of legal aid: 28 panel lawyers, 11 stations (4 legal-aid stations, 7 migrant-worker
rights centres), 55 adviser assignments, next month's roster from the generator, consultations of
every channel and topic, 121 labour disputes across every stage (some near their limitation date,
a few past it).

Built through the services and idempotent: each part is made only if it is missing. Called by
``seed_demo`` as ``build(ctx)``, after the members app's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from members.fakes import fake_id_number
from members.models import Member, MemberStatus
from union_portal.core.demo import DemoContext
from union_portal.organisations.models import MEMBER_UNION_KINDS, Organisation

from . import services
from .models import (
    AdviserAssignment,
    Channel,
    Consultation,
    DisputeCase,
    Lawyer,
    Outcome,
    Shift,
    Stage,
    Station,
    StationKind,
    Topic,
)
from .services.generator import roster_generate, roster_save

LAWYER_PASSWORD = "Lawyer-2026"  # noqa: S105 - documented demo password, printed by seed_demo
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
GIVEN = ["志明", "丽华", "建国", "晓东", "海燕", "国强", "文杰", "秀英", "伟", "敏"]
FIRMS = [
    "广东三水律师事务所",
    "广东华商(三水)律师事务所",
    "广东国鼎律师事务所",
    "广东法制盛邦(三水)律师事务所",
]
# When a lawyer sits on duty (每周律师坐班): the district station every weekday morning, the town
# stations two afternoons a week, the migrant-worker centres one half-day a week.
WEEKDAYS = [[["09:00", "12:00"]]] * 5 + [[], []]
TOWN = [[], [["14:30", "17:30"]], [], [["14:30", "17:30"]], [], [], []]
MIGRANT = [[], [], [["09:00", "12:00"]], [], [], [], []]
MIGRANT_SAT = [[], [], [], [], [], [["09:00", "12:00"]], []]
STATIONS = [
    ("三水区职工法律援助工作站", None, StationKind.LEGAL_AID, "西南街道广海大道西2号", WEEKDAYS),
    ("西南街道法律援助工作站", "西南街道", StationKind.LEGAL_AID, "西南街道建设二路8号", TOWN),
    ("乐平镇法律援助工作站", "乐平镇", StationKind.LEGAL_AID, "乐平镇三乐路12号", TOWN),
    ("白坭镇法律援助工作站", "白坭镇", StationKind.LEGAL_AID, "白坭镇国泰路6号", TOWN),
    ("西南街道外来工维权服务中心", "西南街道", StationKind.MIGRANT, "西南街道康乐路3号", MIGRANT),
    ("云东海街道外来工维权服务中心", "云东海街道", StationKind.MIGRANT, "云东海街道永丰路5号", MIGRANT),
    ("白坭镇外来工维权服务中心", "白坭镇", StationKind.MIGRANT, "白坭镇富景路2号", MIGRANT),
    ("乐平镇外来工维权服务中心", "乐平镇", StationKind.MIGRANT, "乐平镇中心路20号", MIGRANT_SAT),
    ("大塘镇外来工维权服务中心", "大塘镇", StationKind.MIGRANT, "大塘镇大塘圩1号", MIGRANT),
    ("芦苞镇外来工维权服务中心", "芦苞镇", StationKind.MIGRANT, "芦苞镇芦苞大道9号", MIGRANT),
    ("南山镇外来工维权服务中心", "南山镇", StationKind.MIGRANT, "南山镇迳口圩3号", MIGRANT),
]
QUESTIONS = {
    Topic.WAGES: ("老板拖欠三个月工资，怎么讨回？", "保留考勤和工资记录，可向劳动监察投诉或申请劳动仲裁。"),
    Topic.CONTRACT: ("入职半年没签劳动合同，有什么权利？", "可主张未签书面合同的二倍工资差额，时效一年。"),
    Topic.INJURY: (
        "上班时手被机器压伤，怎么认定工伤？",
        "单位应在30日内申请工伤认定，逾期本人可在一年内申请。",
    ),
    Topic.INSURANCE: ("公司一直没给我交社保怎么办？", "可向社保经办机构投诉，要求补缴。"),
    Topic.DISMISSAL: ("被公司口头辞退，能要补偿吗？", "违法解除可主张经济补偿金的二倍赔偿。"),
    Topic.FAMILY: ("离婚后孩子抚养费怎么算？", "一般按月收入的20%至30%，可协商或起诉。"),
    Topic.OTHER: ("工会会员有哪些法律服务？", "可免费咨询、申请法律援助和调解。"),
}
CASES = 121


def _licence(i: int) -> str:
    return f"14406{2008 + i % 15}1{i % 2}{100000 + i:06d}"[:17]


def build_stations(ctx: DemoContext) -> list[Station]:
    staff = ctx.users["district"][0]
    stations = []
    for name, town, kind, address, hours in STATIONS:
        station = Station.objects.filter(name=name).first()
        if station is None:
            org = ctx.towns[town] if town else ctx.district
            station = services.station_save(
                station=Station(name=name, kind=kind, organisation=org, address=address, opening_hours=hours,
                                phone="0757-8777" + str(1000 + len(stations))),
                by=staff,
            )  # fmt: skip
        stations.append(station)
    return stations


def build_lawyers(ctx: DemoContext, stations: list[Station]) -> list[Lawyer]:
    staff = ctx.users["district"][0]
    today = timezone.localdate()
    rng = ctx.rng
    lawyers = list(Lawyer.objects.filter(organisation=ctx.district).order_by("pk"))
    for i in range(len(lawyers), 28):
        name = SURNAMES[i] + GIVEN[i % len(GIVEN)]
        lawyer = services.lawyer_add(
            data={
                "name": name, "firm": FIRMS[i % len(FIRMS)], "licence": _licence(i),
                "mobile": f"1390757{i:04d}", "specialties": rng.sample(Topic.values, k=2),
                "term_starts_on": today.replace(month=1, day=1), "term_ends_on": today.replace(month=12, day=31) + dt.timedelta(days=365),
                "available_weekdays": [] if i % 4 else rng.sample(range(5), k=3),
                "max_shifts_per_month": 6 if i < 12 else 3,
            },
            organisation=ctx.district,
            by=staff,
            password=LAWYER_PASSWORD if i == 0 else None,
            station=stations[i % len(stations)],
        )  # fmt: skip
        lawyers.append(lawyer)
    first = lawyers[0]
    ctx.users["lawyer"] = (
        first.user,
        LAWYER_PASSWORD,
        f"panel lawyer {first.name}: log in with {first.mobile}",
    )
    return lawyers


def build_assignments(ctx: DemoContext, lawyers: list[Lawyer]) -> None:
    if AdviserAssignment.objects.count() >= 55:
        return
    staff = ctx.users["district"][0]
    today = timezone.localdate()
    unions = [u for u in ctx.unions if u.kind in MEMBER_UNION_KINDS][:55]
    for i, union in enumerate(unions):
        if AdviserAssignment.objects.active().filter(union=union).exists():
            continue
        lawyer = lawyers[i % len(lawyers)]
        assignment = services.adviser_assign(
            lawyer=lawyer, union=union, by=staff, starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
        )  # fmt: skip
        if i % 3 == 0:
            services.enterprise_event_record(
                kind="checkup" if i % 2 else "education", union=union, lawyer=lawyer, by=staff,
                held_on=today - dt.timedelta(days=10 + i), attendance=20 + i, findings="劳动合同文本需补充工时条款",
            )  # fmt: skip
        del assignment


def build_roster(ctx: DemoContext, stations: list[Station]) -> None:
    staff = ctx.users["district"][0]
    today = timezone.localdate()
    month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    if Shift.objects.filter(start__gte=timezone.make_aware(dt.datetime.combine(month, dt.time.min))).exists():
        return
    plan = roster_generate(stations=stations, month=month, by=staff, time_limit=20)
    roster_save(signed_plan=plan.signed(), by=staff)
    ctx.log.append(
        f"legal_aid: roster of {month:%Y-%m}: {plan.covered} shifts, {len(plan.uncovered)} uncovered, spread {plan.spread}"
    )


def build_consultations(ctx: DemoContext, lawyers: list[Lawyer], stations: list[Station]) -> None:
    if Consultation.objects.exists():
        return
    staff = ctx.users["district"][0]
    rng = ctx.rng
    members = list(Member.objects.filter(status=MemberStatus.ACTIVE).order_by("pk")[:200])
    n = 0
    for channel in Channel.values:
        for topic, (question, advice) in QUESTIONS.items():
            for k in range(2):
                member = rng.choice(members) if members and k == 0 else None
                services.consultation_record(
                    by=staff, channel=channel, topic=topic, question=question,
                    advice=advice if (n % 5) else "", member=member,
                    name="" if member else rng.choice(SURNAMES) + "先生", lawyer=lawyers[n % len(lawyers)],
                    station=stations[n % len(stations)], follow_up_needed=n % 7 == 0,
                )  # fmt: skip
                n += 1


def build_cases(ctx: DemoContext, lawyers: list[Lawyer]) -> None:
    existing = DisputeCase.objects.count()
    if existing >= CASES:
        return
    staff = ctx.users["district"][0]
    rng = ctx.rng
    today = timezone.localdate()
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .select_related("union", "employer")
        .order_by("pk")[:400]
    )
    towns = list(ctx.towns.values()) or list(Organisation.objects.filter(pk=ctx.district.pk))
    paths = [
        [],
        [Stage.LAWYER_ASSIGNED],
        [Stage.LAWYER_ASSIGNED, Stage.MEDIATION],
        [Stage.LAWYER_ASSIGNED, Stage.MEDIATION, Stage.MEDIATED, ("close", Outcome.MEDIATED)],
        [Stage.LAWYER_ASSIGNED, Stage.MEDIATION, Stage.MEDIATION_FAILED],
        [Stage.LAWYER_ASSIGNED, Stage.MEDIATION, Stage.MEDIATION_FAILED, Stage.ARBITRATION],
        [Stage.LAWYER_ASSIGNED, Stage.MEDIATION, Stage.MEDIATION_FAILED, Stage.ARBITRATION, Stage.JUDGMENT],
        [
            Stage.LAWYER_ASSIGNED,
            Stage.MEDIATION,
            Stage.MEDIATION_FAILED,
            Stage.ARBITRATION,
            ("close", Outcome.AWARD_WON),
        ],
        [Stage.LAWYER_ASSIGNED, Stage.MEDIATION, Stage.MEDIATED],
    ]
    for i in range(existing, CASES):
        member = members[i % len(members)] if members and i % 3 else None
        # days since the dispute arose: most recent, some within 60 days of the year, a few past it
        age = [rng.randint(10, 200), rng.randint(300, 362), rng.randint(366, 420)][
            0 if i % 10 < 7 else 1 if i % 10 < 9 else 2
        ]
        amount = Decimal(rng.randrange(3000, 60000, 100))
        data = {
            "applicant_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            # a non-member's ID number (stored encrypted, with its blind index); a member's is their own
            "applicant_id_number": "" if member else fake_id_number(rng, local=False),
            "employer_name": member.employer.name if member and member.employer_id else "某五金制品厂",
            "claims": [
                {
                    "type": rng.choice(["wages", "overtime", "double_wages", "severance", "injury"]),
                    "amount": amount,
                }
            ],
            "arose_on": today - dt.timedelta(days=age),
            "details": "工人反映单位拖欠工资并未依法缴纳社保，要求支付欠薪及经济补偿。",
            "organisation": None if member else rng.choice(towns),
            "referred_from": rng.choice(["", "", "justice_bureau", "arbitration"]),
        }
        case = services.case_open(by=staff, applicant=member, data=data)
        for step in paths[i % len(paths)]:
            if step == Stage.LAWYER_ASSIGNED:
                case = services.case_assign_lawyer(case=case, lawyer=lawyers[i % len(lawyers)], by=staff)
            elif isinstance(step, tuple):
                recovered = (amount * Decimal("0.8")).quantize(Decimal("0.01"))
                case = services.case_close(case=case, by=staff, outcome=step[1], amount_recovered=recovered)
            else:
                case = services.case_advance(case=case, to_stage=step, by=staff)


def build(ctx: DemoContext) -> None:
    stations = build_stations(ctx)
    lawyers = build_lawyers(ctx, stations)
    build_assignments(ctx, lawyers)
    build_roster(ctx, stations)
    build_consultations(ctx, lawyers, stations)
    build_cases(ctx, lawyers)

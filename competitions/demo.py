"""Demo data of contests and honours: the contests of DOMAIN.md in every phase (forklift driving
published with certificates, spot welding being judged, Chinese cooking open, the Ankang Cup team
safety contest, an innovation contest being prepared), five judges, honour titles, a concluded round
with the register and certificates, a round under public notice with an objection, model-worker care,
an innovation studio and mentor pairs.

Built through the services and idempotent (each part is made only if missing). Called by
``seed_demo`` as ``build(ctx)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from members.models import Member, MemberStatus
from union_portal.accounts.models import User
from union_portal.accounts.roles import Role
from union_portal.core.demo import DemoContext

from . import services
from .models import (
    CareKind,
    Contest,
    ContestKind,
    Entry,
    EntryKind,
    Grade,
    HolderKind,
    Honour,
    HonourTitle,
    Judge,
    Level,
    MentorPair,
    NominationRound,
    ScoreSheet,
    Studio,
    StudioProject,
)

SCHEME = [
    {"kind": "theory", "weight": "30", "criteria": [{"name": "理论知识", "max_marks": "100"}]},
    {
        "kind": "practical",
        "weight": "70",
        "criteria": [
            {"name": "安全操作", "max_marks": "30"},
            {"name": "操作规范", "max_marks": "40"},
            {"name": "完成质量", "max_marks": "30"},
        ],
    },
]
PROJECT_SCHEME = [
    {
        "kind": "project",
        "weight": "100",
        "criteria": [
            {"name": "创新性", "max_marks": "40"},
            {"name": "实用性", "max_marks": "40"},
            {"name": "推广价值", "max_marks": "20"},
        ],
    }
]
TITLES = [
    ("全国劳动模范", Level.NATIONAL, HolderKind.PERSON, True),
    ("广东省劳动模范", Level.PROVINCE, HolderKind.PERSON, True),
    ("佛山市劳动模范", Level.CITY, HolderKind.PERSON, True),
    ("五一劳动奖章", Level.CITY, HolderKind.PERSON, False),
    ("五一劳动奖状", Level.CITY, HolderKind.ENTERPRISE, False),
    ("工人先锋号", Level.DISTRICT, HolderKind.TEAM, False),
    ("三水工匠", Level.DISTRICT, HolderKind.PERSON, False),
    ("技术能手", Level.DISTRICT, HolderKind.PERSON, False),
    ("最美职工", Level.DISTRICT, HolderKind.PERSON, False),
    ("模范职工之家", Level.DISTRICT, HolderKind.UNION, False),
    ("优秀工会工作者", Level.DISTRICT, HolderKind.PERSON, False),
]


def _judges(ctx: DemoContext) -> list[Judge]:
    staff = ctx.users["district"][0]
    judges = []
    for i in range(5):
        username = "judge" if i == 0 else f"judge{i + 1}"
        user = (
            ctx.users[username][0]
            if username in ctx.users
            else User.objects.filter(username=username).first()
        )
        if user is None:
            user = User(username=username, display_name=f"裁判{i + 1}")
            user.set_password(ctx.users["district"][1])
            user.save()
            user.groups.add(Group.objects.get(name=Role.JUDGE))
        judge = Judge.objects.filter(user=user).first() or services.judge_save(
            judge=Judge(user=user, name=user.display_name or f"裁判{i + 1}", organisation=ctx.district,
                        speciality="职业技能鉴定"),
            by=staff,
        )  # fmt: skip
        judges.append(judge)
    return judges


def _contest(ctx, name, occupation, *, kind=ContestKind.SKILLS, entry_kind=EntryKind.INDIVIDUAL, scheme=SCHEME,
             opens=-20, closes=10, **extra) -> Contest:  # fmt: skip
    today = timezone.localdate()
    contest = Contest(
        name=name, occupation=occupation, kind=kind, entry_kind=entry_kind, level=Level.DISTRICT, year=today.year,
        organisation=ctx.district, registration_opens_on=today + dt.timedelta(days=opens),
        registration_closes_on=today + dt.timedelta(days=closes), **extra,
    )  # fmt: skip
    staff = ctx.users["district"][0]
    contest = services.contest_save(contest=contest, by=staff)
    services.scheme_set(contest=contest, by=staff, parts=scheme)
    return contest


def _members(ctx, count: int, offset: int = 0) -> list[Member]:
    rows = Member.objects.filter(status=MemberStatus.ACTIVE, union__path__startswith=ctx.district.path)
    return list(rows.select_related("union", "employer").order_by("pk")[offset : offset + count])


def _mark(ctx, sheet: ScoreSheet, criteria, *, submit: bool) -> None:
    marks = {
        c.pk: (c.max_marks * Decimal(ctx.rng.randint(60, 98)) / 100).quantize(Decimal("0.5"))
        for c in criteria
    }
    services.sheet_mark(sheet=sheet, by=sheet.judge.user, marks=marks, submit=submit)


def build_contests(ctx: DemoContext) -> None:
    staff = ctx.users["district"][0]
    judges = _judges(ctx)
    from .models import Criterion

    if not Contest.objects.filter(name__endswith="叉车司机职业技能竞赛").exists():
        contest = _contest(ctx, f"{timezone.localdate().year}年三水区叉车司机职业技能竞赛", "叉车司机", opens=-40, closes=-20,
                           quota_first=1, quota_second=2, quota_third=3, quota_excellent=2)  # fmt: skip
        services.contest_open(contest=contest, by=staff)
        for member in _members(ctx, 10):
            services.entry_register(contest=contest, member=member, by=staff, skip_window=True)
        services.judges_assign_all(contest=contest, judges=judges, by=staff)
        services.contest_close_registration(contest=contest, by=staff)
        criteria = list(Criterion.objects.filter(part__contest=contest))
        for sheet in ScoreSheet.objects.filter(entry__contest=contest).select_related("judge__user"):
            _mark(ctx, sheet, criteria, submit=True)
        services.contest_compute_results(contest=contest, by=staff)
        services.contest_publish(contest=contest, by=staff)
        ctx.log.append("contests: forklift contest published")
    if not Contest.objects.filter(name__endswith="点焊工技能竞赛").exists():
        contest = _contest(
            ctx, f"{timezone.localdate().year}年三水区点焊工技能竞赛", "焊工", opens=-15, closes=-1
        )
        services.contest_open(contest=contest, by=staff)
        for member in _members(ctx, 6, offset=10):
            services.entry_register(contest=contest, member=member, by=staff, skip_window=True)
        services.judges_assign_all(contest=contest, judges=judges, by=staff)
        services.contest_close_registration(contest=contest, by=staff)
        criteria = list(Criterion.objects.filter(part__contest=contest))
        for i, sheet in enumerate(
            ScoreSheet.objects.filter(entry__contest=contest).select_related("judge__user")
        ):
            if sheet.judge.user.username != "judge":  # the demo judge still has sheets to mark
                _mark(ctx, sheet, criteria, submit=i % 3 != 0)
    if not Contest.objects.filter(name__endswith="中式烹调师技能竞赛").exists():
        contest = _contest(
            ctx, f"{timezone.localdate().year}年三水区中式烹调师技能竞赛", "中式烹调师", opens=-5, closes=20
        )
        services.contest_open(contest=contest, by=staff)
        for member in _members(ctx, 4, offset=16):
            services.entry_register(contest=contest, member=member, by=staff)
    if not Contest.objects.filter(name__endswith="安康杯班组安全竞赛").exists():
        contest = _contest(ctx, f"{timezone.localdate().year}年三水区安康杯班组安全竞赛", "班组安全",
                           kind=ContestKind.SAFETY, entry_kind=EntryKind.TEAM, team_min=3, team_max=10)  # fmt: skip
        services.contest_open(contest=contest, by=staff)
        by_employer: dict[int, list[Member]] = {}
        for member in _members(ctx, 200, offset=20):
            if member.employer_id:
                by_employer.setdefault(member.employer_id, []).append(member)
        teams = [group for group in by_employer.values() if len(group) >= 3][:4]
        for n, group in enumerate(teams, start=1):
            services.entry_register(contest=contest, member=group[0], by=staff, team_name=f"安全生产{n}班",
                                    team_members=group[1:5])  # fmt: skip
    if not Contest.objects.filter(name__endswith="职工技术创新项目评审").exists():
        # last spring's innovation contest: projects judged and graded (not ranked), results published
        contest = _contest(ctx, f"{timezone.localdate().year}年三水区职工技术创新项目评审", "技术创新",
                           kind=ContestKind.INNOVATION, scheme=PROJECT_SCHEME, opens=-60, closes=-30)  # fmt: skip
        services.contest_open(contest=contest, by=staff)
        projects = [
            "灌装线节能改造",
            "焊接夹具快换装置",
            "陶瓷窑炉余热回收",
            "染整废水回用",
            "叉车电池巡检系统",
        ]
        for member, project in zip(_members(ctx, 5, offset=42), projects, strict=False):
            services.entry_register(contest=contest, member=member, by=staff, project_title=project,
                                    skip_window=True)  # fmt: skip
        services.judges_assign_all(contest=contest, judges=judges, by=staff)
        services.contest_close_registration(contest=contest, by=staff)
        criteria = list(Criterion.objects.filter(part__contest=contest))
        for sheet in ScoreSheet.objects.filter(entry__contest=contest).select_related("judge__user"):
            _mark(ctx, sheet, criteria, submit=True)
        services.contest_compute_results(contest=contest, by=staff)
        grades = [Grade.SECOND, Grade.EXCELLENT, Grade.EXCELLENT, Grade.POSITIVE, Grade.POSITIVE]
        entries = Entry.objects.filter(contest=contest).live().order_by("-total", "number")
        for entry, grade in zip(entries, grades, strict=False):
            services.entry_set_grade(entry=entry, by=staff, grade=grade)
        if entries.exists():
            services.contest_publish(contest=contest, by=staff)
    if not Contest.objects.filter(name__endswith="职工创新成果竞赛").exists():
        _contest(ctx, f"{timezone.localdate().year}年三水区职工创新成果竞赛", "技术创新", kind=ContestKind.INNOVATION,
                 scheme=PROJECT_SCHEME, opens=10, closes=40)  # fmt: skip


def build_honours(ctx: DemoContext) -> None:
    staff = ctx.users["district"][0]
    titles = {}
    for name, level, holder, care in TITLES:
        titles[name] = HonourTitle.objects.filter(name=name, organisation=ctx.district).first() or services.title_save(
            title=HonourTitle(name=name, level=level, holder_kind=holder, organisation=ctx.district,
                              is_model_worker=care),
            by=staff,
        )  # fmt: skip
    members = _members(ctx, 12, offset=30)
    if not members:
        return
    today = timezone.localdate()
    if not Honour.objects.exists():
        for member, (title, year) in zip(members[:4], [("佛山市劳动模范", 2020), ("广东省劳动模范", 2015),
                                                        ("三水工匠", 2023), ("佛山市劳动模范", 2010)], strict=False):  # fmt: skip
            honour = services.honour_record(title=titles[title], by=staff, organisation=member.union, member=member,
                                            conferred_on=dt.date(year, 4, 28))  # fmt: skip
            if titles[title].is_model_worker:
                services.care_record(honour=honour, by=staff, kind=CareKind.VISIT, on=today - dt.timedelta(days=60),
                                     note="春节走访慰问")  # fmt: skip
                services.care_record(honour=honour, by=staff, kind=CareKind.ALLOWANCE, on=today - dt.timedelta(days=60),
                                     amount=Decimal("2000"), note="劳模春节慰问金")  # fmt: skip
        first = Honour.objects.filter(member=members[0]).first()
        if first is not None:
            services.care_record(honour=first, by=staff, kind=CareKind.HEALTH_CHECK, on=today - dt.timedelta(days=400),
                                 note="年度体检")  # fmt: skip
            studio = services.studio_save(
                studio=Studio(name=f"{members[0].name}劳模创新工作室", kind="model_worker", namesake=first,
                              namesake_name=members[0].name, organisation=members[0].union,
                              enterprise=members[0].employer, founded_on=dt.date(2021, 5, 1)),
                by=staff,
            )  # fmt: skip
            StudioProject.objects.create(studio=studio, title="自动化灌装线节能改造", started_on=dt.date(2024, 3, 1),
                                         finished_on=dt.date(2025, 6, 30), result="年节电12万千瓦时")  # fmt: skip
    if not MentorPair.objects.exists() and len(members) >= 8:
        for mentor, apprentice in zip(members[:3], members[5:8], strict=False):
            services.mentor_pair_save(
                pair=MentorPair(organisation=mentor.union, mentor=mentor, apprentice=apprentice, occupation="焊工",
                                goals="一年内取得高级工证书，独立完成复杂焊接", starts_on=today - dt.timedelta(days=100),
                                ends_on=today + dt.timedelta(days=265)),
                by=staff,
            )  # fmt: skip
    if not NominationRound.objects.exists() and len(members) >= 12:
        concluded = services.round_save(
            round_=NominationRound(name=f"{today.year - 1}年度三水区技术能手评选", year=today.year - 1,
                                   organisation=ctx.district, nominations_close_on=today),
            by=staff,
        )  # fmt: skip
        for member in members[4:6]:
            nomination = services.nomination_submit(round_=concluded, title=titles["技术能手"], union=member.union,
                                                    by=staff, member=member, deeds="长期扎根一线，解决技术难题多项")  # fmt: skip
            services.nomination_review(nomination=nomination, by=staff, shortlist=True, note="材料齐全")
        stopped = services.nomination_submit(round_=concluded, title=titles["技术能手"], union=members[9].union,
                                             by=staff, member=members[9], deeds="多次技术攻关")  # fmt: skip
        services.nomination_review(nomination=stopped, by=staff, shortlist=True, note="材料齐全")
        concluded = services.round_start_publicity(round_=concluded, by=staff)
        # Last year's round: its notice is moved back to when it ran (a demo of history), then the
        # objections received in it are recorded and resolved, and the round is concluded.
        NominationRound.objects.filter(pk=concluded.pk).update(
            publicity_starts_on=dt.date(today.year - 1, 11, 3),
            publicity_ends_on=dt.date(today.year - 1, 11, 7),
        )
        concluded.refresh_from_db()
        upheld = services.objection_record(nomination=stopped, by=staff, content="所报技术攻关成果系他人完成",
                                           raised_by="匿名", received_on=dt.date(today.year - 1, 11, 5))  # fmt: skip
        services.objection_resolve(objection=upheld, by=staff, upheld=True, resolution="经核实，反映情况属实")
        first_nomination = concluded.nominations.order_by("pk").first()
        dismissed = services.objection_record(nomination=first_nomination, by=staff, content="该同志请假较多",
                                              received_on=dt.date(today.year - 1, 11, 6))  # fmt: skip
        services.objection_resolve(
            objection=dismissed, by=staff, upheld=False, resolution="经核实，均为正常休假"
        )
        services.round_conclude(round_=concluded, by=staff, on=dt.date(today.year - 1, 11, 10))
        current = services.round_save(
            round_=NominationRound(name=f"{today.year}年度三水区最美职工评选", year=today.year,
                                   organisation=ctx.district, nominations_close_on=today + dt.timedelta(days=5)),
            by=staff,
        )  # fmt: skip
        noms = [
            services.nomination_submit(
                round_=current,
                title=titles["最美职工"],
                union=m.union,
                by=staff,
                member=m,
                deeds="热心公益，爱岗敬业",
            )  # fmt: skip
            for m in members[6:9] + members[10:11]
        ]
        if len(noms) == 4:
            services.nomination_review(nomination=noms[0], by=staff, shortlist=True, note="推荐")
            services.nomination_review(nomination=noms[1], by=staff, shortlist=False, note="不符合申报条件")
            services.nomination_withdraw(
                nomination=noms[3], by=staff, note="本人申请撤回"
            )  # noms[2]: submitted
        # this year's round of excellent union workers: under public notice now
        notice = services.round_save(
            round_=NominationRound(name=f"{today.year}年度三水区优秀工会工作者评选", year=today.year,
                                   organisation=ctx.district, nominations_close_on=today),
            by=staff,
        )  # fmt: skip
        nominee = services.nomination_submit(round_=notice, title=titles["优秀工会工作者"], union=members[11].union,
                                             by=staff, member=members[11], deeds="组织职工活动四十余场")  # fmt: skip
        services.nomination_review(nomination=nominee, by=staff, shortlist=True, note="材料齐全")
        notice = services.round_start_publicity(round_=notice, by=staff)
        if notice.publicity_starts_on <= today:  # on a weekend the notice starts on the next working day
            services.objection_record(
                nomination=nominee, by=staff, content="希望核实其活动记录", received_on=today
            )


@transaction.atomic
def build(ctx: DemoContext) -> None:
    if ctx.district is None or "district" not in ctx.users:
        return
    build_contests(ctx)
    build_honours(ctx)

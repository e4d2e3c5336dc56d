"""Demo data of volunteer service: the corps (总队) with an area team per town and the five
specialist teams, volunteers registered from the demo members, a year of finished activities with
verified hours (some still waiting for the leader), star levels reached, upcoming activities open for
sign-up (one full, with a waiting list), training sessions.

Built through the services (so it obeys every rule) and idempotent: made only if the corps is missing.
Called by ``seed_demo`` as ``build(ctx)``, after the members app's.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from members.models import Member, MemberStatus
from union_portal.core.demo import DemoContext

from . import selectors, services
from .models import Activity, Category, Team, TeamKind, TrainingSession, Volunteer

CORPS = "三水区职工志愿服务总队"
SPECIALISTS = [
    "法律援助志愿服务队",
    "困难帮扶志愿服务队",
    "健康关爱志愿服务队",
    "文体志愿服务队",
    "劳模志愿服务队",
]
TITLES = {
    Category.EPIDEMIC: ["社区防疫宣传", "疫苗接种点引导"],
    Category.CIVILITY: ["文明交通劝导", "文明城市创建宣传"],
    Category.PATROL: ["西江河段巡河护河", "绿道清洁行动"],
    Category.TOWN: ["镇街中心工作支援", "企业复工服务"],
    Category.RIGHTS: ["职工法律咨询进园区", "劳动合同普法宣传"],
    Category.CARE: ["慰问困难职工家庭", "敬老院探访"],
    Category.MODEL_WORKER: ["劳模工匠进企业", "劳模技术讲座"],
    Category.MENTAL: ["职工心理健康讲座", "一线职工心理疏导"],
    Category.EMPLOYMENT: ["再就业招聘会服务", "技能培训报名引导"],
    Category.CULTURE: ["职工文艺汇演", "送文化进企业"],
}
VOLUNTEERS = 3000
PAST_ACTIVITIES = 120
UPCOMING = 12
CORE = 18  # a few volunteers who come to most activities: they reach the star levels
NON_MEMBERS = 12  # people who are not members, registered by staff with their ID numbers
PARTNERS = ["", "", "三水区启创社会工作服务中心", "三水区青年志愿者协会"]
RECOMMENDED = 3  # the year's first volunteers by verified hours are recommended for honours


def _team(name, kind, org, parent=None) -> Team:
    team, _ = Team.objects.get_or_create(
        name=name, organisation=org, defaults={"kind": kind, "parent": parent}
    )
    return team


def build(ctx: DemoContext) -> None:
    if Team.objects.filter(name=CORPS).exists():
        return
    rng = ctx.rng
    admin = ctx.users["admin"][0]
    leader = ctx.users["leader"][0] if "leader" in ctx.users else None
    corps = _team(CORPS, TeamKind.CORPS, ctx.district)
    area = [_team(f"{name}职工志愿服务队", TeamKind.AREA, org, corps) for name, org in ctx.towns.items()]
    specialist = [_team(name, TeamKind.SPECIALIST, ctx.district, corps) for name in SPECIALISTS]
    teams = area + specialist
    if leader is not None:
        for team in teams[:1] + specialist[:1]:
            team.leaders.add(leader)
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, union__path__startswith=ctx.district.path)
        .select_related("union", "user")
        .order_by("pk")[:VOLUNTEERS]
    )
    demo_member = Member.objects.filter(user__username="member").first()
    if demo_member is not None and demo_member not in members:
        members.insert(0, demo_member)
    volunteers = []
    with transaction.atomic():
        for member in members:
            volunteers.append(
                services.volunteer_register(
                    by=admin,
                    member=member,
                    skills=rng.choice(["", "急救", "摄影", "法律", "心理咨询", "文艺"]),
                    availability=rng.choice(["周末", "工作日晚上", "节假日"]),
                    emergency_contact="家属",
                    emergency_phone="13900000000",
                )  # fmt: skip
            )
        for n in range(NON_MEMBERS):
            from members.fakes import fake_id_number, fake_name
            from union_portal.core.errors import ApplicationError

            try:
                volunteers.append(
                    services.volunteer_register_person(
                        by=admin, name=fake_name(rng), id_number=fake_id_number(rng), mobile=f"137{n:08d}",
                        organisation=rng.choice(list(ctx.towns.values())), skills=rng.choice(["", "急救", "文艺"]),
                    )
                )  # fmt: skip
            except ApplicationError:  # the same fake number as a member's: skip this one
                continue
        for volunteer in volunteers:
            services.team_join(team=rng.choice(teams), volunteer=volunteer, by=admin)
    if not volunteers:
        return
    core = volunteers[:CORE]
    # A small demo (the tests' seed_demo) gets fewer, longer activities: the stars are still reached.
    small = ctx.members < 1000
    past_count = 12 if small else PAST_ACTIVITIES
    now = timezone.now()
    categories = list(TITLES)
    with transaction.atomic():
        for i in range(past_count):
            team = teams[i % len(teams)]
            category = categories[i % len(categories)]
            hours = 12 if small else rng.choice([2, 3, 3, 4, 4, 6, 8])
            start = timezone.localtime(now - dt.timedelta(days=365 - i * (30 if small else 3))).replace(
                hour=rng.choice([8, 9, 14]), minute=0, second=0, microsecond=0
            )
            activity = services.activity_save(
                activity=Activity(
                    team=team, title=rng.choice(TITLES[category]), category=category, town=team.organisation
                    if team.kind == TeamKind.AREA else None, place=f"{team.organisation.name}辖区", partner=rng.choice(PARTNERS),
                    starts_at=now + dt.timedelta(days=400), ends_at=now + dt.timedelta(days=400, hours=hours),
                    capacity=30, description="",
                ),
                by=admin,
            )  # fmt: skip
            Activity.objects.filter(pk=activity.pk).update(
                starts_at=start, ends_at=start + dt.timedelta(hours=hours), signup_opens_at=start - dt.timedelta(days=7),
                signup_closes_at=start, status="finished", confirmed_count=0,
            )  # fmt: skip
            activity.refresh_from_db()
            attendees = set(
                rng.sample(core, k=min(len(core), 14))
                + rng.sample(volunteers, k=min(3 if small else 10, len(volunteers)))
            )
            for volunteer in attendees:
                record = services.record_enter(
                    activity=activity, volunteer=volunteer, by=admin, started_at=activity.starts_at,
                    ended_at=activity.ends_at, note="扫码签到签退",
                )  # fmt: skip
                if i < past_count - 4 or rng.random() < 0.3:  # the last few wait for the leader
                    services.record_verify(record=record, by=admin)
        for j in range(UPCOMING):
            team = teams[j % len(teams)]
            category = categories[(j * 3) % len(categories)]
            start = timezone.localtime(now + dt.timedelta(days=2 + j)).replace(
                hour=9, minute=0, second=0, microsecond=0
            )
            activity = services.activity_save(
                activity=Activity(
                    team=team, title=rng.choice(TITLES[category]), category=category,
                    town=team.organisation if team.kind == TeamKind.AREA else None,
                    place=f"{team.organisation.name}职工服务站", starts_at=start, ends_at=start + dt.timedelta(hours=3),
                    capacity=3 if j == 0 else 20, signup_opens_at=now - dt.timedelta(days=1),
                    signup_closes_at=start, description="请穿志愿者马甲，提前十分钟到场，扫描队长手机上的二维码签到。",
                ),
                by=admin,
            )  # fmt: skip
            services.activity_publish(activity=activity, by=admin)
            for volunteer in rng.sample(
                volunteers[CORE:], k=max(0, min(len(volunteers) - CORE, 5 if j == 0 else 8))
            ):
                services.signup_create(activity=activity, volunteer=volunteer, by=admin)
        for k in range(10):
            session = TrainingSession.objects.create(
                team=teams[k % len(teams)], title=rng.choice(["志愿服务通识培训", "应急救护培训", "心理疏导技能培训"]),
                held_on=timezone.localdate() - dt.timedelta(days=30 * k + 5), place="区职工服务中心",
            )  # fmt: skip
            services.training_attend(
                session=session, volunteers=rng.sample(volunteers, k=min(40, len(volunteers))), by=admin
            )
    year = timezone.localdate().year
    for top in selectors.public_ranking(year=year, limit=RECOMMENDED):
        services.honour_recommend(
            volunteer=top, year=year, by=admin, reason="全年志愿服务时长居全区前列，服务热情高。"
        )
    starred = Volunteer.objects.filter(star_level__gt=0).count()
    ctx.log.append(
        f"volunteers: {len(teams) + 1} teams, {len(volunteers)} volunteers, {past_count + UPCOMING} activities, "
        f"{starred} with a star level"
    )

"""The demo district: 三水区总工会, its towns, enterprises, unions, members and staff.

Built through the services, so the demo data obeys every rule. Idempotent:
each part is made only if it is missing. ``seed_demo`` (``union_portal.core.demo.seed``) calls this
``build`` first, then every later app's ``<app>/demo.py`` ``build(ctx)``.
"""

from __future__ import annotations

import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from union_portal.accounts.models import User
from union_portal.accounts.roles import Role
from union_portal.core.demo import DemoContext
from union_portal.organisations import services as org_services
from union_portal.organisations.models import Enterprise, Industry, Organisation, OrganisationKind, Ownership

from . import services
from .fakes import fake_credit_code, fake_mobile, fake_name, unique_id_numbers
from .models import BenefitMerchant, Channel, HouseholdType, Member, MemberStatus, SkillGrade

DISTRICT = "三水区总工会"
DEMO_PASSWORD = "Demo-2026"  # noqa: S105 - documented demo password, printed by seed_demo
ADMIN_PASSWORD = "Admin-2026"  # noqa: S105

TOWNS = ["西南街道", "云东海街道", "白坭镇", "乐平镇", "大塘镇", "芦苞镇", "南山镇"]

# (name, industry, ownership, town, headcount)
ENTERPRISES = [
    ("健力宝集团有限公司", Industry.FOOD, Ownership.PRIVATE, "西南街道", 1800),
    ("新明珠陶瓷集团有限公司", Industry.CERAMICS, Ownership.PRIVATE, "乐平镇", 2200),
    ("名洲纺织有限公司", Industry.TEXTILES, Ownership.PRIVATE, "白坭镇", 900),
    ("三水区人民医院", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "西南街道", 1300),
    ("三水区第一中学", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "西南街道", 260),
    ("广东三水供电局", Industry.PUBLIC, Ownership.STATE, "西南街道", 420),
    ("三水燃气有限公司", Industry.SERVICES, Ownership.STATE, "西南街道", 180),
    ("百威啤酒(佛山)有限公司", Industry.FOOD, Ownership.FOREIGN, "西南街道", 700),
    ("红牛维他命饮料有限公司三水分公司", Industry.FOOD, Ownership.FOREIGN, "西南街道", 350),
    ("金汇雅电器有限公司", Industry.ELECTRONICS, Ownership.PRIVATE, "云东海街道", 480),
    ("顺丰速运三水营业部", Industry.LOGISTICS, Ownership.PRIVATE, "云东海街道", 160),
    ("三水港物流有限公司", Industry.LOGISTICS, Ownership.STATE, "西南街道", 230),
    ("伊之密精密机械有限公司", Industry.MANUFACTURING, Ownership.PRIVATE, "乐平镇", 650),
    ("东鹏陶瓷三水厂", Industry.CERAMICS, Ownership.PRIVATE, "乐平镇", 800),
    ("科达洁能三水工厂", Industry.MANUFACTURING, Ownership.PRIVATE, "乐平镇", 520),
    ("宏宇陶瓷有限公司", Industry.CERAMICS, Ownership.PRIVATE, "南山镇", 610),
    ("恒益发电有限公司", Industry.SERVICES, Ownership.STATE, "乐平镇", 300),
    ("三水华侨中学", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "西南街道", 190),
    ("大塘镇卫生院", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "大塘镇", 140),
    ("白坭纺织印染有限公司", Industry.TEXTILES, Ownership.PRIVATE, "白坭镇", 430),
    ("芦苞家具制造有限公司", Industry.FURNITURE, Ownership.PRIVATE, "芦苞镇", 260),
    ("南山家具有限公司", Industry.FURNITURE, Ownership.PRIVATE, "南山镇", 210),
    ("云东海旅游发展有限公司", Industry.RETAIL, Ownership.STATE, "云东海街道", 150),
    ("三水森林公园管理处", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "云东海街道", 80),
    ("大塘工业园服装有限公司", Industry.TEXTILES, Ownership.PRIVATE, "大塘镇", 560),
    ("乐平汽车零部件有限公司", Industry.MANUFACTURING, Ownership.FOREIGN, "乐平镇", 740),
    ("佛山市三水建筑工程有限公司", Industry.CONSTRUCTION, Ownership.PRIVATE, "西南街道", 380),
    ("三水公交集团有限公司", Industry.LOGISTICS, Ownership.STATE, "西南街道", 640),
    ("白坭建材有限公司", Industry.CERAMICS, Ownership.PRIVATE, "白坭镇", 290),
    ("芦苞食品有限公司", Industry.FOOD, Ownership.PRIVATE, "芦苞镇", 170),
    ("南山茶业有限公司", Industry.FOOD, Ownership.COLLECTIVE, "南山镇", 90),
    ("大塘电子科技有限公司", Industry.ELECTRONICS, Ownership.PRIVATE, "大塘镇", 510),
    ("云东海环保科技有限公司", Industry.SERVICES, Ownership.PRIVATE, "云东海街道", 120),
    ("三水美的家电配件厂", Industry.ELECTRONICS, Ownership.PRIVATE, "乐平镇", 900),
    ("西南商贸城管理有限公司", Industry.RETAIL, Ownership.PRIVATE, "西南街道", 110),
    ("三水区自来水公司", Industry.SERVICES, Ownership.STATE, "西南街道", 210),
    ("乐平铝型材有限公司", Industry.MANUFACTURING, Ownership.PRIVATE, "乐平镇", 470),
    ("白坭五金制品厂", Industry.MANUFACTURING, Ownership.PRIVATE, "白坭镇", 130),
    ("芦苞水产养殖合作社", Industry.OTHER, Ownership.COLLECTIVE, "芦苞镇", 60),
    ("大塘物流园有限公司", Industry.LOGISTICS, Ownership.PRIVATE, "大塘镇", 240),
    ("南山农业发展有限公司", Industry.OTHER, Ownership.COLLECTIVE, "南山镇", 75),
    ("三水区妇幼保健院", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "西南街道", 330),
    ("西南街道社区卫生服务中心", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "西南街道", 95),
    ("云东海学校", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "云东海街道", 120),
    ("乐平酒店管理有限公司", Industry.RETAIL, Ownership.PRIVATE, "乐平镇", 140),
    ("三水新能源科技有限公司", Industry.ELECTRONICS, Ownership.PRIVATE, "云东海街道", 360),
    ("白坭包装材料有限公司", Industry.MANUFACTURING, Ownership.PRIVATE, "白坭镇", 200),
    ("大塘陶瓷机械有限公司", Industry.MANUFACTURING, Ownership.PRIVATE, "大塘镇", 280),
    ("芦苞建筑材料有限公司", Industry.CONSTRUCTION, Ownership.PRIVATE, "芦苞镇", 150),
    ("南山机械制造有限公司", Industry.MANUFACTURING, Ownership.PRIVATE, "南山镇", 190),
    ("三水区环卫服务有限公司", Industry.SERVICES, Ownership.STATE, "西南街道", 420),
    ("西南家具城有限公司", Industry.FURNITURE, Ownership.PRIVATE, "西南街道", 180),
    ("乐平家具配件厂", Industry.FURNITURE, Ownership.PRIVATE, "乐平镇", 110),
    ("云东海酒店有限公司", Industry.RETAIL, Ownership.PRIVATE, "云东海街道", 130),
    ("三水职业技术学校", Industry.PUBLIC, Ownership.PUBLIC_INSTITUTION, "西南街道", 170),
    ("大塘小商户联合体", Industry.RETAIL, Ownership.PRIVATE, "大塘镇", 40),  # no union yet: coverage < 100%
    ("芦苞个体餐饮店", Industry.RETAIL, Ownership.PRIVATE, "芦苞镇", 25),
]
NO_UNION = {"大塘小商户联合体", "芦苞个体餐饮店"}
FURNITURE_FEDERATION = "三水区家具行业工会联合会"
BRANCHES = {
    "健力宝集团有限公司": ["灌装车间分会", "物流分会", "研发中心分会"],
    "新明珠陶瓷集团有限公司": ["烧成车间分会", "抛光车间分会"],
    "名洲纺织有限公司": ["染整车间分会"],
    "三水区人民医院": ["内科分会", "外科分会"],
}
JOBS = [
    "操作工",
    "质检员",
    "叉车司机",
    "电工",
    "焊工",
    "厨师",
    "护士",
    "教师",
    "司机",
    "仓管员",
    "机修工",
    "烧成工",
    "染色工",
    "文员",
]
GRADES = (
    [SkillGrade.NONE] * 5
    + [SkillGrade.JUNIOR] * 3
    + [SkillGrade.INTERMEDIATE] * 3
    + [
        SkillGrade.SENIOR,
        SkillGrade.SENIOR,
        SkillGrade.TECHNICIAN,
        SkillGrade.SENIOR_TECHNICIAN,
    ]
)


def build_tree(rng: random.Random) -> tuple[Organisation, dict[str, Organisation], list[Organisation]]:
    district = Organisation.objects.filter(depth=1, name=DISTRICT).first()
    if district is None:
        district = org_services.organisation_add(
            parent=None, name=DISTRICT, kind=OrganisationKind.DISTRICT, address="佛山市三水区西南街道"
        )
    towns = {}
    for town in TOWNS:
        node = Organisation.objects.filter(
            path__startswith=district.path, depth=2, name=f"{town}总工会"
        ).first()
        towns[town] = node or org_services.organisation_add(
            parent=district, name=f"{town}总工会", kind=OrganisationKind.TOWN
        )
    furniture = Organisation.objects.filter(path__startswith=district.path, name=FURNITURE_FEDERATION).first()
    if furniture is None:
        furniture = org_services.organisation_add(
            parent=district, name=FURNITURE_FEDERATION, kind=OrganisationKind.INDUSTRY
        )
    unions = []
    for name, industry, ownership, town, headcount in ENTERPRISES:
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is None:
            enterprise = Enterprise.objects.create(
                name=name,
                credit_code=fake_credit_code(rng),
                industry=industry,
                ownership=ownership,
                town=towns[town],
                headcount=headcount,
                address=f"佛山市三水区{town}",
            )
        if name in NO_UNION:
            continue
        union = Organisation.objects.filter(enterprise=enterprise, kind=OrganisationKind.GRASSROOTS).first()
        if union is None:
            parent = furniture if industry == Industry.FURNITURE else towns[town]
            union = org_services.organisation_add(
                parent=Organisation.objects.get(pk=parent.pk),
                name=name.replace("有限公司", "") + "工会委员会",
                kind=OrganisationKind.GRASSROOTS,
                enterprise=enterprise,
                chair_name=fake_name(rng),
            )
        unions.append(union)
        for branch in BRANCHES.get(name, []):
            node = Organisation.objects.filter(path__startswith=union.path, name=branch).first()
            if node is None:
                node = org_services.organisation_add(
                    parent=Organisation.objects.get(pk=union.pk), name=branch, kind=OrganisationKind.BRANCH
                )
                org_services.organisation_add(
                    parent=Organisation.objects.get(pk=node.pk),
                    name=f"{branch[:-2]}一组",
                    kind=OrganisationKind.GROUP,
                )
    return district, towns, unions


def _user(
    ctx: DemoContext,
    username: str,
    role: str | None,
    org: Organisation | None,
    what: str,
    password: str = DEMO_PASSWORD,
    **extra,
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, organisation=org, **extra)
        user.is_staff = role in (
            Role.DISTRICT_STAFF,
            Role.TOWN_STAFF,
            Role.UNION_OFFICER,
            Role.AUDITOR,
        ) or extra.get("is_superuser", False)
        user.set_password(password)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
    ctx.users[username] = (user, password, what)
    return user


def build_people(ctx: DemoContext) -> None:
    t = ctx.towns
    jlb = next(u for u in ctx.unions if u.name.startswith("健力宝"))
    _user(
        ctx,
        "admin",
        None,
        ctx.district,
        "superuser (everything)",
        ADMIN_PASSWORD,
        is_superuser=True,
        display_name="系统管理员",
    )
    _user(
        ctx,
        "district",
        Role.DISTRICT_STAFF,
        ctx.district,
        "district staff (the whole district)",
        display_name="区总工会干部",
    )
    _user(
        ctx,
        "xinan",
        Role.TOWN_STAFF,
        t["西南街道"],
        "town staff of 西南街道",
        display_name="西南街道总工会干部",
    )
    _user(
        ctx, "leping", Role.TOWN_STAFF, t["乐平镇"], "town staff of 乐平镇", display_name="乐平镇总工会干部"
    )
    _user(
        ctx,
        "officer",
        Role.UNION_OFFICER,
        jlb,
        "union officer of 健力宝集团工会",
        display_name="健力宝工会干事",
    )
    _user(
        ctx,
        "proxy",
        Role.PROXY_AGENT,
        t["西南街道"],
        "proxy agent of 西南街道 (portal)",
        display_name="西南代办员",
    )
    _user(ctx, "lawyer", Role.LAWYER, None, "contracted lawyer", display_name="特约律师")
    _user(ctx, "judge", Role.JUDGE, None, "contest judge (portal)", display_name="竞赛裁判")
    _user(
        ctx,
        "leader",
        Role.VOLUNTEER_LEADER,
        None,
        "volunteer team leader (portal)",
        display_name="志愿服务队长",
    )
    _user(ctx, "auditor", Role.AUDITOR, ctx.district, "auditor (reads the access log)", display_name="审计员")


def build_members(ctx: DemoContext, count: int = 2000) -> None:
    if Member.objects.filter(union__path__startswith=ctx.district.path).count() >= count:
        return
    rng = ctx.rng
    admin = ctx.users["admin"][0]
    ids = unique_id_numbers(count + 50, seed=2026)
    weights = [max(u.enterprise.headcount if u.enterprise_id else 100, 40) for u in ctx.unions]
    proxy = ctx.users["proxy"][0]
    proxy_area = proxy.organisation.path
    # Two thousand members' worth of history: their messages go to inboxes, not to the console as SMS.
    with override_settings(SMS_ENABLED=False), transaction.atomic():
        for _ in range(count):
            union = rng.choices(ctx.unions, weights=weights)[0]
            if union.numchild and rng.random() < 0.5:
                union = rng.choice(
                    list(Organisation.objects.filter(path__startswith=union.path, depth=union.depth + 1))
                )
            local = rng.random() < 0.55
            data = {
                "name": fake_name(rng),
                "id_number": next(ids),
                "mobile": fake_mobile(rng),
                "union": union,
                "employer": union.enterprise
                if union.enterprise_id
                else Organisation.objects.get(
                    pk=union.get_parent().pk if union.depth > 3 else union.pk
                ).enterprise,
                "household_type": HouseholdType.LOCAL if local else HouseholdType.NON_LOCAL,
                "is_migrant_worker": not local and rng.random() < 0.8,
                "job": rng.choice(JOBS),
                "skill_grade": rng.choice(GRADES),
            }
            roll = rng.random()
            if roll >= 0.97 and union.path.startswith(proxy_area):
                # filed by the demo proxy agent, with the worker's consent: pending in the officers' queue
                member = services.member_apply(data=data, by=proxy, channel=Channel.PROXY, consent=True)
            else:
                member = services.member_apply(data=data, by=admin, channel=Channel.OFFICER)
            if roll < 0.90:
                services.member_approve(member=member, by=admin)
            elif roll < 0.93:
                services.member_reject(member=member, by=admin, reason="所填单位与社保缴纳单位不一致")
            elif roll < 0.95:
                services.member_approve(member=member, by=admin)
                services.member_end(
                    member=member, status=MemberStatus.LAPSED, by=admin, reason="连续六个月未缴会费"
                )
            elif roll < 0.96:
                services.member_approve(member=member, by=admin)
                target = rng.choice(ctx.unions)
                if target.pk != member.union_id:
                    services.member_transfer(member=member, to_union=target, by=admin, reason="调动工作单位")
            # else: left pending for the officers' queue


def build_demo_member(ctx: DemoContext) -> None:
    """The portal's demo member (陈晓明, an active card), made once and listed on every run."""
    user = _user(
        ctx,
        "member",
        Role.MEMBER,
        None,
        "member with an active card (portal)",
        mobile="13800138000",
        display_name="陈晓明",
    )
    if Member.objects.filter(user=user).exists():
        return
    admin = ctx.users["admin"][0]
    union = next(u for u in ctx.unions if u.name.startswith("健力宝"))
    # Numbers far past those of build_members (the sequence number makes them distinct).
    id_number = next(
        n
        for n in unique_id_numbers(100, seed=2026, start=10_000_000)
        if not services.find_by_id_number(n, Member.objects.open()).exists()
    )
    member = services.member_apply(
        data={
            "name": "陈晓明",
            "id_number": id_number,
            "mobile": "13800138000",
            "union": union,
            "employer": union.enterprise,
            "household_type": HouseholdType.NON_LOCAL,
            "is_migrant_worker": True,
            "job": "叉车司机",
            "skill_grade": SkillGrade.INTERMEDIATE,
        },
        by=admin,
        channel=Channel.PORTAL,
        user=user,
    )
    services.member_approve(member=member, by=admin)


def build_merchants(ctx: DemoContext) -> None:
    if BenefitMerchant.objects.exists():
        return
    today = timezone.localdate()
    for name, discount, town in [
        ("三水乐购超市", "会员卡消费9.5折", "西南街道"),
        ("云东海温泉度假村", "门票8折", "云东海街道"),
        ("乐平眼镜店", "配镜8.8折", "乐平镇"),
        ("西南书城", "图书9折", "西南街道"),
        ("白坭健身中心", "月卡减50元", "白坭镇"),
    ]:
        BenefitMerchant.objects.create(
            name=name, discount=discount, town=ctx.towns[town], valid_from=today.replace(month=1, day=1)
        )


def build(ctx: DemoContext) -> None:
    """The district, its staff, members, the demo member and the merchants; the other apps come after."""
    ctx.district, ctx.towns, ctx.unions = build_tree(ctx.rng)
    build_people(ctx)
    build_members(ctx, ctx.members)
    build_demo_member(ctx)
    build_merchants(ctx)
    ctx.log.append(f"{Member.objects.count()} members")

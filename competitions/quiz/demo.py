"""Demo data of the knowledge quiz: the district's monthly quiz with a bank of 68 questions (labour
contract law, work injury, union law, safety; written for this project), a last month and a this
month of attempts by demo members, and last month's prize list (its first 30 paid).

Questions, attempts, shares and the prize list go through the services. Participants are made
directly (joining confirms the mobile by an SMS code, which a demo cannot read back). Idempotent:
each part is made only if it is missing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from members.models import Member, MemberStatus
from union_portal.accounts.models import User
from union_portal.accounts.roles import Role
from union_portal.core.demo import DemoContext
from union_portal.core.errors import ApplicationError

from . import ranking, services
from .models import Attempt, Participant, Question, QuestionBank, Quiz, QuizStatus

QUIZ_NAME = "三水区职工法律知识月月答"
BANK_NAME = "2026年职工知识竞答题库"
PLAYERS = 80
L, U, S = "labour_law", "union", "safety"

#: (topic, question, options, right letters, explanation)
QUESTIONS = [
    (L, "用人单位与劳动者建立劳动关系，应当订立哪种形式的劳动合同？", ["书面形式", "口头形式", "任意形式", "微信聊天记录即可"], "A", "《劳动合同法》第十条。"),
    (L, "已建立劳动关系、未同时订立书面劳动合同的，应当自用工之日起多长时间内订立？", ["十五日", "一个月", "两个月", "三个月"], "B", "《劳动合同法》第十条。"),
    (L, "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当每月向劳动者支付几倍的工资？", ["一倍", "二倍", "三倍", "无需额外支付"], "B", "《劳动合同法》第八十二条。"),
    (L, "劳动合同期限三个月以上不满一年的，试用期不得超过多长时间？", ["十五日", "一个月", "二个月", "六个月"], "B", "《劳动合同法》第十九条。"),
    (L, "劳动合同期限一年以上不满三年的，试用期不得超过多长时间？", ["一个月", "二个月", "三个月", "六个月"], "B", "《劳动合同法》第十九条。"),
    (L, "三年以上固定期限和无固定期限的劳动合同，试用期不得超过多长时间？", ["二个月", "三个月", "六个月", "一年"], "C", "《劳动合同法》第十九条。"),
    (L, "同一用人单位与同一劳动者可以约定几次试用期？", ["只能一次", "两次", "三次", "不限次数"], "A", "《劳动合同法》第十九条。"),
    (L, "劳动者在试用期的工资不得低于本单位相同岗位最低档工资或者劳动合同约定工资的百分之多少？", ["百分之六十", "百分之七十", "百分之八十", "百分之九十"], "C", "并不得低于用人单位所在地的最低工资标准。"),
    (L, "劳动者提前多少日以书面形式通知用人单位，可以解除劳动合同？", ["三日", "十五日", "三十日", "六十日"], "C", "《劳动合同法》第三十七条。"),
    (L, "劳动者在试用期内提前几日通知用人单位，可以解除劳动合同？", ["三日", "七日", "十五日", "三十日"], "A", "《劳动合同法》第三十七条。"),
    (L, "经济补偿按劳动者在本单位工作的年限，每满一年支付多少工资？", ["半个月", "一个月", "两个月", "三个月"], "B", "六个月以上不满一年的按一年计算；不满六个月的支付半个月工资。"),
    (L, "有下列哪些情形，劳动者提出续订劳动合同的，除劳动者提出订立固定期限劳动合同外，应当订立无固定期限劳动合同？", ["在该用人单位连续工作满十年", "连续订立二次固定期限劳动合同且无法定除外情形，续订劳动合同", "在该用人单位工作满三年", "劳动者年满四十周岁"], "AB", "《劳动合同法》第十四条。"),
    (L, "用人单位有下列哪些情形，劳动者可以解除劳动合同？", ["未按照约定提供劳动保护或者劳动条件", "未及时足额支付劳动报酬", "未依法为劳动者缴纳社会保险费", "安排劳动者参加技能培训"], "ABC", "《劳动合同法》第三十八条。"),
    (L, "用人单位违反规定不与劳动者订立无固定期限劳动合同的，自应当订立之日起每月向劳动者支付几倍工资？", ["一倍", "二倍", "三倍", "五倍"], "B", "《劳动合同法》第八十二条。"),
    (L, "劳务派遣用工只能在哪些岗位上实施？", ["临时性工作岗位", "辅助性工作岗位", "替代性工作岗位", "主营业务核心岗位"], "ABC", "《劳动合同法》第六十六条。"),
    (L, "用人单位招用劳动者时，能否扣押劳动者的居民身份证？", ["可以", "经劳动者同意可以", "不得扣押", "试用期内可以"], "C", "《劳动合同法》第九条。"),
    (L, "用人单位违法解除劳动合同，劳动者不要求继续履行的，用人单位应当按经济补偿标准的几倍支付赔偿金？", ["一倍", "二倍", "三倍", "五倍"], "B", "《劳动合同法》第八十七条。"),
    (L, "竞业限制期限最长不得超过几年？", ["一年", "二年", "三年", "五年"], "B", "《劳动合同法》第二十四条。"),
    (L, "劳动者患病或者非因工负伤、在规定的医疗期内的，用人单位能否以客观情况变化等理由解除劳动合同？", ["可以", "不得解除", "提前三日通知即可", "支付补偿后即可"], "B", "《劳动合同法》第四十二条。"),
    (L, "劳动争议申请仲裁的时效期间为多长？", ["六个月", "一年", "二年", "三年"], "B", "《劳动争议调解仲裁法》第二十七条。"),
    (L, "下列哪些是劳动合同应当具备的条款？", ["劳动合同期限", "工作内容和工作地点", "劳动报酬", "试用期"], "ABC", "试用期是可以约定的条款，不是必备条款。"),
    (L, "法定休假日安排劳动者工作的，应支付不低于工资的百分之多少的工资报酬？", ["百分之一百五十", "百分之二百", "百分之三百", "百分之四百"], "C", "《劳动法》第四十四条。"),
    (L, "休息日安排劳动者工作又不能安排补休的，应支付不低于工资的百分之多少的工资报酬？", ["百分之一百五十", "百分之二百", "百分之三百", "不需支付"], "B", "《劳动法》第四十四条。"),
    (L, "根据国务院规定，职工每日工作八小时、每周工作多少小时？", ["三十六小时", "四十小时", "四十四小时", "四十八小时"], "B", "《国务院关于职工工作时间的规定》第三条。"),
    (L, "职工发生事故伤害，所在单位应当自事故伤害发生之日起多少日内提出工伤认定申请？", ["七日", "十五日", "三十日", "六十日"], "C", "《工伤保险条例》第十七条。"),
    (L, "用人单位未按规定提出工伤认定申请的，工伤职工或其近亲属可以在事故伤害发生之日起多长时间内直接申请？", ["三个月", "六个月", "一年", "二年"], "C", "《工伤保险条例》第十七条。"),
    (L, "下列哪些情形应当认定为工伤？", ["在工作时间和工作场所内，因工作原因受到事故伤害", "在上下班途中，受到非本人主要责任的交通事故伤害", "因工外出期间，由于工作原因受到伤害", "醉酒导致的伤亡"], "ABC", "《工伤保险条例》第十四条、第十六条。"),
    (L, "在工作时间和工作岗位突发疾病，在多少小时之内经抢救无效死亡的，视同工伤？", ["二十四小时", "四十八小时", "七十二小时", "七天"], "B", "《工伤保险条例》第十五条。"),
    (L, "职工因工伤暂停工作接受治疗的，在停工留薪期内原工资福利待遇如何处理？", ["减半发放", "不变，由所在单位按月支付", "停发", "由工会发放"], "B", "《工伤保险条例》第三十三条。"),
    (L, "停工留薪期一般不超过多长时间？", ["六个月", "十二个月", "十八个月", "二十四个月"], "B", "伤情严重或者情况特殊的，经确认可以适当延长，但延长不得超过十二个月。"),
    (L, "下列哪些情形不得认定为工伤？", ["故意犯罪的", "醉酒或者吸毒的", "自残或者自杀的", "在抢险救灾中受到伤害的"], "ABC", "《工伤保险条例》第十六条。"),
    (L, "劳动功能障碍分为几个伤残等级？", ["五级", "八级", "十级", "十二级"], "C", "最重的为一级，最轻的为十级。"),
    (L, "职工因工死亡，其近亲属可以从工伤保险基金领取哪些待遇？", ["丧葬补助金", "供养亲属抚恤金", "一次性工亡补助金", "停工留薪期工资"], "ABC", "《工伤保险条例》第三十九条。"),
    (L, "一次性工亡补助金标准为上一年度全国城镇居民人均可支配收入的多少倍？", ["十倍", "二十倍", "三十倍", "五十倍"], "B", "《工伤保险条例》第三十九条。"),
    (L, "生活不能自理的工伤职工在停工留薪期需要护理的，由谁负责？", ["职工本人", "所在单位", "工会", "社区"], "B", "《工伤保险条例》第三十三条。"),
    (L, "工伤保险费由谁缴纳？", ["职工缴纳一半", "职工缴纳三分之一", "用人单位缴纳，职工个人不缴纳", "职工自愿缴纳"], "C", "《工伤保险条例》第十条。"),
    (L, "应当参加工伤保险而未参加的用人单位，职工发生工伤的，工伤保险待遇由谁支付？", ["工伤保险基金", "该用人单位", "职工本人", "工会"], "B", "《工伤保险条例》第六十二条。"),
    (U, "工会是中国共产党领导的（ ）自愿结合的工人阶级群众组织。", ["职工", "企业主", "个体工商户", "退休干部"], "A", "《工会法》第二条。"),
    (U, "企业、事业单位、社会组织有会员多少人以上的，应当建立基层工会委员会？", ["十人", "二十五人", "五十人", "一百人"], "B", "不足二十五人的，可以单独建立，也可以联合建立基层工会委员会。"),
    (U, "建立工会组织的单位，按每月全部职工工资总额的百分之几向工会拨缴经费？", ["百分之一", "百分之二", "百分之三", "百分之五"], "B", "《工会法》第四十三条。"),
    (U, "工会会员每月交纳的会费一般为本人工资收入的多少？", ["千分之五", "百分之五", "百分之一", "千分之一"], "A", "按本人每月工资收入的千分之五交纳。"),
    (U, "维护职工合法权益、竭诚服务职工群众是工会的什么？", ["基本职责", "附带职能", "临时任务", "经营目标"], "A", "《工会法》第六条。"),
    (U, "中华全国总工会成立于哪一年？", ["1921年", "1925年", "1949年", "1978年"], "B", "1925年5月1日在广州成立。"),
    (U, "基层工会委员会每届任期为几年？", ["一年或者两年", "三年或者五年", "六年", "十年"], "B", "《中国工会章程》。"),
    (U, "工会主席、副主席任期未满时，能否随意调动其工作？", ["可以随意调动", "不得随意调动，确需调动的应征得本级工会委员会和上一级工会同意", "企业决定即可", "职工代表决定即可"], "B", "《工会法》第十八条。"),
    (U, "工会代表职工与企业进行平等协商，依法签订的是什么合同？", ["集体合同", "劳务合同", "采购合同", "保密协议"], "A", "《工会法》第二十一条。"),
    (U, "下列哪些是工会会员的权利？", ["选举权、被选举权和表决权", "对工会工作进行监督，提出意见和建议", "要求工会给予保护", "不经程序直接进入企业管理层"], "ABC", "《中国工会章程》第三条。"),
    (U, "单位违反职工代表大会制度和其他民主管理制度的，工会有权要求纠正，保障职工依法行使什么权利？", ["民主管理的权利", "经营决策权", "人事任免权", "产品定价权"], "A", "《工会法》第二十二条。"),
    (U, "工会为会员提供的服务包括哪些？", ["困难帮扶", "法律援助", "职工疗休养", "代缴个人所得税"], "ABC", "以本地工会实际开展的服务为准。"),
    (U, "工会发现企业违章指挥、强令工人冒险作业，有权怎样？", ["提出解决的建议，企业应当及时研究答复", "直接罢免厂长", "无权过问", "对企业罚款"], "A", "发现危及职工生命安全的情况时，工会有权建议组织职工撤离危险现场。"),
    (U, "集体合同草案应当提交哪里讨论通过？", ["职工代表大会或者全体职工", "董事会", "工会委员会", "劳动行政部门"], "A", "《劳动合同法》第五十一条。"),
    (U, "集体合同订立后，应当报送哪个部门？", ["劳动行政部门", "人民法院", "公安机关", "税务部门"], "A", "《劳动合同法》第五十四条。"),
    (U, "劳动行政部门自收到集体合同文本之日起多少日内未提出异议的，集体合同即行生效？", ["七日", "十日", "十五日", "三十日"], "C", "《劳动合同法》第五十四条。"),
    (U, "职工因用人单位侵犯其劳动权益而申请劳动争议仲裁的，工会应当怎样？", ["给予支持和帮助", "保持中立不得介入", "劝职工撤回", "向企业通报"], "A", "《工会法》第二十二条。"),
    (S, "我国安全生产工作的方针是什么？", ["安全第一、预防为主、综合治理", "效益优先、兼顾安全", "先生产后安全", "谁出事谁负责"], "A", "《安全生产法》第三条。"),
    (S, "从业人员发现直接危及人身安全的紧急情况时，有权怎样？", ["停止作业或者在采取可能的应急措施后撤离作业场所", "必须继续作业", "只能报告，不能撤离", "等领导批准后才能撤离"], "A", "《安全生产法》第五十五条。"),
    (S, "从业人员因紧急情况停止作业或撤离的，生产经营单位能否因此降低其工资？", ["可以", "不得", "视损失而定", "扣发一半"], "B", "《安全生产法》第五十五条。"),
    (S, "生产经营单位为从业人员提供的劳动防护用品，费用由谁承担？", ["从业人员", "生产经营单位", "工会", "双方各半"], "B", "不得以货币或者其他物品替代。"),
    (S, "火灾报警电话是多少？", ["110", "119", "120", "122"], "B", "报警时讲清地址、起火物和火势。"),
    (S, "使用干粉灭火器灭火时，应当对准火焰的什么部位喷射？", ["上部", "中部", "根部", "任意部位"], "C", "站在上风方向，对准火焰根部。"),
    (S, "下列哪些作业人员必须取得相应资格、持证上岗？", ["电工作业", "焊接与热切割作业", "叉车等场（厂）内专用机动车辆作业", "办公室文员录入"], "ABC", "特种作业和特种设备作业人员须持证上岗。"),
    (S, "发现有人触电，首先应当怎样做？", ["立即用手把人拉开", "先切断电源或用绝缘物使其脱离电源", "向触电者泼水", "原地等待救援"], "B", "切勿直接接触触电者。"),
    (S, "有限空间作业应当遵循什么原则？", ["先通风、再检测、后作业", "先作业、后检测", "戴口罩即可进入", "一人独立作业更安全"], "A", "严禁盲目施救。"),
    (S, "新员工上岗前必须接受几级安全教育？", ["一级", "二级", "三级", "不需要"], "C", "厂（公司）级、车间级、班组级。"),
    (S, "职业病防治工作坚持什么方针？", ["预防为主、防治结合", "治疗为主", "赔偿为主", "以罚代管"], "A", "《职业病防治法》第三条。"),
    (S, "关于安全色的含义，下列哪些说法正确？", ["红色表示禁止、停止", "黄色表示警告、注意", "蓝色表示指令、必须遵守", "紫色表示安全通行"], "ABC", "绿色表示提示、安全状态、通行。"),
    (S, "全国“安全生产月”是每年的几月？", ["三月", "五月", "六月", "十一月"], "C", "每年六月。"),
    (S, "劳动者享有哪些职业卫生保护权利？", ["获得职业卫生教育、培训", "获得职业健康检查、职业病诊疗和康复服务", "拒绝违章指挥和强令进行没有职业病防护措施的作业", "自行决定不参加上岗前职业健康检查"], "ABC", "《职业病防治法》第三十九条。"),
]  # fmt: skip


def _quiz(ctx: DemoContext) -> Quiz:
    quiz = Quiz.objects.filter(name=QUIZ_NAME).first()
    if quiz is None:
        quiz = Quiz.objects.create(
            organisation=ctx.district,
            name=QUIZ_NAME,
            description="每天答5道题，每题10分；每天1次，分享后再得1次。月度前100名可获30至100元话费。",
            status=QuizStatus.OPEN,
            attempt_seconds=300,
        )
    return quiz


def build_bank(ctx: DemoContext, quiz: Quiz) -> None:
    staff = ctx.users["district"][0]
    bank, _created = QuestionBank.objects.get_or_create(quiz=quiz, name=BANK_NAME)
    if Question.objects.filter(bank=bank).count() >= len(QUESTIONS):
        return
    for topic, text, options, letters, explanation in QUESTIONS:
        if Question.objects.filter(bank=bank, text=text).exists():
            continue
        services.question_add(
            bank=bank,
            by=staff,
            data={
                "topic": topic,
                "kind": "multiple" if len(letters) > 1 else "single",
                "text": text,
                "options": options,
                "answer": ["ABCDEF".index(c) for c in letters],
                "explanation": explanation,
            },
        )


def _players(ctx: DemoContext, quiz: Quiz) -> list[Participant]:
    """The demo member and PLAYERS active members (given a login of their own if they have none)."""
    existing = list(Participant.objects.filter(quiz=quiz).select_related("user"))
    if len(existing) > PLAYERS:
        return existing
    group = Group.objects.get(name=Role.MEMBER)
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, union__path__startswith=ctx.district.path)
        .select_related("union", "user")
        .order_by("pk")[:3000]
    )
    chosen = ctx.rng.sample(members, k=min(PLAYERS, len(members)))
    demo = (
        Member.objects.filter(user__username="member", status=MemberStatus.ACTIVE)
        .select_related("user")
        .first()
    )
    if demo is not None and demo not in chosen:
        chosen.append(demo)
    players = []
    for member in chosen:
        user = member.user
        if user is None:
            user = User.objects.create(username=f"quiz-{member.pk}", display_name=member.name)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
            Member.objects.filter(pk=member.pk).update(user=user)
        participant, _created = Participant.objects.get_or_create(
            quiz=quiz,
            user=user,
            defaults={"member": member, "name": member.name, "mobile": member.mobile, "union": member.union},
        )
        players.append(participant)
    return players


def _moment(day: dt.date, rng) -> dt.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(
        day.year, day.month, day.day, rng.choice([8, 12, 19, 20, 20, 21, 22]), rng.randint(0, 59), tzinfo=zone
    )


def build_attempts(ctx: DemoContext, quiz: Quiz, players: list[Participant]) -> None:
    """Last month and this month to yesterday: each player plays some evenings, shares now and then."""
    if Attempt.objects.filter(participant__quiz=quiz).exists():
        return
    rng = ctx.rng
    today = timezone.localdate()
    start = ranking.month_start(ranking.month_start(today) - dt.timedelta(days=1))
    days = [start + dt.timedelta(days=i) for i in range((today - start).days)]
    helpers = [p.user for p in players]  # one person grants at most three extra attempts a day
    for player in players:
        skill = rng.uniform(0.45, 0.95)
        keen = rng.uniform(0.1, 0.6)
        for day in days:
            if rng.random() > keen:
                continue
            now = _moment(day, rng)
            tries = 1
            if rng.random() < 0.3:
                helper = rng.choice([h for h in helpers if h.pk != player.user_id] or helpers)
                if services.share_open(token=services.share_token(player), by=helper, now=now).granted:
                    tries = 2
            for n in range(tries):
                when = now + dt.timedelta(minutes=10 * n)
                with transaction.atomic():
                    try:
                        attempt = services.attempt_start(participant=player, by=player.user, now=when)
                    except ApplicationError:
                        continue
                    answers = {}
                    for row in attempt.questions.select_related("question"):
                        right = [i for i, original in enumerate(row.order) if original in row.question.answer]
                        wrong = [
                            i for i, original in enumerate(row.order) if original not in row.question.answer
                        ]
                        answers[row.question_id] = right if rng.random() < skill else wrong[:1]
                    services.attempt_submit(
                        attempt=attempt,
                        by=player.user,
                        answers=answers,
                        now=when + dt.timedelta(seconds=rng.randint(40, 240)),
                    )


def build_prizes(ctx: DemoContext, quiz: Quiz) -> None:
    today = timezone.localdate()
    last_month = ranking.month_start(ranking.month_start(today) - dt.timedelta(days=1))
    quiz_month = services.quiz_month_ensure(quiz=quiz, month=last_month)
    services.quiz_month_ensure(quiz=quiz, month=ranking.month_start(today))
    staff = ctx.users["district"][0]
    services.month_close(quiz_month=quiz_month, by=staff)
    if not quiz_month.prizes.filter(paid_at__isnull=False).exists():  # the first batch topped up
        for prize in quiz_month.prizes.order_by("rank")[:30]:
            services.prize_pay(prize=prize, by=staff, reference=f"话费充值{last_month:%Y%m}-01")


def build(ctx: DemoContext) -> None:
    quiz = _quiz(ctx)
    build_bank(ctx, quiz)
    players = _players(ctx, quiz)
    build_attempts(ctx, quiz, players)
    build_prizes(ctx, quiz)
    ctx.log.append(
        f"quiz: {Question.objects.filter(bank__quiz=quiz).count()} questions, "
        f"{Participant.objects.filter(quiz=quiz).count()} players, "
        f"{Attempt.objects.filter(participant__quiz=quiz).count()} attempts"
    )

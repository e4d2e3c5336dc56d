"""Every event an app sends is declared in a kind, has its templates, and reads well in each language:
the SMS of every event, rendered in Chinese with realistic long names, is one translated sentence
within the length of a two-part SMS."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from union_portal.core.registry import project_app_configs
from union_portal.notifications.kinds import kind_by_event, kinds
from union_portal.notifications.services import render_event

#: Two parts of a long SMS (67 Chinese characters each), the sign name included.
SMS_LIMIT = 134

LONG = {
    "name": "欧阳晓明", "taker": "欧阳晓明", "asker": "司马文静", "lawyer": "诸葛明远", "agent": "上官婉儿",
    "union": "佛山市三水区西南街道健力宝集团有限公司工会委员会",
    "from_union": "佛山市三水区西南街道健力宝集团有限公司工会委员会",
    "to_union": "佛山市三水区乐平镇新明珠陶瓷集团有限公司工会委员会",
    "station": "三水区西南街道劳动争议调解法律援助工作站", "place": "三水区西南街道职工服务中心二楼多功能厅",
    "address": "佛山市三水区西南街道广海大道中18号职工服务中心二楼",
    "activity": "2026年三水区职工志愿者关爱环卫工人暨爱心早餐公益服务活动",
    "contest": "2026年三水区叉车司机与电工职业技能竞赛", "quiz": "2026年三水区工会法律法规知识竞答",
    "title": "三水区五一劳动奖章", "topic": "工资拖欠与社会保险", "stage": "仲裁开庭审理",
    "kind": "大病医疗救助", "method": "银行转账", "reason": "所附收入证明与申报的家庭人均月收入不一致，请补充材料后重新提交",
    "note": "请携带身份证原件及劳动合同按时到场", "level": "三星级志愿者", "round": "决赛", "how": "线上",
    "state": "已核实", "masked_id_number": "440607********123X", "card_number": "SS2026000012345",
    "reference": "CMB20261201000123456", "number": "（2026）三劳仲案字第1234号",
    "pk": 123456, "n": 12, "late": 3, "count": 12, "rank": 1, "days": 5, "hours": Decimal("120.5"),
    "threshold": Decimal("300"), "amount": Decimal("12345.67"),
    "day": "2026年12月31日", "on": "2026年12月31日", "paid_on": "2026年12月31日", "starts_on": "2026年12月31日",
    "ends_on": "2027年1月15日", "limitation_on": "2026年12月31日", "month": "2026年12月",
    "start": "08:30", "end": "17:30", "from": "08:30", "to": "12:00",
    "panel": "佛山市三水区总工会", "until": "2027-12-31", "login": "13912345678",
    "has_login": True, "working_day": True, "prize": "一等奖",
}  # fmt: skip


class Realistic(dict):
    """The long values above; any other name a template uses gets a long phrase too."""

    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return "三水区总工会职工服务中心"


def template_events() -> set[str]:
    """Every event that has templates in a project app."""
    found = set()
    for config in project_app_configs():
        root = Path(config.path) / "templates" / "notifications"
        if root.is_dir():
            found |= {p.name for p in root.iterdir() if p.is_dir() and (p / "title.txt").exists()}
    return found


def test_every_event_with_templates_is_declared_in_a_kind_and_every_declared_event_has_templates():
    declared = set(kind_by_event())
    assert template_events() - declared == set()
    assert declared - template_events() == set()


def test_urgent_kinds_are_the_ones_that_cannot_wait():
    urgent = {key for key, kind in kinds().items() if kind.urgent}
    assert {"legal.shifts", "legal.deadlines", "volunteers.activities"} <= urgent
    assert (
        kind_by_event()["legal.shift_reminder"].urgent and kind_by_event()["legal.limitation_warning"].urgent
    )


@pytest.mark.parametrize("event", sorted(template_events()))
def test_each_event_is_translated_and_its_sms_is_one_chinese_sentence_within_the_limit(event):
    context = Realistic(LONG)
    with translation.override("en"):
        english = render_event(event, context)
    with translation.override("zh-hans"):
        chinese = render_event(event, context)
    assert english["title"] and chinese["title"] != english["title"], "the title is not translated"
    if english["body"] and english["body"] not in map(str, LONG.values()):  # not only a person's words
        assert chinese["body"] != english["body"], "the body is not translated"
    sms = f"【{settings.SMS_SIGN_NAME}】{chinese['sms']}"
    assert sms != f"【{settings.SMS_SIGN_NAME}】{english['sms']}", "the SMS is not translated"
    assert len(sms) <= SMS_LIMIT, f"{len(sms)} characters: {sms}"
    assert sms.endswith(("。", "！", "？")), f"not one sentence: {sms}"
    assert sms.count("。") + sms.count("！") + sms.count("？") == 1, f"more than one sentence: {sms}"
    assert "\n" not in sms and "  " not in sms

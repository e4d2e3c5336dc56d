"""The question bank imported from a spreadsheet through the one pipeline (``union_portal.imports``):
upload, check with every bad row reported in the staff's language, confirm; csv in GBK or UTF-8 and
xlsx as Excel saves them; every question written by ``question_add``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from competitions.quiz import services
from competitions.quiz.models import Question, QuestionBank, QuestionKind, Topic
from union_portal.imports import services as importing
from union_portal.imports.models import ImportJob

from ..imports.files import excel_csv, excel_xlsx
from .factories import make_quiz

Status = ImportJob.Status
HEAD = ["序号", "题库", "主题", "题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]
GOOD = [
    [1, "2026年题库", "劳动法", "单选", "劳动合同期限一年以上不满三年的，试用期不得超过多长时间？",
     "一个月", "二个月", "三个月", "六个月", "B", "《劳动合同法》第十九条。"],
    [2, "2026年题库", "安全", "多选题", "下列哪些属于从业人员的安全生产权利？",
     "知情权", "拒绝违章指挥权", "紧急撤离权", "", "ABC", ""],
    [3, "2026年题库", "工会", "单选", "工会会员按月缴纳会费，标准为本人工资收入的多少？",
     "0.5%", "1%", "2%", "", "a", ""],
]  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


@pytest.fixture
def bank(tree):
    quiz = make_quiz(tree.district)
    return QuestionBank.objects.create(quiz=quiz, name="2026年题库")


def check(by, raw: bytes, name: str) -> ImportJob:
    job = importing.import_upload(by=by, file=SimpleUploadedFile(name, raw), kind="quiz_questions")
    return importing.import_check(job=job)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("题库.csv", excel_csv([HEAD, *GOOD], encoding="gbk")),
        ("题库.csv", ("\ufeff" + excel_csv([HEAD, *GOOD], encoding="utf-8").decode()).encode("utf-8")),
        ("题库.csv", excel_csv([HEAD, *GOOD], encoding="utf-8")),
        ("题库.xlsx", excel_xlsx([HEAD, *GOOD])),
    ],
    ids=["gbk-csv", "utf8-bom-csv", "utf8-csv", "xlsx"],
)
def test_a_bank_is_checked_then_written_through_the_service(people, bank, name, raw):
    # when district staff upload and check the file
    job = check(people.district_staff, raw, name)
    # then it is valid, nothing is written yet, and the preview shows the questions as they will be stored
    assert (job.status, job.total_rows, job.error_count) == (Status.VALID, 3, 0), job.errors
    assert Question.objects.count() == 0
    assert job.preview["rows"][0] == [
        2, "Labour law", "Single choice", GOOD[0][4], "一个月 / 二个月 / 三个月 / 六个月", "B",
    ]  # fmt: skip
    # and confirming adds them to the bank, active, with the right options by index
    job = importing.import_start_confirm(job=job, by=people.district_staff)
    assert (job.status, job.message) == (Status.DONE, "3 question(s) added.")
    rows = list(bank.questions.order_by("pk").values_list("topic", "kind", "options", "answer", "status"))
    assert rows == [
        (Topic.LABOUR_LAW, QuestionKind.SINGLE, ["一个月", "二个月", "三个月", "六个月"], [1], "active"),
        (
            Topic.SAFETY,
            QuestionKind.MULTIPLE,
            ["知情权", "拒绝违章指挥权", "紧急撤离权"],
            [0, 1, 2],
            "active",
        ),
        (Topic.UNION, QuestionKind.SINGLE, ["0.5%", "1%", "2%"], [0], "active"),
    ]
    assert bank.questions.get(answer=[1]).explanation == "《劳动合同法》第十九条。"
    assert bank.questions.first().history.first().history_type == "+"  # written with its history


def test_every_bad_row_is_reported_in_chinese_and_nothing_is_written(people, bank):
    rows = [
        GOOD[0],  # row 2: good
        [2, "没有这个题库", "劳动法", "单选", "题目甲", "对", "错", "", "", "A", ""],  # 3: unknown bank
        [3, "2026年题库", "历史", "判断", "题目乙", "对", "错", "", "", "A", ""],  # 4: topic, kind
        [4, "2026年题库", "工会", "单选", "题目丙", "甲", "乙", "丙", "", "AB", ""],  # 5: two right options
        [5, "2026年题库", "工会", "多选", "题目丁", "甲", "乙", "丙", "", "B", ""],  # 6: one right option
        [6, "2026年题库", "安全", "单选", "题目戊", "甲", "乙", "", "丁", "A", ""],  # 7: a gap
        [7, "2026年题库", "安全", "单选", "题目己", "甲", "乙", "", "", "D", ""],  # 8: no option D
        [8, "2026年题库", "安全", "单选", "题目庚", "甲", "甲", "", "", "A", ""],  # 9: same option twice
        [9, "2026年题库", "劳动法", "单选", GOOD[0][4], "一个月", "二个月", "", "", "A", ""],  # 10: twice
        [
            10,
            "2026年题库",
            "工会",
            "单选",
            "题库里已有的题目",
            "甲",
            "乙",
            "",
            "",
            "A",
            "",
        ],  # 11: in the bank
    ]
    services.question_add(bank=bank, by=people.district_staff, data={
        "topic": "union", "kind": "single", "text": "题库里已有的题目", "options": ["甲", "乙"], "answer": [0],
    })  # fmt: skip
    with translation.override("zh-hans"):
        job = check(people.district_staff, excel_csv([HEAD, *rows], encoding="gbk"), "题库.csv")
    assert job.status == Status.INVALID
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "题库", "没有该名称的题库：请先在后台创建。"),
        (4, "主题", "无法识别“历史”，请填写以下之一：劳动法律、工会知识、安全生产。"),
        (4, "题型", "无法识别“判断”，请填写以下之一：单选题、多选题。"),
        (5, "答案", "单选题只能有一个正确选项。"),
        (6, "答案", "多选题至少有两个正确选项。"),
        (7, "选项C", "请从A开始连续填写选项，中间不要空缺。"),
        (8, "答案", "请标出正确选项。"),
        (9, "选项A", "有两个选项相同。"),
        (10, "题目", "第2行已有相同题目。"),
        (11, "题目", "题库中已有这道题。"),
    ]
    assert Question.objects.count() == 1  # the one added before


def test_only_banks_the_importer_may_see_are_found(tree, people, bank):
    # given a bank of town B's own quiz, and town A's staff allowed to import
    other = QuestionBank.objects.create(quiz=make_quiz(tree.town_b, name="镇竞答"), name="镇题库")
    user = people.town_a_staff
    user.user_permissions.add(Permission.objects.get(codename="import_question"))
    user = type(user).objects.get(pk=user.pk)
    rows = [[1, other.name, "工会", "单选", "题目甲", "对", "错", "", "", "A", ""]]
    # when they import into it, the bank is not found
    job = check(user, excel_csv([HEAD, *rows]), "题库.csv")
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "题库")]
    assert other.questions.count() == 0


def test_importing_needs_the_permission(people, bank):
    from union_portal.core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        check(people.town_a_staff, excel_csv([HEAD, GOOD[0]]), "题库.csv")
    assert Question.objects.count() == 0

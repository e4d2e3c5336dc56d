"""Import of quiz questions from a spreadsheet, through the one pipeline of ``union_portal.imports``
(upload, check with every bad row reported, confirm)::

    题库         | 主题   | 题型 | 题目                                  | 选项A | 选项B | 选项C | 选项D | 答案 | 解析
    2026年题库   | 劳动法 | 单选 | 劳动合同期限一年以上不满三年的，试用期不得超过几个月？ | 一个月 | 二个月 | 三个月 | 六个月 | B |

The bank is found by its name among the banks the importing user may see; each question is checked
by the service's own ``clean_question`` and written with ``question_add``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.errors import ApplicationError
from union_portal.imports.columns import Column
from union_portal.imports.registry import ImportKind
from union_portal.imports.resources import CheckedResource, Row, RowError

from . import services
from .models import Question, QuestionBank, QuestionKind, Topic

BANK, TOPIC, KIND, TEXT, ANSWER, EXPLANATION = "题库", "主题", "题型", "题目", "答案", "解析"
OPTIONS = tuple(f"选项{letter}" for letter in "ABCDEF")
LETTERS = "ABCDEF"
TOPIC_WORDS = {
    "劳动法": Topic.LABOUR_LAW,
    "法律": Topic.LABOUR_LAW,
    "工会": Topic.UNION,
    "安全": Topic.SAFETY,
}
KIND_WORDS = {
    "单选": QuestionKind.SINGLE,
    "单选题": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
}
SERVICE_COLUMNS = {"topic": TOPIC, "kind": KIND, "text": TEXT, "options": OPTIONS[0], "answer": ANSWER}


class QuestionResource(CheckedResource):
    columns = (
        Column(BANK, "bank", required=True, max_length=100, example="2026年职工知识竞答题库"),
        Column(TOPIC, "topic", kind="choice", choices=Topic, words=TOPIC_WORDS, required=True, example="劳动法"),
        Column(KIND, "kind", kind="choice", choices=QuestionKind, words=KIND_WORDS, required=True, example="单选"),
        Column(TEXT, "text", required=True, max_length=500, multiline=True,
               example="劳动合同期限一年以上不满三年的，试用期不得超过多长时间？"),
        Column(OPTIONS[0], "option_0", required=True, max_length=200, example="一个月"),
        Column(OPTIONS[1], "option_1", required=True, max_length=200, example="二个月"),
        Column(OPTIONS[2], "option_2", max_length=200, example="三个月"),
        Column(OPTIONS[3], "option_3", max_length=200, example="六个月"),
        Column(OPTIONS[4], "option_4", max_length=200, example=""),
        Column(OPTIONS[5], "option_5", max_length=200, example=""),
        Column(ANSWER, "answer", required=True, max_length=6, example="B", help=gettext_lazy(
            "The letters of the right options: B, or ACD for a multiple choice question.")),
        Column(EXPLANATION, "explanation", max_length=1000, multiline=True, example=""),
        Column("序号"),
    )  # fmt: skip
    checked_fields = {
        "bank_id": None, "topic": None, "kind": None, "text": None, "options": None, "answer": None,
        "explanation": None,
    }  # fmt: skip
    duplicate_message = gettext_lazy("The same question is already on row %(row)d.")
    duplicate_column = TEXT

    def prepare(self) -> None:
        self._banks: dict[str, int | None] = {}
        for bank in QuestionBank.objects.visible_to(self.by).only("id", "name"):
            name = bank.name.strip()
            self._banks[name] = None if name in self._banks else bank.pk

    def check_row(self, row: Row) -> dict:
        name = (row.get("bank") or "").strip()
        bank_id = self._banks.get(name)
        if not name or bank_id is None:
            message = (
                _("Two banks have this name: rename one first.")
                if name in self._banks
                else _("No question bank of this name: create it in the admin first.")
            )
            row.error("bank", message)
        options = [row.get(f"option_{i}") or "" for i in range(6)]
        letters = (row.get("answer") or "").upper().replace(",", "").replace("，", "").replace(" ", "")
        data = {
            "topic": row.get("topic"),
            "kind": row.get("kind"),
            "text": row.get("text"),
            "explanation": row.get("explanation") or "",
            "options": options,
            "answer": [LETTERS.index(c) if c in LETTERS else -1 for c in letters],
        }
        # Gaps are not allowed: A, B, then D would renumber D as C.
        filled = [bool(o.strip()) for o in options]
        gap = next((i for i in range(1, 6) if filled[i] and not filled[i - 1]), None)
        if gap is not None:
            row.error(f"option_{gap - 1}", _("Fill the options from A without gaps."))
        cleaned = None
        if not row.errors:
            try:
                cleaned = services.clean_question(data)
            except ApplicationError as exc:
                row.error(SERVICE_COLUMNS.get(exc.field or "", TEXT), str(exc))
        if row.errors:
            raise row.fail()
        return {"bank_id": bank_id, **cleaned}

    def unique_key(self, record) -> str:  # the pipeline hashes a string
        return f"{record['bank_id']}:{record['text']}"

    def check_batch(self, records) -> dict[int, dict[str, str]]:
        """Questions the bank has already (retired ones included): one query per batch."""
        taken = set(
            Question.objects.filter(
                bank_id__in={r["bank_id"] for _line, r in records},
                text__in={r["text"] for _line, r in records},
            ).values_list("bank_id", "text")
        )
        return {
            line: {TEXT: _("This bank has this question already.")}
            for line, r in records
            if (r["bank_id"], r["text"]) in taken
        }

    def write(self, records) -> None:
        banks = QuestionBank.objects.in_bulk([r["bank_id"] for _line, r in records])
        for line, record in records:
            data = {k: v for k, v in record.items() if k != "bank_id"}
            try:
                services.question_add(bank=banks[record["bank_id"]], by=self.by, data=data)
            except ApplicationError as exc:
                raise RowError({SERVICE_COLUMNS.get(exc.field or "", TEXT): str(exc)}, line=line) from None

    def describe(self, outcome) -> str:
        return _("%(rows)d row(s) checked: %(n)d question(s) ready to add.") % {
            "rows": outcome.rows, "n": outcome.checked,
        }  # fmt: skip

    def describe_written(self, written: int) -> str:
        return _("%(n)d question(s) added.") % {"n": written}

    def preview_headers(self) -> list[str]:
        return [TOPIC, KIND, TEXT, _("options"), ANSWER]

    def preview_row(self, record: dict) -> list[str]:
        return [
            str(Topic(record["topic"]).label),
            str(QuestionKind(record["kind"]).label),
            record["text"],
            " / ".join(record["options"]),
            "".join(LETTERS[i] for i in record["answer"]),
        ]


IMPORTS = [
    ImportKind(
        key="quiz_questions",
        label=gettext_lazy("quiz questions"),
        permission="quiz.import_question",
        resource=QuestionResource,
    )
]

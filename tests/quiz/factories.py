"""Quiz test data, made through the services as the application makes it."""

from __future__ import annotations

import re

from competitions.quiz import services
from competitions.quiz.models import Participant, QuestionBank, QuestionKind, Quiz, QuizStatus, Topic
from union_portal.accounts.roles import Role
from union_portal.notifications import backends

from ..accounts.factories import make_user
from ..members.factories import make_member


def make_quiz(organisation, *, status=QuizStatus.OPEN, seconds=300, name="职工法律知识竞答") -> Quiz:
    return Quiz.objects.create(organisation=organisation, name=name, status=status, attempt_seconds=seconds)


def question_data(n: int, *, kind=QuestionKind.SINGLE, topic=Topic.LABOUR_LAW) -> dict:
    if kind == QuestionKind.SINGLE:
        return {
            "topic": topic,
            "kind": kind,
            "text": f"第{n}题：劳动合同应当采用哪种形式订立？",
            "options": [f"书面形式{n}", f"口头形式{n}", f"任意形式{n}", f"电子邮件{n}"],
            "answer": [0],
        }
    return {
        "topic": topic,
        "kind": kind,
        "text": f"第{n}题：下列哪些属于工伤保险待遇？",
        "options": [f"医疗费{n}", f"伙食补助费{n}", f"加班费{n}", f"一次性伤残补助金{n}"],
        "answer": [0, 1, 3],
    }


def make_bank(quiz: Quiz, by, *, questions: int = 8, name: str = "题库") -> QuestionBank:
    bank = QuestionBank.objects.create(quiz=quiz, name=name)
    for n in range(questions):
        kind = QuestionKind.MULTIPLE if n % 3 == 2 else QuestionKind.SINGLE
        services.question_add(bank=bank, by=by, data=question_data(n + 1, kind=kind))
    return bank


def last_code() -> str:
    return re.search(r"(\d{6})", backends.outbox[-1][1])[1]


def join(quiz: Quiz, user, *, union=None) -> Participant:
    from members.selectors import current_membership

    membership = current_membership(user)
    mobile = services.join_code_send(quiz=quiz, by=user, mobile=membership.mobile)
    return services.participant_join(
        quiz=quiz, by=user, mobile=mobile, code=last_code(), union=union or membership.union
    )


def make_player(quiz: Quiz, union, **kwargs) -> Participant:
    """A member with a login who joined the quiz."""
    user = make_user(Role.MEMBER, None)
    make_member(union, user=user, **kwargs)
    return join(quiz, user)


def right_answers(attempt) -> dict:
    """The shown indexes of the right options of each drawn question (what a perfect player sends)."""
    answers = {}
    for row in attempt.questions.select_related("question"):
        answers[row.question_id] = [
            i for i, original in enumerate(row.order) if original in row.question.answer
        ]
    return answers


def wrong_answers(attempt) -> dict:
    answers = {}
    for row in attempt.questions.select_related("question"):
        answers[row.question_id] = [
            next(i for i, original in enumerate(row.order) if original not in row.question.answer)
        ]
    return answers

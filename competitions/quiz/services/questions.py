"""The question bank: questions checked, added, edited while never drawn, retired, restored."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text

from ..models import (
    AttemptQuestion,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionStatus,
    Topic,
)
from .common import _invalid, _now

# --- questions ----------------------------------------------------------------------------------------


def clean_question(data: dict) -> dict:
    """A question's fields checked: text, 2 to 6 distinct options, the right ones by kind."""
    topic = data.get("topic")
    if topic not in Topic.values:
        raise _invalid(_("Choose the topic."), "topic", "required")
    kind = data.get("kind")
    if kind not in QuestionKind.values:
        raise _invalid(_("Choose single or multiple choice."), "kind", "required")
    try:
        text = clean_text(data.get("text"), max_length=500, multiline=True, required=True)
        options = [clean_text(o, max_length=200) for o in (data.get("options") or [])]
        explanation = clean_text(data.get("explanation") or "", max_length=1000, multiline=True)
    except Exception as exc:  # ValidationError from clean_text
        raise ApplicationError.from_validation_error(exc, field="text") from None
    options = [o for o in options if o]
    if not 2 <= len(options) <= 6:
        raise _invalid(_("Give between 2 and 6 options."), "options")
    if len(set(options)) != len(options):
        raise _invalid(_("Two options are the same."), "options")
    try:
        answer = sorted({int(i) for i in (data.get("answer") or [])})
    except (TypeError, ValueError):
        raise _invalid(_("Mark the right options."), "answer") from None
    if not answer or any(not 0 <= i < len(options) for i in answer):
        raise _invalid(_("Mark the right options."), "answer")
    if kind == QuestionKind.SINGLE and len(answer) != 1:
        raise _invalid(_("A single choice question has exactly one right option."), "answer")
    if kind == QuestionKind.MULTIPLE and len(answer) < 2:
        raise _invalid(_("A multiple choice question has at least two right options."), "answer")
    return {
        "topic": topic,
        "kind": kind,
        "text": text,
        "options": options,
        "answer": answer,
        "explanation": explanation,
    }


@transaction.atomic
def question_add(*, bank: QuestionBank, by, data: dict) -> Question:
    require_perm(by, "quiz.add_question")
    require_visible(by, bank)
    return Question.objects.create(bank=bank, **clean_question(data))


@transaction.atomic
def question_update(*, question: Question, by, data: dict) -> Question:
    """Edit a question. One already drawn in an attempt keeps its words: retire it and add another."""
    require_perm(by, "quiz.change_question")
    require_visible(by, question)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    cleaned = clean_question(data)
    if AttemptQuestion.objects.filter(question=question).exists() and any(
        getattr(question, f) != cleaned[f] for f in ("text", "options", "answer", "kind")
    ):
        raise _invalid(
            _("This question has been drawn in attempts: retire it and add a new one instead."),
            code="drawn",
        )
    for field, value in cleaned.items():
        setattr(question, field, value)
    question.save()
    return question


@transaction.atomic
def question_retire(*, question: Question, by, now: dt.datetime | None = None) -> Question:
    """Never drawn again; past attempts keep it and show it."""
    require_perm(by, "quiz.change_question")
    require_visible(by, question)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.status == QuestionStatus.RETIRED:
        return question
    question.status = QuestionStatus.RETIRED
    question.retired_at = _now(now)
    question.save(update_fields=["status", "retired_at"])
    return question


@transaction.atomic
def question_restore(*, question: Question, by) -> Question:
    require_perm(by, "quiz.change_question")
    require_visible(by, question)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.status == QuestionStatus.ACTIVE:
        return question
    question.status = QuestionStatus.ACTIVE
    question.retired_at = None
    question.save(update_fields=["status", "retired_at"])
    return question

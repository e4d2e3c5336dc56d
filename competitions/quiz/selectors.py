"""Reads of the knowledge quiz shared by the admin, the portal, the API and the figures.

Each list holds its query shape and its scope (``visible_to``) here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Prefetch, prefetch_related_objects

from union_portal.core.figures import child_path
from union_portal.organisations.models import Organisation

from . import ranking
from .models import Attempt, AttemptQuestion, AttemptState, Participant, QuestionKind, Quiz

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


def parse_month(value: str | None) -> dt.date | None:
    match = MONTH_RE.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def quizzes_for(user) -> list[Quiz]:
    """Open quizzes a member may take: those run by a federation above their union."""
    from members.selectors import current_membership

    membership = current_membership(user)
    if membership is None:
        return []
    steplen = Organisation.steplen
    path = membership.union.path
    ancestors = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
    return list(Quiz.objects.open().filter(organisation__path__in=ancestors).select_related("organisation"))


def my_attempts(*, participant: Participant):
    return Attempt.objects.filter(participant=participant).order_by("-started_at", "-pk")


def attempt_for(*, user, pk: int) -> Attempt | None:
    return (
        Attempt.objects.filter(pk=pk, participant__user=user)
        .select_related("participant__quiz", "union")
        .first()
    )


@dataclass(frozen=True)
class ShownOption:
    index: int  # the index shown (what the phone sends back)
    letter: str
    text: str
    chosen: bool = False
    right: bool = False  # filled only after the attempt is closed


@dataclass(frozen=True)
class ShownQuestion:
    question_id: int
    position: int
    kind: str
    text: str
    options: list[ShownOption]
    is_correct: bool | None = None
    explanation: str = ""

    @property
    def kind_label(self) -> str:
        """The kind in words, translated when read (the API sends the kind, the pages show this)."""
        return str(QuestionKind(self.kind).label)


def drawn_questions() -> Prefetch:
    """An attempt's drawn questions with their questions, in the order drawn (one query)."""
    return Prefetch(
        "questions", queryset=AttemptQuestion.objects.select_related("question").order_by("position")
    )


def shown_questions(attempt: Attempt) -> list[ShownQuestion]:
    """The attempt's questions in the order drawn, options in the order shown. The right answers are
    included only once the attempt is closed: an open attempt's page and API never carry them.
    Reads nothing when the attempt came with :func:`drawn_questions` (as ``attempt_submit``'s does)."""
    closed = attempt.state != AttemptState.OPEN
    if "questions" not in getattr(attempt, "_prefetched_objects_cache", {}):
        prefetch_related_objects([attempt], drawn_questions())
    rows = attempt.questions.all()
    shown = []
    for row in rows:
        question = row.question
        chosen = set(row.chosen or [])
        right = set(question.answer) if closed else set()
        options = [
            ShownOption(
                index=i,
                letter="ABCDEF"[i],
                text=question.options[original],
                chosen=original in chosen,
                right=original in right,
            )
            for i, original in enumerate(row.order)
        ]
        shown.append(
            ShownQuestion(
                question_id=question.pk,
                position=row.position,
                kind=question.kind,
                text=question.text,
                options=options,
                is_correct=row.is_correct if closed else None,
                explanation=question.explanation if closed else "",
            )
        )
    return shown


@dataclass(frozen=True)
class BoardRow:
    rank: int
    name: str
    union: str
    points: int
    is_me: bool = False


def leaderboard(*, quiz: Quiz, month: dt.date, participant: Participant | None = None, n: int = 100):
    """The top ``n`` with masked names, and the participant's own standing (even outside the top)."""
    board = ranking.board(
        quiz_id=quiz.pk, month=month, participant_id=participant.pk if participant else None, n=n
    )
    people = ranking.participants_of(board.top)
    rows = []
    for standing in board.top:
        person = people.get(standing.participant_id)
        rows.append(
            BoardRow(
                rank=standing.rank,
                name=person.masked_name if person else "—",
                union=person.union.name if person else "",
                points=standing.points,
                is_me=participant is not None and standing.participant_id == participant.pk,
            )
        )
    return rows, board.mine, board.source


def public_top(*, quiz: Quiz, month: dt.date, n: int = ranking.PRIZE_WINNERS) -> list[dict]:
    """The month's top ``n`` as everybody sees it (``rank``, ``participant_id``, masked ``name``,
    ``union``, ``points``), kept ``QUIZ_LEADERBOARD_CACHE_SECONDS`` in the cache: it is the same for
    every viewer, so the page and the API read the ranking and the names once in that time, not per
    request (the viewer's own standing is read each time: :func:`ranking.standing`)."""
    seconds = settings.QUIZ_LEADERBOARD_CACHE_SECONDS
    key = f"quiz:top:{quiz.pk}:{month:%Y-%m}:{n}"
    rows = cache.get(key) if seconds > 0 else None
    if rows is None:
        board = ranking.board(quiz_id=quiz.pk, month=month, n=n)
        people = ranking.participants_of(board.top)
        rows = []
        for standing in board.top:
            person = people.get(standing.participant_id)
            rows.append(
                {
                    "rank": standing.rank,
                    "participant_id": standing.participant_id,
                    "name": person.masked_name if person else "—",
                    "union": person.union.name if person else "",
                    "points": standing.points,
                }
            )
        if seconds > 0:
            cache.set(key, rows, seconds)
    return rows


# --- participation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipationRow:
    path: str
    name: str
    participants: int
    attempts: int
    average_score: float | None


def participation_by_union(*, quiz: Quiz, month: dt.date, scope: Organisation) -> list[ParticipationRow]:
    """Per node directly below ``scope`` (the towns, for the district): participants, attempts and
    average score of the closed attempts of a month. One grouped query; the caller checks that the
    viewer may see ``scope`` (``union_portal.core.figures.figures_scope``)."""
    rows = (
        Attempt.objects.filter(participant__quiz=quiz, month=month, union__path__startswith=scope.path)
        .exclude(state=AttemptState.OPEN)
        .annotate(node=child_path("union__path", scope))
        .values("node")
        .annotate(
            participants=Count("participant", distinct=True),
            attempts=Count("pk"),
            average=Avg("score"),
        )
        .order_by("node")
    )
    rows = list(rows)
    names = dict(Organisation.objects.filter(path__in=[r["node"] for r in rows]).values_list("path", "name"))
    return [
        ParticipationRow(
            path=r["node"],
            name=names.get(r["node"], "—"),
            participants=r["participants"],
            attempts=r["attempts"],
            average_score=round(float(r["average"]), 1) if r["average"] is not None else None,
        )
        for r in rows
    ]

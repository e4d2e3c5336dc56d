"""Rules 2 to 4: the daily allowance, attempts drawn and scored once, points added to the month."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from union_portal.core.errors import NotFoundError

from .. import ranking
from ..models import (
    DAILY_ATTEMPTS,
    POINTS_PER_QUESTION,
    QUESTIONS_PER_ATTEMPT,
    Attempt,
    AttemptQuestion,
    AttemptState,
    DailyAllowance,
    MonthScore,
    Participant,
    Question,
    QuestionKind,
    Quiz,
)
from ..selectors import drawn_questions
from .common import SUBMIT_GRACE_SECONDS, _invalid, _now, _open_quiz, _random, local_day

# --- the daily allowance ----------------------------------------------------------------------------


def _locked_allowance(participant: Participant, day: dt.date) -> DailyAllowance:
    """The day's counter row, created if missing, locked (two phones wait for each other here)."""
    DailyAllowance.objects.bulk_create(
        [DailyAllowance(participant=participant, day=day)],
        ignore_conflicts=True,
    )
    return DailyAllowance.objects.select_for_update(of=("self",)).get(participant=participant, day=day)


def allowance_of(*, participant: Participant, day: dt.date | None = None) -> DailyAllowance:
    """The day's allowance as it stands (unsaved when nothing happened yet that day)."""
    day = day or local_day()
    found = DailyAllowance.objects.filter(participant=participant, day=day).first()
    return found or DailyAllowance(participant=participant, day=day)


@transaction.atomic
def attempt_start(*, participant: Participant, by, now: dt.datetime | None = None) -> Attempt:
    """Rule 2 and 3: draw five questions with shuffled options, within the day's allowance."""
    if participant.user_id != getattr(by, "pk", None):
        raise NotFoundError(_("Not found."))
    quiz = _open_quiz(Quiz.objects.get(pk=participant.quiz_id))
    now = _now(now)
    day = local_day(now)
    allowance = _locked_allowance(participant, day)
    if allowance.started >= allowance.allowed:
        if allowance.allowed == DAILY_ATTEMPTS:
            message = _(
                "You have used today's attempt. Share your link: when a friend opens it, you get one more."
            )
        else:
            message = _("You have used both of today's attempts. Come back tomorrow.")
        raise _invalid(message, code="no_attempts_left")
    pool = list(Question.objects.drawable().filter(bank__quiz=quiz).values_list("pk", flat=True))
    if len(pool) < QUESTIONS_PER_ATTEMPT:
        raise _invalid(_("The question bank is not ready yet. Please try later."), code="bank_too_small")
    drawn = _random.sample(pool, QUESTIONS_PER_ATTEMPT)
    option_counts = dict(Question.objects.filter(pk__in=drawn).values_list("pk", "options"))
    allowance.started += 1
    allowance.save(update_fields=["started"])
    attempt = Attempt.objects.create(
        participant=participant,
        union_id=participant.union_id,
        day=day,
        month=ranking.month_start(day),
        number=allowance.started,
        started_at=now,
        deadline=now + dt.timedelta(seconds=quiz.attempt_seconds),
    )
    rows = []
    for position, pk in enumerate(drawn, start=1):
        order = list(range(len(option_counts[pk])))
        _random.shuffle(order)
        rows.append(AttemptQuestion(attempt=attempt, question_id=pk, position=position, order=order))
    bulk_create_with_history(rows, AttemptQuestion)
    return attempt


def _clean_answers(attempt: Attempt, drawn: list[AttemptQuestion], answers: dict) -> dict[int, list[int]]:
    """``{question id: [shown option indexes]}`` -> ``{question id: [bank option indexes]}``."""
    by_question = {d.question_id: d for d in drawn}
    cleaned: dict[int, list[int]] = {}
    for key, shown in (answers or {}).items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            raise _invalid(_("This question was not drawn for this attempt."), code="not_drawn") from None
        row = by_question.get(question_id)
        if row is None:
            raise _invalid(_("This question was not drawn for this attempt."), code="not_drawn")
        if isinstance(shown, int | str):
            shown = [shown]
        try:
            indexes = sorted({int(i) for i in shown or []})
        except (TypeError, ValueError):
            raise _invalid(_("Choose among the options shown."), code="bad_option") from None
        if any(not 0 <= i < len(row.order) for i in indexes):
            raise _invalid(_("Choose among the options shown."), code="bad_option")
        if row.question.kind == QuestionKind.SINGLE and len(indexes) > 1:
            raise _invalid(_("Choose one option for a single choice question."), code="bad_option")
        cleaned[question_id] = sorted(row.order[i] for i in indexes)
    return cleaned


#: The month's score in one statement: created or added to (``ON CONFLICT ... DO UPDATE``, which
#: locks the row, so two submits of one participant add up), with its history row, in one round trip
#: on PostgreSQL. The new ranking key is the submitted key minus the points held before (see
#: :func:`competitions.quiz.ranking.rank_key`); a submit without points keeps the key and the time.
_UPSERT = """
    INSERT INTO {score} AS s (quiz_id, participant_id, month, points, attempts, reached_at, rank_key)
    VALUES (%s, %s, %s, %s, 1, %s, %s)
    ON CONFLICT (participant_id, month) DO UPDATE SET
        attempts = s.attempts + 1,
        points = s.points + EXCLUDED.points,
        reached_at = CASE WHEN EXCLUDED.points > 0 THEN EXCLUDED.reached_at ELSE s.reached_at END,
        rank_key = CASE WHEN EXCLUDED.points > 0 THEN EXCLUDED.rank_key - s.points * {shift}
                        ELSE s.rank_key END
    RETURNING id, quiz_id, participant_id, month, points, attempts, reached_at, rank_key
"""
_HISTORY_COLUMNS = (
    "id, quiz_id, participant_id, month, points, attempts, reached_at, rank_key, "
    "history_date, history_change_reason, history_type, history_user_id"
)
_WITH_HISTORY = """
    WITH score AS ({upsert}), history AS (
        INSERT INTO {history} ({columns})
        SELECT id, quiz_id, participant_id, month, points, attempts, reached_at, rank_key,
               %s, NULL, CASE WHEN attempts = 1 THEN '+' ELSE '~' END, %s
        FROM score
    )
    SELECT points, rank_key FROM score
"""


def _add_to_month(attempt: Attempt, now: dt.datetime, by=None) -> tuple[int, int]:
    """Rule 4: the attempt's points to its month (the month of the day it started), in one statement
    with its history; the Redis set follows after commit. Returns the month's points and key."""
    participant = attempt.participant
    ops = connection.ops
    table = ops.quote_name(MonthScore._meta.db_table)
    history = ops.quote_name(MonthScore.history.model._meta.db_table)
    upsert = _UPSERT.format(score=table, shift=ranking.SHIFT)
    params = [
        participant.quiz_id,
        participant.pk,
        ops.adapt_datefield_value(attempt.month),
        attempt.score,
        ops.adapt_datetimefield_value(now),
        ranking.rank_key(points=attempt.score, reached_at=now, month=attempt.month),
    ]
    user_id = getattr(by, "pk", None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = _WITH_HISTORY.format(upsert=upsert, history=history, columns=_HISTORY_COLUMNS)
            cursor.execute(sql, [*params, ops.adapt_datetimefield_value(now), user_id])
            points, key = cursor.fetchone()
        else:  # SQLite has no INSERT in a WITH: the history row is a second statement
            cursor.execute(upsert, params)
            row = cursor.fetchone()
            points, key = row[4], row[7]
            cursor.execute(
                # table names from the models' meta, quoted; every value a parameter
                f"INSERT INTO {history} ({_HISTORY_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})",  # noqa: S608
                [*row, ops.adapt_datetimefield_value(now), None, "+" if row[5] == 1 else "~", user_id],
            )
    transaction.on_commit(lambda: ranking.redis_push(participant.quiz_id, attempt.month, participant.pk, key))
    return points, key


def _locked_own_attempt(attempt: Attempt, by) -> Attempt:
    """The attempt, locked, if ``by`` took it (else a 404), with its drawn questions (two queries)."""
    found = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("participant")
        .prefetch_related(drawn_questions())
        .filter(pk=attempt.pk, participant__user_id=getattr(by, "pk", None))
        .first()
    )
    if found is None:
        raise NotFoundError(_("Not found."))
    return found


@transaction.atomic
def attempt_submit(*, attempt: Attempt, by, answers: dict, now: dt.datetime | None = None) -> Attempt:
    """Score an attempt on the server, once. Late (past the deadline): expired, no points.

    Only ``attempt.pk`` is read: the attempt is loaded again, locked, with its drawn questions, which
    the result page and the API render from without another query. About 6 statements a submit:
    the lock, the drawn questions, their answers, the attempt and its history, the month's score."""
    now = _now(now)
    attempt = _locked_own_attempt(attempt, by)
    if attempt.state != AttemptState.OPEN:
        return attempt  # submitting twice scores once
    drawn = list(attempt.questions.all())
    chosen = _clean_answers(attempt, drawn, answers)
    attempt.submitted_at = now
    if now > attempt.deadline + dt.timedelta(seconds=SUBMIT_GRACE_SECONDS):
        attempt.state = AttemptState.EXPIRED
        attempt.save(update_fields=["state", "submitted_at"])
        _add_to_month(attempt, now, by)
        return attempt
    correct = 0
    for row in drawn:
        row.chosen = chosen.get(row.question_id)
        row.is_correct = row.chosen is not None and row.chosen == sorted(row.question.answer)
        correct += row.is_correct
    AttemptQuestion.objects.bulk_update(drawn, ["chosen", "is_correct"])
    attempt.state = AttemptState.SUBMITTED
    attempt.correct = correct
    attempt.score = correct * POINTS_PER_QUESTION
    attempt.save(update_fields=["state", "submitted_at", "correct", "score"])
    _add_to_month(attempt, now, by)
    return attempt


@transaction.atomic
def attempt_expire(*, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """Close an attempt nobody submitted before its deadline (a task; safe twice)."""
    now = _now(now)
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("participant").get(pk=attempt.pk)
    if attempt.state != AttemptState.OPEN or now <= attempt.deadline + dt.timedelta(
        seconds=SUBMIT_GRACE_SECONDS
    ):
        return attempt
    attempt.state = AttemptState.EXPIRED
    attempt.submitted_at = now
    attempt.save(update_fields=["state", "submitted_at"])
    _add_to_month(attempt, now)
    return attempt


def attempts_expire_overdue(*, now: dt.datetime | None = None) -> int:
    now = _now(now)
    cutoff = now - dt.timedelta(seconds=SUBMIT_GRACE_SECONDS)
    ids = list(
        Attempt.objects.filter(state=AttemptState.OPEN, deadline__lt=cutoff).values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        attempt = attempt_expire(attempt=Attempt(pk=pk), now=now)
        done += attempt.state == AttemptState.EXPIRED
    return done

"""Rules 2 to 4: the daily allowance, attempts drawn and scored once, points added to the month."""

from __future__ import annotations

import datetime as dt
import functools
import json

from django.db import connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from union_portal.core.errors import NotFoundError
from union_portal.core.frozen import FrozenQuery, prepared

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
    if participant.next_union_id and participant.next_union_from and day >= participant.next_union_from:
        from .joining import _apply_due_union

        participant = Participant.objects.select_for_update(of=("self",)).get(pk=participant.pk)
        _apply_due_union(participant, day)
    attempt = Attempt.objects.create(
        participant=participant,
        union_id=participant.union_id_on(day),
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
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise _invalid(
            _("Send the answers as {question: [options chosen]}."), field="answers", code="bad_answers"
        )
    by_question = {d.question_id: d for d in drawn}
    cleaned: dict[int, list[int]] = {}
    for key, shown in answers.items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            raise _invalid(_("This question was not drawn for this attempt."), code="not_drawn") from None
        row = by_question.get(question_id)
        if row is None:
            raise _invalid(_("This question was not drawn for this attempt."), code="not_drawn")
        if shown is None:
            shown = []  # unanswered
        elif isinstance(shown, int | str):
            shown = [shown]
        try:
            if not isinstance(shown, list | tuple) or any(isinstance(i, bool | float) for i in shown):
                raise TypeError  # true/false, 1.5 or a map is no option's index
            indexes = sorted({int(i) for i in shown})
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
#: ``{source}`` is ``VALUES (...)`` or, in the submit's statement, a ``SELECT`` from the closed attempt.
_UPSERT = """
    INSERT INTO {score} AS s (quiz_id, participant_id, month, points, attempts, reached_at, rank_key)
    {source}
    ON CONFLICT (participant_id, month) DO UPDATE SET
        attempts = s.attempts + 1,
        points = s.points + EXCLUDED.points,
        reached_at = CASE WHEN EXCLUDED.points > 0 THEN EXCLUDED.reached_at ELSE s.reached_at END,
        rank_key = CASE WHEN EXCLUDED.points > 0 THEN EXCLUDED.rank_key - s.points * {shift}
                        ELSE s.rank_key END
    RETURNING id, quiz_id, participant_id, month, points, attempts, reached_at, rank_key
"""
_VALUES = "VALUES (%s, %s, %s, %s, 1, %s, %s)"
_HISTORY_COLUMNS = (
    "id, quiz_id, participant_id, month, points, attempts, reached_at, rank_key, "
    "history_date, history_change_reason, history_type, history_user_id"
)
_SCORE_HISTORY = """
    score_history AS (
        INSERT INTO {history} ({columns})
        SELECT id, quiz_id, participant_id, month, points, attempts, reached_at, rank_key,
               %s, NULL, CASE WHEN attempts = 1 THEN '+' ELSE '~' END, %s
        FROM score
    )
"""


_WITH_SCORE = "WITH score AS ({upsert}), {history} SELECT points, rank_key FROM score"


def _score_params(attempt: Attempt, now: dt.datetime) -> list:
    ops = connection.ops
    return [
        attempt.participant.quiz_id,
        attempt.participant_id,
        ops.adapt_datefield_value(attempt.month),
        attempt.score,
        ops.adapt_datetimefield_value(now),
        ranking.rank_key(points=attempt.score, reached_at=now, month=attempt.month),
    ]


@functools.cache
def _history_table(model) -> str:
    """The table of a model's history rows. Cached: each read of ``Model.history`` builds a manager class
    (simple_history's descriptor), which cost the submit more than its SQL text."""
    return model.history.model._meta.db_table


def _score_sql(source: str) -> tuple[str, str]:
    """The month's score upsert and its history (as a ``WITH`` item), table names from the models."""
    ops = connection.ops
    upsert = _UPSERT.format(
        score=ops.quote_name(MonthScore._meta.db_table), shift=ranking.SHIFT, source=source
    )
    history = _SCORE_HISTORY.format(
        history=ops.quote_name(_history_table(MonthScore)), columns=_HISTORY_COLUMNS
    )
    return upsert, history


def _push_after_commit(attempt: Attempt, key: int) -> None:
    participant = attempt.participant
    transaction.on_commit(lambda: ranking.redis_push(participant.quiz_id, attempt.month, participant.pk, key))


def _add_to_month(attempt: Attempt, now: dt.datetime, by=None) -> tuple[int, int]:
    """Rule 4: the attempt's points to its month (the month of the day it started), in one statement
    with its history; the Redis set follows after commit. Returns the month's points and key."""
    ops = connection.ops
    upsert, history = _score_sql(_VALUES)
    params = _score_params(attempt, now)
    user_id = getattr(by, "pk", None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _WITH_SCORE.format(upsert=upsert, history=history),
                [*params, ops.adapt_datetimefield_value(now), user_id],
            )
            points, key = cursor.fetchone()
        else:  # SQLite has no INSERT in a WITH: the history row is a second statement
            cursor.execute(upsert, params)
            row = cursor.fetchone()
            points, key = row[4], row[7]
            table = ops.quote_name(_history_table(MonthScore))
            cursor.execute(
                # table names from the models' meta, quoted; every value a parameter
                f"INSERT INTO {table} ({_HISTORY_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})",  # noqa: S608
                [*row, ops.adapt_datetimefield_value(now), None, "+" if row[5] == 1 else "~", user_id],
            )
    _push_after_commit(attempt, key)
    return points, key


#: The parts of the submit's statement (table and column names from the models' meta, quoted).
_CLOSE_ATTEMPT = """attempt AS (
    UPDATE {attempt} SET state = %s, submitted_at = %s, correct = %s, score = %s
    WHERE id = %s AND state = %s RETURNING {columns})"""
_WRITE_ANSWERS = """answered AS (
    UPDATE {drawn} AS q SET chosen = answers.chosen, is_correct = answers.is_correct
    FROM answers, attempt WHERE q.id = answers.id AND q.attempt_id = attempt.id)"""
_ATTEMPT_HISTORY = """attempt_history AS (
    INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)
    SELECT {columns}, %s, NULL, '~', %s FROM attempt)"""


#: An attempt's drawn questions with the attempt, its participant and the questions, if the user took it;
#: compiled once per process (the submit's busiest statement: compiling it cost more than running it);
#: the rows share one attempt and one participant.
_OWN_DRAWN = FrozenQuery.sharing(
    lambda pk, user_id: (
        AttemptQuestion.objects.filter(attempt_id=pk, attempt__participant__user_id=user_id)
        .select_related("attempt__participant", "question")
        .order_by("position")
    ),
    pk=int,
    user_id=int,
)


def _own_attempt(pk: int, by) -> Attempt:
    """The attempt if ``by`` took it (else a 404), with its drawn questions and their questions, in one
    query. Not locked: nothing read here changes once the attempt is drawn but its state, which the
    write that closes it checks (:func:`_close`)."""
    user_id = getattr(by, "pk", None)
    rows = _OWN_DRAWN.all(pk=int(pk), user_id=user_id) if user_id is not None else []
    if not rows:
        raise NotFoundError(_("Not found."))
    attempt = rows[0].attempt  # every row's (FrozenQuery.sharing)
    drawn = attempt.questions.all()  # as prefetch_related leaves it: rendering reads nothing more
    drawn._result_cache = rows
    drawn._prefetch_done = True
    attempt._prefetched_objects_cache = {"questions": drawn}
    return attempt


@functools.cache
def _close_sql(answered: int) -> str:
    """The text of the submit's statement with ``answered`` answers (PostgreSQL), made once per process:
    table and column names from the models' meta, quoted; every value a parameter."""
    qn = connection.ops.quote_name
    names = {
        "attempt": qn(Attempt._meta.db_table),
        "drawn": qn(AttemptQuestion._meta.db_table),
        "history": qn(_history_table(Attempt)),
        "columns": ", ".join(qn(f.column) for f in Attempt._meta.concrete_fields),
    }
    parts = []
    if answered:
        values = ", ".join(["(%s::bigint, %s::jsonb, %s::boolean)"] * answered)
        parts.append(f"answers (id, chosen, is_correct) AS (VALUES {values})")
    parts.append(_CLOSE_ATTEMPT.format(**names))
    if answered:
        parts.append(_WRITE_ANSWERS.format(**names))
    parts.append(_ATTEMPT_HISTORY.format(**names))
    upsert, history = _score_sql("SELECT %s, %s, %s, %s, 1, %s, %s FROM attempt WHERE true")
    parts += [f"score AS ({upsert})", history]
    return "WITH " + ", ".join(parts) + " SELECT rank_key FROM score"  # noqa: S608 - names from meta


def _close_in_one_statement(attempt: Attempt, answered: list[AttemptQuestion], now: dt.datetime, by) -> bool:
    """PostgreSQL: close the attempt if it is still open, write its answers, its history and the month's
    score with its history, in one statement (data-modifying ``WITH``; every write reads the closed
    attempt, so when another submit or the expiry closed it first, nothing is written)."""
    params = []
    for row in answered:
        params += [row.pk, json.dumps(row.chosen), row.is_correct]
    submitted = connection.ops.adapt_datetimefield_value(now)
    user_id = getattr(by, "pk", None)
    params += [attempt.state, submitted, attempt.correct, attempt.score, attempt.pk, AttemptState.OPEN]
    params += [submitted, user_id, *_score_params(attempt, now), submitted, user_id]
    with connection.cursor() as cursor:
        sql = _close_sql(len(answered))
        cursor.execute(prepared(connection, cursor, sql), params)  # planned once per connection and shape
        row = cursor.fetchone()
    if row is None:
        return False
    _push_after_commit(attempt, row[0])
    return True


@transaction.atomic
def _close_step_by_step(attempt: Attempt, answered: list[AttemptQuestion], now: dt.datetime, by) -> bool:
    """Elsewhere (SQLite): the same writes one by one, the attempt closed only if still open."""
    closed = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.OPEN).update(
        state=attempt.state, submitted_at=now, correct=attempt.correct, score=attempt.score
    )
    if not closed:
        return False
    if answered:
        AttemptQuestion.objects.bulk_update(answered, ["chosen", "is_correct"])
    Attempt.history.bulk_history_create([attempt], update=True, default_user=by, default_date=now)
    _add_to_month(attempt, now, by)
    return True


def attempt_submit(*, attempt: Attempt, by, answers: dict, now: dt.datetime | None = None) -> Attempt:
    """Score an attempt on the server, once. Late (past the deadline): expired, no points.

    Only ``attempt.pk`` is read. Two statements on PostgreSQL: the caller's own attempt with its drawn
    questions (someone else's is a 404), then one that closes it if still open and writes the answers,
    its history and the month's score (:func:`_close_in_one_statement`). Submitting twice, or racing the
    expiry, scores once: the second finds the attempt closed and returns it as it stands. The result
    page and the API render from the questions already loaded."""
    now = _now(now)
    attempt = _own_attempt(attempt.pk, by)
    if attempt.state != AttemptState.OPEN:
        return attempt  # submitting twice scores once
    drawn = list(attempt.questions.all())
    chosen = _clean_answers(attempt, drawn, answers)
    attempt.submitted_at = now
    answered = []
    if now > attempt.deadline + dt.timedelta(seconds=SUBMIT_GRACE_SECONDS):
        attempt.state = AttemptState.EXPIRED  # no points; the answers are not kept
    else:
        for row in drawn:
            row.chosen = chosen.get(row.question_id)
            row.is_correct = row.chosen is not None and row.chosen == sorted(row.question.answer)
        answered = drawn
        attempt.state = AttemptState.SUBMITTED
        attempt.correct = sum(row.is_correct for row in drawn)
        attempt.score = attempt.correct * POINTS_PER_QUESTION
    close = _close_in_one_statement if connection.vendor == "postgresql" else _close_step_by_step
    if not close(attempt, answered, now, by):
        return _own_attempt(attempt.pk, by)  # closed meanwhile by another submit or the expiry
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

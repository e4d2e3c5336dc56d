"""What a submit costs the database: the page at peak is mostly submits (issue 13's benchmark)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.quiz import ranking, selectors, services
from competitions.quiz.models import Attempt, MonthScore

from .factories import make_player, right_answers


def test_a_submit_is_scored_in_a_fixed_number_of_statements_and_renders_without_more(tree, quiz):
    # given a player who already has points this month, and an open second attempt
    player = make_player(quiz, tree.union_a)
    first = services.attempt_start(participant=player, by=player.user)
    services.attempt_submit(attempt=first, by=player.user, answers=right_answers(first))
    services.share_open(token=services.share_token(player), by=make_player(quiz, tree.union_b).user)
    attempt = services.attempt_start(participant=player, by=player.user)
    answers = right_answers(attempt)
    # when it is submitted (only its id known, as the API knows it)
    with CaptureQueriesContext(connection) as queries:
        scored = services.attempt_submit(attempt=Attempt(pk=attempt.pk), by=player.user, answers=answers)
        shown = selectors.shown_questions(scored)
    # then on PostgreSQL two statements (each prepared once per connection: EXECUTE) and no transaction
    # of its own: the attempt with its drawn questions, then one that closes it if still open and
    # writes the answers, its history and the month's score with its history; elsewhere the same
    # writes one by one. Rendering reads nothing.
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        expected = ["EXECUTE", "EXECUTE"]
    else:
        expected = ["SELECT", "SAVEPOINT", "UPDATE", "UPDATE", "INSERT", "INSERT", "INSERT", "RELEASE"]
    assert statements == expected, [q["sql"][:120] for q in queries.captured_queries]
    assert [q.is_correct for q in shown] == [True] * 5
    # and the month holds both attempts, with its history
    score = MonthScore.objects.get(participant=player)
    assert (score.points, score.attempts) == (100, 2)
    assert score.reached_at == scored.submitted_at
    assert score.rank_key == ranking.rank_key(points=100, reached_at=score.reached_at, month=score.month)
    assert [(h.points, h.attempts, h.history_type) for h in score.history.order_by("history_id")] == [
        (50, 1, "+"),
        (100, 2, "~"),
    ]
    # the attempt's history holds the closed attempt, by its player; its answers are stored
    closed = scored.history.order_by("-history_id").first()
    assert (closed.state, closed.score, closed.history_type) == ("submitted", 50, "~")
    assert closed.history_user_id == player.user.pk
    assert closed.submitted_at == scored.submitted_at
    stored = [(q.chosen, q.is_correct) for q in attempt.questions.select_related("question")]
    assert stored == [(sorted(q.question.answer), True) for q in attempt.questions.select_related("question")]


def test_a_second_submit_writes_nothing(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    with CaptureQueriesContext(connection) as queries:
        again = services.attempt_submit(attempt=Attempt(pk=attempt.pk), by=player.user, answers={})
    read = "EXECUTE" if connection.vendor == "postgresql" else "SELECT"
    assert [q["sql"].split()[0] for q in queries.captured_queries] == [read]
    assert again.score == 50
    assert MonthScore.objects.get(participant=player).points == 50


def test_the_drawn_questions_share_one_attempt_and_participant_loaded_as_the_queryset_loads_them(tree, quiz):
    # given an open attempt of five drawn questions
    from competitions.quiz.models import AttemptQuestion
    from competitions.quiz.services.attempts import _OWN_DRAWN

    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    # when the frozen statement loads them (sharing the related rows) and the queryset it was built from
    rows = _OWN_DRAWN.all(pk=attempt.pk, user_id=player.user.pk)
    expected = list(
        AttemptQuestion.objects.filter(attempt_id=attempt.pk)
        .select_related("attempt__participant", "question")
        .order_by("position")
    )
    # then the same rows, fields and related rows, with one attempt and one participant for all five
    assert len(rows) == 5 and rows == expected
    assert len({id(r.attempt) for r in rows}) == 1 and len({id(r.attempt.participant) for r in rows}) == 1
    assert len({id(r.question) for r in rows}) == 5
    with CaptureQueriesContext(connection) as queries:
        for row, want in zip(rows, expected, strict=True):
            assert row.question == want.question and row.question.answer == want.question.answer
            assert row.attempt.deadline == want.attempt.deadline
            assert row.attempt.participant.user_id == player.user.pk
    assert queries.captured_queries == []
    # someone else's attempt: nothing
    assert _OWN_DRAWN.all(pk=attempt.pk, user_id=make_player(quiz, tree.union_b).user.pk) == []


def test_an_answer_is_written_on_its_page_even_when_other_attempts_filled_it(tree, quiz):
    """The drawn questions' pages keep room (migration 0005): the submit's five updates are HOT
    (no new index entries) though other attempts were drawn onto the page since."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's pages and HOT updates")
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    with connection.cursor() as cursor:
        # 600 rows of other attempts after this one's, enough to fill several pages. Their attempts and
        # questions do not exist (foreign keys are checked at commit): they are deleted at the end.
        cursor.execute(
            """INSERT INTO quiz_attemptquestion (attempt_id, question_id, position, "order", chosen, is_correct)
               SELECT -a, -p, p, '[0, 1, 2, 3]'::jsonb, NULL, false
               FROM generate_series(1, 120) a, generate_series(1, 5) p"""
        )
        cursor.execute("SELECT pg_stat_get_xact_tuples_hot_updated('quiz_attemptquestion'::regclass)")
        (before,) = cursor.fetchone()
        services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
        cursor.execute("SELECT pg_stat_get_xact_tuples_hot_updated('quiz_attemptquestion'::regclass)")
        (after,) = cursor.fetchone()
        cursor.execute("DELETE FROM quiz_attemptquestion WHERE attempt_id < 0")
    assert after - before == 5

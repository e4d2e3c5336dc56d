"""What a submit costs the database: the page at peak is mostly submits (issue 13's benchmark)."""

from __future__ import annotations

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
    # then: savepoint, lock, drawn questions, answers, attempt, its history, the month's score (with its
    # history in the same statement on PostgreSQL, a second one on SQLite), release; rendering reads nothing
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    expected = ["SAVEPOINT", "SELECT", "SELECT", "UPDATE", "UPDATE", "INSERT", "INSERT"]
    expected += ["RELEASE"] if connection.vendor == "postgresql" else ["INSERT", "RELEASE"]
    if connection.vendor == "postgresql":
        expected[6] = "WITH"
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

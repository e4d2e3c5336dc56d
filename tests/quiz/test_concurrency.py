"""The daily allowance when two phones start at the same instant, on PostgreSQL (real row locks).

Each test starts threads at a barrier; every thread has its own database connection and calls the
service the portal calls. SQLite serialises writers on the whole file, so it cannot show this.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from competitions.quiz import services
from competitions.quiz.models import Attempt, DailyAllowance, MonthScore
from union_portal.core.errors import ApplicationError

from ..accounts.factories import make_user
from .factories import make_player, right_answers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the test's assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_starts_at_the_same_instant_use_the_one_attempt_of_the_day_once(tree, quiz):
    player = make_player(quiz, tree.union_a)
    results = run_together(*[lambda: services.attempt_start(participant=player, by=player.user)] * 2)
    started = [r for r in results if isinstance(r, Attempt)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(started) == 1 and len(refused) == 1, results
    assert refused[0].code == "no_attempts_left"
    assert DailyAllowance.objects.get(participant=player).started == 1


def test_with_the_share_bonus_three_simultaneous_starts_make_two_attempts_never_three(tree, quiz):
    for _round in range(5):
        player = make_player(quiz, tree.union_a)
        services.share_open(token=services.share_token(player), by=make_user(None, None))
        results = run_together(*[lambda p=player: services.attempt_start(participant=p, by=p.user)] * 3)
        started = [r for r in results if isinstance(r, Attempt)]
        assert len(started) == 2, results
        assert sorted(a.number for a in started) == [1, 2]
        assert Attempt.objects.filter(participant=player).count() == 2


def test_a_share_and_a_start_at_the_same_instant(tree, quiz):
    player = make_player(quiz, tree.union_a)
    services.attempt_start(participant=player, by=player.user)
    openers = [make_user(None, None) for _ in range(3)]
    token = services.share_token(player)
    results = run_together(*[lambda u=u: services.share_open(token=token, by=u) for u in openers])
    assert sorted(outcome.granted for outcome in results) == [False, False, True], results
    second = services.attempt_start(participant=player, by=player.user)
    assert second.number == 2


def test_a_double_submit_from_two_phones_scores_once(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    answers = right_answers(attempt)
    results = run_together(
        *[lambda: services.attempt_submit(attempt=attempt, by=player.user, answers=answers)] * 4
    )
    assert all(isinstance(r, Attempt) and r.score == 50 for r in results), results
    score = MonthScore.objects.get(participant=player)
    assert (score.points, score.attempts) == (50, 1)


def test_the_database_refuses_a_third_attempt_even_without_the_service(tree, quiz):
    from django.db import IntegrityError, transaction

    player = make_player(quiz, tree.union_a)
    first = services.attempt_start(participant=player, by=player.user)
    for number in (1, 3):
        with pytest.raises(IntegrityError), transaction.atomic():
            Attempt.objects.create(
                participant=player, union=first.union, day=first.day, month=first.month, number=number,
                started_at=first.started_at, deadline=first.deadline,
            )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyAllowance.objects.filter(participant=player).update(started=2)


def test_one_opener_opening_many_links_at_once_grants_three_never_more(tree, quiz):
    sharers = [make_player(quiz, tree.union_a) for _ in range(5)]
    opener = make_user(None, None)
    results = run_together(
        *[lambda s=s: services.share_open(token=services.share_token(s), by=opener) for s in sharers]
    )
    assert sorted(o.reason for o in results) == ["granted"] * 3 + ["opener_limit"] * 2, results
    assert DailyAllowance.objects.filter(bonus_by=opener).count() == 3


def test_two_attempts_of_one_member_submitted_at_once_both_count(tree, quiz):
    player = make_player(quiz, tree.union_a)
    services.share_open(token=services.share_token(player), by=make_user(None, None))
    attempts = [services.attempt_start(participant=player, by=player.user) for _ in range(2)]
    answers = [right_answers(a) for a in attempts]
    results = run_together(
        *[
            lambda a=a, x=x: services.attempt_submit(attempt=a, by=player.user, answers=x)
            for a, x in zip(attempts, answers, strict=True)
        ]
    )
    assert all(isinstance(r, Attempt) and r.score == 50 for r in results), results
    score = MonthScore.objects.get(participant=player)
    assert (score.points, score.attempts) == (100, 2)
    assert score.history.count() == 2


def test_a_late_submit_racing_the_expiry_closes_the_attempt_once(tree, quiz):
    import datetime as dt

    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    late = attempt.deadline + dt.timedelta(minutes=1)
    answers = right_answers(attempt)
    results = run_together(
        lambda: services.attempt_submit(attempt=attempt, by=player.user, answers=answers, now=late),
        lambda: services.attempt_expire(attempt=attempt, now=late),
        lambda: services.attempt_submit(attempt=attempt, by=player.user, answers=answers, now=late),
    )
    assert all(isinstance(r, Attempt) and r.state == "expired" and r.score == 0 for r in results), results
    score = MonthScore.objects.get(participant=player)
    assert (score.points, score.attempts) == (0, 1)
    assert attempt.history.filter(state="expired").count() == 1

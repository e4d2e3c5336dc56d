"""Figures, the scheduled jobs, the timeline and the work queue of the quiz."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from competitions.quiz import services
from competitions.quiz.models import AttemptState, MonthState, QuizMonth
from competitions.quiz.queues import QUEUES
from competitions.quiz.timeline import member_events
from union_portal.core.figures import Period, figure

from .factories import make_player, right_answers, wrong_answers

SH = ZoneInfo("Asia/Shanghai")


def _play(player, now, right=True):
    attempt = services.attempt_start(participant=player, by=player.user, now=now)
    answers = right_answers(attempt) if right else wrong_answers(attempt)
    return services.attempt_submit(attempt=attempt, by=player.user, answers=answers, now=now)


def test_participation_and_average_score_per_union_and_month(tree, quiz, django_assert_num_queries):
    a1, a2, b1 = (
        make_player(quiz, tree.union_a),
        make_player(quiz, tree.union_a),
        make_player(quiz, tree.union_b),
    )
    _play(a1, dt.datetime(2026, 3, 2, 9, tzinfo=SH))
    _play(a1, dt.datetime(2026, 3, 3, 9, tzinfo=SH), right=False)
    _play(a2, dt.datetime(2026, 3, 3, 9, tzinfo=SH))
    _play(b1, dt.datetime(2026, 4, 3, 9, tzinfo=SH), right=False)
    services.attempt_start(
        participant=b1, by=b1.user, now=dt.datetime(2026, 4, 4, 9, tzinfo=SH)
    )  # still open
    march, spring = (
        Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        Period(dt.date(2026, 3, 1), dt.date(2026, 4, 30)),
    )
    with django_assert_num_queries(1):
        assert figure("quiz.participants").value(scope=tree.district, period=march) == 2
    assert figure("quiz.attempts").value(scope=tree.district, period=spring) == 4
    assert figure("quiz.average_score").value(scope=tree.district, period=march) == round(100 / 3, 1)
    with django_assert_num_queries(1):
        by_town = figure("quiz.participants").value_by_child(scope=tree.district, period=spring)
    assert by_town == {tree.town_a.path: 2, tree.town_b.path: 1}
    assert figure("quiz.average_score").value_by_child(scope=tree.district, period=spring) == {
        tree.town_a.path: round(100 / 3, 1),
        tree.town_b.path: 0.0,
    }
    assert figure("quiz.participants_by_month").value(scope=tree.district, period=spring) == {
        "2026-03": 2,
        "2026-04": 1,
    }
    assert figure("quiz.average_score_by_month").value(scope=tree.town_b, period=spring) == {
        "2026-03": None,
        "2026-04": 0.0,
    }


def test_the_monthly_job_draws_up_last_months_prize_list_once(tree, quiz, django_capture_on_commit_callbacks):
    player = make_player(quiz, tree.union_a)
    _play(player, dt.datetime(2026, 3, 20, 9, tzinfo=SH))
    assert services.months_close_due(now=dt.datetime(2026, 3, 31, 23, tzinfo=SH)) == 0  # February: nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert services.months_close_due(now=dt.datetime(2026, 4, 1, 1, 30, tzinfo=SH)) == 1
    assert services.months_close_due(now=dt.datetime(2026, 4, 2, 1, 30, tzinfo=SH)) == 0
    quiz_month = QuizMonth.objects.get(quiz=quiz, month=dt.date(2026, 3, 1))
    assert quiz_month.state == MonthState.CLOSED
    assert list(quiz_month.prizes.values_list("rank", "amount")) == [(1, 100)]


def test_the_expiry_job_is_a_task(tree, quiz):
    from competitions.quiz.tasks import expire_attempts

    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(
        participant=player, by=player.user, now=dt.datetime(2026, 3, 20, 9, tzinfo=SH)
    )
    assert expire_attempts.delay().get() == 1
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED


def test_the_timeline_shows_a_members_monthly_results_to_those_who_may_see_them(tree, people, quiz):
    player = make_player(quiz, tree.union_a)
    _play(player, dt.datetime(2026, 3, 20, 9, tzinfo=SH))
    events = member_events(member=player.member, viewer=people.town_a_staff)
    assert len(events) == 1 and "50" in str(events[0].title)
    assert member_events(member=player.member, viewer=people.town_b_staff) == []


def test_months_over_without_a_prize_list_wait_for_the_district(tree, people, quiz):
    services.quiz_month_ensure(quiz=quiz, month=dt.date(2026, 1, 1))
    (queue,) = QUEUES
    assert queue.count(people.district_staff) == 1
    assert queue.count(people.town_b_staff) == 0
    assert queue.url().startswith("/admin/quiz/quizmonth/")

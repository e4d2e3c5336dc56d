"""The published rules of the quiz, one by one, through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from competitions.quiz import ranking, selectors, services
from competitions.quiz.models import (
    Attempt,
    AttemptQuestion,
    AttemptState,
    MonthScore,
    Question,
    QuestionStatus,
)
from members.models import Member
from union_portal.accounts.roles import Role
from union_portal.core.errors import ApplicationError
from union_portal.notifications.models import Notification

from ..accounts.factories import make_user
from ..members.factories import make_member
from .factories import join, last_code, make_player, make_quiz, right_answers, wrong_answers

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def other_user():
    return make_user(Role.MEMBER, None)


# --- rule 1: joining ------------------------------------------------------------------------------------


def test_joining_confirms_the_mobile_by_code_and_defaults_to_the_membership_union(tree, quiz):
    user = make_user(Role.MEMBER, None)
    member = make_member(tree.union_a, user=user)
    mobile = services.join_code_send(quiz=quiz, by=user, mobile=member.mobile)
    with pytest.raises(ApplicationError) as wrong:
        services.participant_join(quiz=quiz, by=user, mobile=mobile, code="000000", union=member.union)
    assert wrong.value.code == "wrong_code"
    participant = services.participant_join(
        quiz=quiz, by=user, mobile=mobile, code=last_code(), union=member.union
    )
    assert participant.union == tree.union_a
    assert participant.mobile == member.mobile
    choices = services.union_choices(quiz=quiz, membership=member)
    assert choices[0] == tree.union_a
    assert {tree.town_a, tree.town_b} <= set(choices)


def test_a_member_may_play_for_a_local_federation_but_not_for_another_grassroots_union(tree, quiz):
    user = make_user(Role.MEMBER, None)
    member = make_member(tree.union_a, user=user)
    services.join_code_send(quiz=quiz, by=user, mobile=member.mobile)
    with pytest.raises(ApplicationError) as error:
        services.participant_join(
            quiz=quiz, by=user, mobile=member.mobile, code=last_code(), union=tree.union_b
        )
    assert error.value.field == "union"
    participant = join(quiz, user, union=tree.town_a)
    assert participant.union == tree.town_a


def test_only_active_members_take_the_quiz(tree, quiz):
    user = make_user(Role.MEMBER, None)
    make_member(tree.union_a, user=user, active=False)
    with pytest.raises(ApplicationError) as error:
        services.join_code_send(quiz=quiz, by=user, mobile="13800138000")
    assert error.value.code == "not_a_member"


# --- rule 2: five questions, shuffled options, ten points each ------------------------------------------


def test_an_attempt_draws_five_different_questions_with_options_shuffled(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    rows = list(attempt.questions.all())
    assert len(rows) == 5
    assert len({r.question_id for r in rows}) == 5
    for row in rows:
        assert sorted(row.order) == list(range(len(Question.objects.get(pk=row.question_id).options)))
    # over many attempts the options are not always in the bank's order
    orders = {tuple(r.order) for a in Attempt.objects.all() for r in a.questions.all()}
    for _ in range(5):
        extra = make_player(quiz, tree.union_a)
        orders |= {
            tuple(r.order) for r in services.attempt_start(participant=extra, by=extra.user).questions.all()
        }
    assert len(orders) > 1


def test_ten_points_per_right_answer_scored_on_the_server(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    answers = right_answers(attempt)
    wrong = wrong_answers(attempt)
    first_two = list(answers)[:2]
    mixed = {q: (answers[q] if q in first_two else wrong[q]) for q in answers}
    attempt = services.attempt_submit(attempt=attempt, by=player.user, answers=mixed)
    assert attempt.state == AttemptState.SUBMITTED
    assert (attempt.correct, attempt.score) == (2, 20)
    assert MonthScore.objects.get(participant=player).points == 20


def test_a_multiple_choice_question_needs_every_right_option(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    answers = right_answers(attempt)
    multiple = [r for r in attempt.questions.select_related("question") if r.question.kind == "multiple"]
    for row in multiple:
        answers[row.question_id] = answers[row.question_id][:1]  # one of the right options only
    attempt = services.attempt_submit(attempt=attempt, by=player.user, answers=answers)
    assert attempt.correct == 5 - len(multiple)


def test_the_right_answers_are_not_shown_before_submission(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    shown = selectors.shown_questions(attempt)
    assert not any(option.right for q in shown for option in q.options)
    assert all(q.is_correct is None and q.explanation == "" for q in shown)
    attempt = services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    shown = selectors.shown_questions(attempt)
    assert all(any(option.right for option in q.options) for q in shown)
    assert all(q.is_correct for q in shown)


# --- rule 3: one a day, one more for a share, at most two ----------------------------------------------


def test_one_attempt_a_day(tree, quiz):
    player = make_player(quiz, tree.union_a)
    services.attempt_start(participant=player, by=player.user, now=at(2026, 3, 10, 9))
    with pytest.raises(ApplicationError) as error:
        services.attempt_start(participant=player, by=player.user, now=at(2026, 3, 10, 21))
    assert error.value.code == "no_attempts_left"
    assert Attempt.objects.filter(participant=player).count() == 1


def test_the_day_is_the_shanghai_calendar_day(tree, quiz):
    player = make_player(quiz, tree.union_a)
    # 23:59 and 00:01 in Shanghai are two days, though both are 15:xx/16:xx on one UTC day
    first = services.attempt_start(participant=player, by=player.user, now=at(2026, 3, 10, 23, 59))
    second = services.attempt_start(participant=player, by=player.user, now=at(2026, 3, 11, 0, 1))
    assert (first.day, second.day) == (dt.date(2026, 3, 10), dt.date(2026, 3, 11))
    assert first.number == second.number == 1


def test_a_share_opened_by_someone_else_grants_a_second_attempt_and_no_third(
    tree, quiz, django_capture_on_commit_callbacks
):
    player = make_player(quiz, tree.union_a)
    now = at(2026, 3, 10, 9)
    services.attempt_start(participant=player, by=player.user, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        sharer, granted, _reason = services.share_open(
            token=services.share_token(player), by=other_user(), now=now
        )
    assert sharer == player and granted
    second = services.attempt_start(participant=player, by=player.user, now=now)
    assert second.number == 2
    with pytest.raises(ApplicationError) as error:
        services.attempt_start(participant=player, by=player.user, now=now)
    assert error.value.code == "no_attempts_left"
    assert (
        Notification.objects.filter(recipient=player.user, key__startswith="quiz.share_bonus:").count() == 1
    )


def test_opening_your_own_link_grants_nothing(tree, quiz):
    player = make_player(quiz, tree.union_a)
    now = at(2026, 3, 10, 9)
    _sharer, granted, _reason = services.share_open(
        token=services.share_token(player), by=player.user, now=now
    )
    assert not granted
    services.attempt_start(participant=player, by=player.user, now=now)
    with pytest.raises(ApplicationError):
        services.attempt_start(participant=player, by=player.user, now=now)


def test_a_second_share_the_same_day_grants_nothing_more_and_the_next_day_it_does(tree, quiz):
    player = make_player(quiz, tree.union_a)
    token = services.share_token(player)
    day1, day2 = at(2026, 3, 10, 9), at(2026, 3, 11, 9)
    assert services.share_open(token=token, by=other_user(), now=day1)[1] is True
    assert services.share_open(token=token, by=other_user(), now=day1)[1] is False
    for _ in range(2):
        services.attempt_start(participant=player, by=player.user, now=day1)
    with pytest.raises(ApplicationError):
        services.attempt_start(participant=player, by=player.user, now=day1)
    # the next day: one attempt, and the share of yesterday does not carry over
    services.attempt_start(participant=player, by=player.user, now=day2)
    with pytest.raises(ApplicationError):
        services.attempt_start(participant=player, by=player.user, now=day2)
    assert services.share_open(token=token, by=other_user(), now=day2)[1] is True
    assert services.attempt_start(participant=player, by=player.user, now=day2).number == 2


def test_a_forged_share_link_is_refused(tree, quiz):
    player = make_player(quiz, tree.union_a)
    token = services.share_token(player)
    with pytest.raises(ApplicationError) as error:
        services.share_open(token=token[:-2] + "xx", by=other_user())
    assert error.value.status_code == 404


def test_at_most_100_points_a_day(tree, quiz):
    player = make_player(quiz, tree.union_a)
    now = at(2026, 3, 10, 9)
    services.share_open(token=services.share_token(player), by=other_user(), now=now)
    for _ in range(2):
        attempt = services.attempt_start(participant=player, by=player.user, now=now)
        services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt), now=now)
    assert MonthScore.objects.get(participant=player).points == 100


# --- time limit, double submit, questions not drawn ------------------------------------------------


def test_an_attempt_submitted_after_the_time_limit_scores_nothing(tree, quiz):
    player = make_player(quiz, tree.union_a)
    start = at(2026, 3, 10, 9)
    attempt = services.attempt_start(participant=player, by=player.user, now=start)
    late = start + dt.timedelta(seconds=quiz.attempt_seconds + services.SUBMIT_GRACE_SECONDS + 1)
    attempt = services.attempt_submit(
        attempt=attempt, by=player.user, answers=right_answers(attempt), now=late
    )
    assert attempt.state == AttemptState.EXPIRED
    assert attempt.score == 0
    assert MonthScore.objects.get(participant=player).points == 0


def test_an_attempt_submitted_just_in_time_is_scored(tree, quiz):
    player = make_player(quiz, tree.union_a)
    start = at(2026, 3, 10, 9)
    attempt = services.attempt_start(participant=player, by=player.user, now=start)
    in_time = start + dt.timedelta(seconds=quiz.attempt_seconds)
    attempt = services.attempt_submit(
        attempt=attempt, by=player.user, answers=right_answers(attempt), now=in_time
    )
    assert attempt.score == 50


def test_open_attempts_past_their_deadline_are_expired_by_the_task(tree, quiz):
    player = make_player(quiz, tree.union_a)
    start = at(2026, 3, 10, 9)
    attempt = services.attempt_start(participant=player, by=player.user, now=start)
    assert services.attempts_expire_overdue(now=start + dt.timedelta(seconds=60)) == 0
    assert services.attempts_expire_overdue(now=start + dt.timedelta(hours=1)) == 1
    assert services.attempts_expire_overdue(now=start + dt.timedelta(hours=2)) == 0
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED
    assert MonthScore.objects.get(participant=player).attempts == 1


def test_submitting_twice_scores_once(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    answers = right_answers(attempt)
    services.attempt_submit(attempt=attempt, by=player.user, answers=answers)
    again = services.attempt_submit(attempt=attempt, by=player.user, answers={})
    assert again.score == 50
    score = MonthScore.objects.get(participant=player)
    assert (score.points, score.attempts) == (50, 1)


def test_answering_a_question_not_drawn_is_refused(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    drawn = set(attempt.questions.values_list("question_id", flat=True))
    other = Question.objects.exclude(pk__in=drawn).first()
    answers = right_answers(attempt)
    answers[other.pk] = [0]
    with pytest.raises(ApplicationError) as error:
        services.attempt_submit(attempt=attempt, by=player.user, answers=answers)
    assert error.value.code == "not_drawn"
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.OPEN


def test_an_option_that_was_not_shown_is_refused(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    first = attempt.questions.first()
    with pytest.raises(ApplicationError) as error:
        services.attempt_submit(attempt=attempt, by=player.user, answers={first.question_id: [9]})
    assert error.value.code == "bad_option"


def test_someone_else_cannot_start_or_submit_an_attempt(tree, quiz):
    player = make_player(quiz, tree.union_a)
    intruder = make_player(quiz, tree.union_a)
    with pytest.raises(ApplicationError) as error:
        services.attempt_start(participant=player, by=intruder.user)
    assert error.value.status_code == 404
    attempt = services.attempt_start(participant=player, by=player.user)
    with pytest.raises(ApplicationError):
        services.attempt_submit(attempt=attempt, by=intruder.user, answers=right_answers(attempt))


# --- the bank -------------------------------------------------------------------------------------------


def test_a_retired_question_is_not_drawn_and_past_attempts_keep_it(tree, people, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    drawn = list(attempt.questions.values_list("question_id", flat=True))
    for question in Question.objects.filter(pk__in=drawn[:3]):
        services.question_retire(question=question, by=people.district_staff)
    assert Question.objects.drawable().count() == 5
    assert Question.objects.filter(status=QuestionStatus.RETIRED).count() == 3
    assert [q.question_id for q in selectors.shown_questions(attempt)] == drawn
    with pytest.raises(ApplicationError) as error:
        services.question_update(
            question=Question.objects.get(pk=drawn[0]), by=people.district_staff,
            data={"topic": "safety", "kind": "single", "text": "改过的题目", "options": ["甲", "乙"], "answer": [1]},
        )  # fmt: skip
    assert error.value.code == "drawn"


def test_a_bank_too_small_to_draw_five_is_refused(tree, people):
    quiz = make_quiz(tree.district)
    player = make_player(quiz, tree.union_a)
    with pytest.raises(ApplicationError) as error:
        services.attempt_start(participant=player, by=player.user)
    assert error.value.code == "bank_too_small"
    assert not Attempt.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "single", "options": ["甲"], "answer": [0]}, "options"),
        ({"kind": "single", "options": ["甲", "甲"], "answer": [0]}, "options"),
        ({"kind": "single", "options": ["甲", "乙", "丙"], "answer": [0, 1]}, "answer"),
        ({"kind": "multiple", "options": ["甲", "乙", "丙"], "answer": [2]}, "answer"),
        ({"kind": "single", "options": ["甲", "乙"], "answer": [5]}, "answer"),
    ],
)
def test_a_question_is_checked(data, field):
    with pytest.raises(ApplicationError) as error:
        services.clean_question({"topic": "union", "text": "题目", **data})
    assert error.value.field == field


# --- rule 4: months -----------------------------------------------------------------------------------


def _play(player, now, right=True):
    attempt = services.attempt_start(participant=player, by=player.user, now=now)
    answers = right_answers(attempt) if right else wrong_answers(attempt)
    return services.attempt_submit(attempt=attempt, by=player.user, answers=answers, now=now)


def test_points_add_up_over_the_month_and_start_again_at_midnight_shanghai_on_the_first(tree, quiz):
    player = make_player(quiz, tree.union_a)
    _play(player, at(2026, 3, 30, 20))
    _play(player, at(2026, 3, 31, 23, 59, 30))
    _play(player, at(2026, 4, 1, 0, 0, 30))  # 16:00 UTC on 31 March
    march = ranking.board(quiz_id=quiz.pk, month=dt.date(2026, 3, 1), participant_id=player.pk)
    april = ranking.board(quiz_id=quiz.pk, month=dt.date(2026, 4, 1), participant_id=player.pk)
    assert march.mine.points == 100
    assert april.mine.points == 50
    assert [s.points for s in april.top] == [50]


def test_ties_go_to_whoever_reached_the_score_first(tree, quiz):
    early, late, more = (make_player(quiz, tree.union_a) for _ in range(3))
    _play(late, at(2026, 3, 10, 9, 30))
    _play(early, at(2026, 3, 10, 9, 0))
    _play(more, at(2026, 3, 10, 10, 0))
    services.share_open(token=services.share_token(more), by=other_user(), now=at(2026, 3, 10, 10))
    _play(more, at(2026, 3, 10, 10, 5))
    board = ranking.board(quiz_id=quiz.pk, month=dt.date(2026, 3, 1), participant_id=late.pk)
    assert [s.participant_id for s in board.top] == [more.pk, early.pk, late.pk]
    assert [s.points for s in board.top] == [100, 50, 50]
    assert board.mine.rank == 3


def test_a_member_sees_their_own_rank_outside_the_top(tree, quiz):
    players = [make_player(quiz, tree.union_a) for _ in range(4)]
    for i, player in enumerate(players):
        _play(player, at(2026, 3, 10, 9, i), right=i < 3)
    rows, mine, _source = selectors.leaderboard(
        quiz=quiz, month=dt.date(2026, 3, 1), participant=players[3], n=2
    )
    assert [r.rank for r in rows] == [1, 2]
    assert mine.rank == 4 and mine.points == 0
    assert rows[0].name.endswith("*") or "*" in rows[0].name  # masked


# --- rule 5: prizes -------------------------------------------------------------------------------------


def test_the_top_100_of_a_month_win_phone_credit_by_tier_and_are_told(
    tree, people, quiz, django_capture_on_commit_callbacks
):
    players = [make_player(quiz, tree.union_a) for _ in range(3)]
    for i, player in enumerate(players):
        _play(player, at(2026, 3, 10, 9, i), right=i != 2)
    quiz_month = services.quiz_month_ensure(quiz=quiz, month=dt.date(2026, 3, 1))
    with pytest.raises(ApplicationError) as error:
        services.month_close(quiz_month=quiz_month, by=people.district_staff, now=at(2026, 3, 31, 23))
    assert error.value.code == "month_not_over"
    with django_capture_on_commit_callbacks(execute=True):
        services.month_close(quiz_month=quiz_month, by=people.district_staff, now=at(2026, 4, 1, 8))
    prizes = list(quiz_month.prizes.order_by("rank").values_list("rank", "participant_id", "amount"))
    assert [(r, p) for r, p, _a in prizes] == [(1, players[0].pk), (2, players[1].pk)]  # 0 points win nothing
    assert all(a == 100 for _r, _p, a in prizes)
    assert Notification.objects.filter(key__startswith="quiz.prize:").count() == 2
    rows = services.prize_list_rows(quiz_month=quiz_month, viewer=people.district_staff)
    assert len(rows) == 3 and rows[1][2] == players[0].mobile
    # closing again changes nothing
    services.month_close(quiz_month=quiz_month, by=people.district_staff, now=at(2026, 4, 2, 8))
    assert quiz_month.prizes.count() == 2


def test_town_staff_may_not_close_a_month(tree, people, quiz):
    quiz_month = services.quiz_month_ensure(quiz=quiz, month=dt.date(2026, 3, 1))
    with pytest.raises(ApplicationError) as error:
        services.month_close(quiz_month=quiz_month, by=people.town_a_staff, now=at(2026, 4, 1, 8))
    assert error.value.status_code == 403


# --- scoping ------------------------------------------------------------------------------------------


def test_staff_see_the_participants_and_attempts_of_their_own_town(tree, people, quiz):
    a = make_player(quiz, tree.union_a)
    b = make_player(quiz, tree.union_b)
    for player in (a, b):
        services.attempt_start(participant=player, by=player.user)
    from competitions.quiz.models import Participant

    assert set(Participant.objects.visible_to(people.town_a_staff)) == {a}
    assert set(Attempt.objects.visible_to(people.town_a_staff).values_list("participant", flat=True)) == {
        a.pk
    }
    assert set(Participant.objects.visible_to(people.district_staff)) == {a, b}
    assert set(Participant.objects.visible_to(a.user)) == {a}
    assert Member.objects.count() >= 2
    assert AttemptQuestion.objects.count() == 10

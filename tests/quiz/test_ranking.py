"""The leaderboard from Redis and from the database give the same ranking, ties included, and the
Redis set is rebuilt from the database when Redis loses it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from competitions.quiz import ranking, services
from competitions.quiz.models import MonthScore

from ..accounts.factories import make_user
from .factories import make_player, right_answers, wrong_answers

SH = ZoneInfo("Asia/Shanghai")
MONTH = dt.date(2026, 3, 1)
REDIS_TEST_URL = "redis://127.0.0.1:6379/6"


def _redis_or_skip(settings):
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = REDIS_TEST_URL
    settings.QUIZ_LEADERBOARD_REDIS = True
    return client


@pytest.fixture
def redis_board(settings, quiz):
    client = _redis_or_skip(settings)
    keys = client.keys(f"quiz:board:{quiz.pk}:*")
    if keys:
        client.delete(*keys)
    yield client
    keys = client.keys(f"quiz:board:{quiz.pk}:*")
    if keys:
        client.delete(*keys)


def _play(player, now, right):
    attempt = services.attempt_start(participant=player, by=player.user, now=now)
    answers = right_answers(attempt) if right else wrong_answers(attempt)
    return services.attempt_submit(attempt=attempt, by=player.user, answers=answers, now=now)


def _season(tree, quiz):
    """Nine players: three pairs reach equal points at the same moment (ties broken by id), others
    reach equal points at different moments, one has no points."""
    players = [make_player(quiz, tree.union_a if i % 2 else tree.union_b) for i in range(9)]
    same = dt.datetime(2026, 3, 5, 20, 0, tzinfo=SH)
    for i, player in enumerate(players):
        when = same if i < 4 else dt.datetime(2026, 3, 5, 8, 9 - i, tzinfo=SH)
        _play(player, when, right=i != 8)
    helper = make_user(None, None)
    services.share_open(
        token=services.share_token(players[6]), by=helper, now=dt.datetime(2026, 3, 6, 9, tzinfo=SH)
    )
    _play(players[6], dt.datetime(2026, 3, 6, 9, 1, tzinfo=SH), right=True)
    return players


def test_redis_and_the_database_give_the_same_ranking_with_ties(
    tree, quiz, redis_board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        players = _season(tree, quiz)
    db = ranking.db_top(quiz.pk, MONTH)
    board = ranking.board(quiz_id=quiz.pk, month=MONTH)
    assert board.source == "redis"
    assert board.top == db
    assert [s.points for s in db] == [100, 50, 50, 50, 50, 50, 50, 50, 0]
    tied = [s.participant_id for s in db if s.participant_id in {p.pk for p in players[:4]}]
    assert tied == sorted(tied)  # same points at the same moment: by id, in both
    for player in players:
        mine_db = ranking.db_standing(quiz.pk, MONTH, player.pk)
        mine_redis = ranking.board(quiz_id=quiz.pk, month=MONTH, participant_id=player.pk).mine
        assert mine_db == mine_redis


def test_the_redis_set_is_rebuilt_from_the_database_when_lost(
    tree, quiz, redis_board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _season(tree, quiz)
    expected = ranking.db_top(quiz.pk, MONTH)
    redis_board.flushdb()  # Redis restarted empty
    board = ranking.board(quiz_id=quiz.pk, month=MONTH)
    assert board.source == "redis"
    assert board.top == expected
    assert (
        redis_board.zcard(ranking.board_key(quiz.pk, MONTH)) == MonthScore.objects.filter(quiz=quiz).count()
    )


def test_a_stale_push_never_lowers_a_score(tree, quiz, redis_board):
    player = make_player(quiz, tree.union_a)
    late = ranking.rank_key(points=50, reached_at=dt.datetime(2026, 3, 5, 9, tzinfo=SH), month=MONTH)
    early = ranking.rank_key(points=0, reached_at=dt.datetime(2026, 3, 5, 8, tzinfo=SH), month=MONTH)
    ranking.redis_push(quiz.pk, MONTH, player.pk, late)
    ranking.redis_push(quiz.pk, MONTH, player.pk, early)  # arrives after, from an older commit
    redis_board.set(f"{ranking.board_key(quiz.pk, MONTH)}:ready", "1")
    assert ranking.board(quiz_id=quiz.pk, month=MONTH, participant_id=player.pk).mine.points == 50


def test_without_redis_the_database_answers(tree, quiz, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    player = make_player(quiz, tree.union_a)
    _play(player, dt.datetime(2026, 3, 5, 9, tzinfo=SH), right=True)
    board = ranking.board(quiz_id=quiz.pk, month=MONTH, participant_id=player.pk)
    assert board.source == "database"
    assert board.mine.points == 50


def test_the_ranking_key_orders_points_then_time():
    noon = dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=SH)
    first = dt.datetime(2026, 3, 1, 0, 0, 1, tzinfo=SH)
    assert ranking.rank_key(points=60, reached_at=noon, month=MONTH) < ranking.rank_key(
        points=50, reached_at=first, month=MONTH
    )
    assert ranking.rank_key(points=50, reached_at=first, month=MONTH) < ranking.rank_key(
        points=50, reached_at=noon, month=MONTH
    )
    assert ranking.points_of(ranking.rank_key(points=3100, reached_at=noon, month=MONTH)) == 3100
    assert ranking.points_of(float(ranking.rank_key(points=3100, reached_at=noon, month=MONTH))) == 3100

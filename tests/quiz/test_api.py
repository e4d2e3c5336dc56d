"""The quiz API: start and submit an attempt, the public leaderboard, participation figures."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from competitions.quiz import services
from competitions.quiz.models import Attempt

from .factories import make_player, right_answers


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_start_and_submit_through_the_api(tree, quiz):
    player = make_player(quiz, tree.union_a)
    client = _client(player.user)
    response = client.post("/api/v1/quiz/attempts/start/", {"quiz": quiz.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["questions"]) == 5
    assert not any(o["right"] for q in body["questions"] for o in q["options"])
    raw = json.dumps(body)
    attempt = Attempt.objects.get(pk=body["id"])
    for row in attempt.questions.select_related("question"):
        assert row.question.explanation == "" or row.question.explanation not in raw
    answers = {str(k): v for k, v in right_answers(attempt).items()}
    response = client.post(f"/api/v1/quiz/attempts/{attempt.pk}/submit/", {"answers": answers}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["score"] == 50
    assert all(any(o["right"] for o in q["options"]) for q in response.json()["questions"])
    # again: no attempt left
    response = client.post("/api/v1/quiz/attempts/start/", {"quiz": quiz.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "no_attempts_left"


def test_a_question_not_drawn_is_refused_by_the_api(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    response = _client(player.user).post(
        f"/api/v1/quiz/attempts/{attempt.pk}/submit/", {"answers": {"999999": [0]}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_drawn"


def test_the_leaderboard_is_public_and_masked(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    body = _client().get(f"/api/v1/quiz/{quiz.pk}/leaderboard/").json()
    assert body["rows"] == [{"rank": 1, "name": player.masked_name, "union": tree.union_a.name, "points": 50}]
    assert body["mine"] is None
    assert _client(player.user).get(f"/api/v1/quiz/{quiz.pk}/leaderboard/").json()["mine"] == {
        "rank": 1,
        "points": 50,
    }


def test_participation_is_scoped(tree, people, quiz):
    for union in (tree.union_a, tree.union_a, tree.union_b):
        player = make_player(quiz, union)
        attempt = services.attempt_start(participant=player, by=player.user)
        services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    district = _client(people.district_staff).get("/api/v1/quiz/participation/", {"quiz": quiz.pk}).json()
    assert {r["name"]: r["participants"] for r in district["rows"]} == {
        tree.town_a.name: 2,
        tree.town_b.name: 1,
    }
    town_a = _client(people.town_a_staff).get("/api/v1/quiz/participation/", {"quiz": quiz.pk}).json()
    assert [r["participants"] for r in town_a["rows"]] == [2]
    response = _client(people.town_a_staff).get(
        "/api/v1/quiz/participation/", {"quiz": quiz.pk, "organisation": tree.town_b.pk}
    )
    assert response.status_code == 404
    assert (
        _client(people.member_user).get("/api/v1/quiz/participation/", {"quiz": quiz.pk}).status_code == 403
    )


def test_the_attempt_list_costs_the_same_queries(tree, people, quiz):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(people.district_staff)

    def queries_at(rows: int) -> int:
        while Attempt.objects.count() < rows:
            player = make_player(quiz, tree.union_a)
            services.attempt_start(participant=player, by=player.user)
        client.get("/api/v1/quiz/attempts/")  # warm the session and permission caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/quiz/attempts/")
        assert response.json()["count"] == rows
        return len(captured.captured_queries)

    assert queries_at(2) == queries_at(10)


def test_the_leaderboard_has_its_own_throttle_above_the_anonymous_rate(tree, quiz, settings):
    # the anonymous API rate is 120 an hour per address; the leaderboard's own rate is what counts
    settings.QUIZ_LEADERBOARD_API_RATE = "130/minute"
    client = _client()
    url = f"/api/v1/quiz/{quiz.pk}/leaderboard/"
    statuses = {client.get(url, REMOTE_ADDR="10.0.0.1").status_code for _ in range(130)}
    assert statuses == {200}
    # past its own rate, the address is refused; another address is not
    response = client.get(url, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_signed_in_caller_is_throttled_on_their_own_not_with_their_address(tree, quiz, settings):
    settings.QUIZ_LEADERBOARD_API_RATE = "2/minute"
    url = f"/api/v1/quiz/{quiz.pk}/leaderboard/"
    first, second = make_player(quiz, tree.union_a), make_player(quiz, tree.union_b)
    for _ in range(2):
        assert _client(first.user).get(url, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert _client(first.user).get(url, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert _client(second.user).get(url, REMOTE_ADDR="10.0.0.1").status_code == 200


def test_the_public_top_is_cached_briefly_and_my_own_standing_is_not(tree, quiz, settings):
    settings.QUIZ_LEADERBOARD_CACHE_SECONDS = 30
    url = f"/api/v1/quiz/{quiz.pk}/leaderboard/"
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    assert [r["points"] for r in _client().get(url).json()["rows"]] == [50]
    # a second attempt (after a share) adds 50 points
    services.share_open(token=services.share_token(player), by=make_player(quiz, tree.union_b).user)
    attempt = services.attempt_start(participant=player, by=player.user)
    services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    with CaptureQueriesContext(connection) as queries:
        body = _client().get(url).json()
    # the top comes from the cache: no score is read
    assert [r["points"] for r in body["rows"]] == [50]
    assert not [q for q in queries.captured_queries if "quiz_monthscore" in q["sql"]]
    # the caller's own standing is read each time
    assert _client(player.user).get(url).json()["mine"] == {"rank": 1, "points": 100}
    # with the cache off, the top is current
    settings.QUIZ_LEADERBOARD_CACHE_SECONDS = 0
    assert [r["points"] for r in _client().get(url).json()["rows"]] == [100]


def test_the_submit_response_is_what_the_attempt_serializer_renders(tree, quiz):
    from competitions.quiz.api import AttemptDetailSerializer, attempt_detail

    player = make_player(quiz, tree.union_a)
    client = _client(player.user)
    opened = services.attempt_start(participant=player, by=player.user)
    assert attempt_detail(opened) == AttemptDetailSerializer(opened).data
    answers = {str(k): v for k, v in right_answers(opened).items()}
    body = client.post(
        f"/api/v1/quiz/attempts/{opened.pk}/submit/", {"answers": answers}, format="json"
    ).json()
    closed = Attempt.objects.select_related("participant").get(pk=opened.pk)
    assert body == json.loads(json.dumps(AttemptDetailSerializer(closed).data))
    assert body["score"] == 50 and body["submitted_at"] is not None


def _single_choice(attempt):
    return next(r for r in attempt.questions.select_related("question") if r.question.kind == "single")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ([1, 2], "non_field_errors", "invalid"),  # not an object
        ({}, "answers", "required"),
        ({"answers": "A"}, "answers", "bad_answers"),
        ({"answers": [[0]]}, "answers", "bad_answers"),
        ({"answers": {"{q}": True}}, None, "bad_option"),
        ({"answers": {"{q}": [0.5]}}, None, "bad_option"),
        ({"answers": {"{q}": {"0": 1}}}, None, "bad_option"),
        ({"answers": {"{q}": [-1]}}, None, "bad_option"),
        ({"answers": {"{q}": ["甲"]}}, None, "bad_option"),
        ({"answers": {"{q}": [0, 1]}}, None, "bad_option"),  # two for a single choice
        ({"answers": {"abc": [0]}}, None, "not_drawn"),
    ],
)
def test_a_malformed_submit_is_a_400_and_the_attempt_stays_open(tree, quiz, body, field, code):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    single = _single_choice(attempt)
    if isinstance(body, dict) and isinstance(body.get("answers"), dict):
        body = {"answers": {k.replace("{q}", str(single.question_id)): v for k, v in body["answers"].items()}}
    response = _client(player.user).post(f"/api/v1/quiz/attempts/{attempt.pk}/submit/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["code"] == code
    if field:
        assert error["attr"] == field
    attempt.refresh_from_db()
    assert attempt.state == "open" and attempt.score == 0


def test_an_unanswered_question_may_be_sent_as_null(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    answers = {str(k): v for k, v in right_answers(attempt).items()}
    answers[str(_single_choice(attempt).question_id)] = None
    response = _client(player.user).post(
        f"/api/v1/quiz/attempts/{attempt.pk}/submit/", {"answers": answers}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["score"] == 40

"""The quiz on the phone: join, attempt, result, leaderboard, history, share link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from competitions.quiz import services
from competitions.quiz.models import Attempt, AttemptState, Participant

from ..accounts.factories import make_user
from ..members.factories import make_member
from .factories import last_code, make_player, right_answers


@pytest.fixture
def member(tree):
    user = make_user("member", None)
    make_member(tree.union_a, user=user)
    return user


def test_a_member_joins_takes_an_attempt_and_sees_their_rank(client, quiz, member, tree):
    client.force_login(member)
    home = reverse("quiz:home", args=[quiz.pk])
    assert client.get(reverse("quiz:index")).url == home
    page = client.get(home)
    assert "Join the quiz" in page.content.decode()
    mobile = page.context["form"].initial["mobile"]
    client.post(reverse("quiz:send_code", args=[quiz.pk]), {"mobile": mobile})
    response = client.post(home, {"mobile": mobile, "code": last_code(), "union": tree.union_a.pk})
    assert response.status_code == 302
    assert Participant.objects.filter(user=member, union=tree.union_a).exists()
    # start
    response = client.post(reverse("quiz:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(participant__user=member)
    assert response.url == reverse("quiz:attempt", args=[attempt.pk])
    page = client.get(response.url)
    body = page.content.decode()
    assert "right answer" not in body
    for row in attempt.questions.select_related("question"):
        assert row.question.text in body
    # submit the right answers through the form
    data = {f"q{q}": v if len(v) > 1 else v[0] for q, v in right_answers(attempt).items()}
    response = client.post(response.url, data)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.score == 50
    result = client.get(response.url).content.decode()
    assert "right answer" in result and ">50<" in result
    board = client.get(reverse("quiz:board", args=[quiz.pk])).content.decode()
    assert re.search(r'class="my-rank">1<', board)
    history = client.get(reverse("quiz:history", args=[quiz.pk])).content.decode()
    assert reverse("quiz:attempt", args=[attempt.pk]) in history
    # no second attempt today
    client.post(reverse("quiz:start", args=[quiz.pk]))
    assert Attempt.objects.filter(participant__user=member).count() == 1


def test_someone_elses_attempt_is_a_404(client, quiz, tree):
    owner = make_player(quiz, tree.union_a)
    other = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=owner, by=owner.user)
    client.force_login(other.user)
    assert client.get(reverse("quiz:attempt", args=[attempt.pk])).status_code == 404


def test_opening_a_share_link_grants_the_sharer_an_attempt(client, quiz, tree):
    sharer = make_player(quiz, tree.union_a)
    url = reverse("quiz:share", args=[services.share_token(sharer)])
    assert client.get(url).status_code == 302  # log in first
    client.force_login(make_user("member", None))
    assert "one more attempt today" in client.get(url).content.decode()
    assert services.allowance_of(participant=sharer).allowed == 2
    client.force_login(sharer.user)
    assert "your own link" in client.get(url).content.decode()


def test_the_leaderboard_is_public_with_masked_names(client, quiz, tree):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    body = client.get(reverse("quiz:board", args=[quiz.pk])).content.decode()
    assert player.masked_name in body
    assert player.name not in body


@pytest.mark.parametrize("rows", [2, 10])
@pytest.mark.parametrize(("cache_seconds", "queries"), [(0, 12), (10, 10)])
def test_the_leaderboard_costs_the_same_queries_at_2_and_10_rows(
    client, quiz, tree, rows, cache_seconds, queries, settings, django_assert_num_queries
):
    settings.QUIZ_LEADERBOARD_CACHE_SECONDS = cache_seconds  # cached: the top's two reads are skipped
    for _ in range(rows):
        player = make_player(quiz, tree.union_a)
        attempt = services.attempt_start(participant=player, by=player.user)
        services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt))
    client.force_login(player.user)
    url = reverse("quiz:board", args=[quiz.pk])
    client.get(url)
    with django_assert_num_queries(queries):
        client.get(url)


def _board_rows(response) -> int:
    found = re.search(r'<ol class="list board">(.*?)</ol>', response.content.decode(), re.S)
    return found[1].count("<li") if found else 0


def test_the_top_is_cached_briefly_my_rank_and_my_row_are_not(client, quiz, tree, settings):
    settings.QUIZ_LEADERBOARD_CACHE_SECONDS = 30
    url = reverse("quiz:board", args=[quiz.pk])
    first, second = make_player(quiz, tree.union_a), make_player(quiz, tree.union_b)
    attempt = services.attempt_start(participant=first, by=first.user)
    services.attempt_submit(attempt=attempt, by=first.user, answers=right_answers(attempt))
    assert _board_rows(client.get(url)) == 1
    attempt = services.attempt_start(participant=second, by=second.user)
    services.attempt_submit(attempt=attempt, by=second.user, answers={})

    # another viewer within the cache time: the top as it was, with nobody's row marked
    assert _board_rows(client.get(url)) == 1
    # the second player: their own standing is current, and the top as cached
    client.force_login(second.user)
    body = client.get(url).content.decode()
    assert re.search(r'class="my-rank">2<', body) and 'class="me"' not in body
    # the first player, in the top: their row is marked
    client.force_login(first.user)
    body = client.get(url).content.decode()
    assert re.search(r'class="my-rank">1<', body) and body.count('class="me"') == 1
    # with the cache off, the top is current
    settings.QUIZ_LEADERBOARD_CACHE_SECONDS = 0
    assert _board_rows(client.get(url)) == 2


def test_the_portal_navigation_links_to_the_quiz(client, member):
    client.force_login(member)
    home = client.get(reverse("portal:home")).content.decode()
    link = f'<a href="{reverse("quiz:index")}">'
    assert link in home  # on every portal page, not marked current outside the quiz
    quiz_page = client.get(reverse("quiz:index"), follow=True).content.decode()
    assert f'<a href="{reverse("quiz:index")}" aria-current="page">' in quiz_page

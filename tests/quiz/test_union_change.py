"""A participant changes the union they play for: from next month, never this month's points."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from competitions.quiz import services
from competitions.quiz.models import Participant
from union_portal.core.errors import ApplicationError, NotFoundError

from .factories import make_player, right_answers

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def _play(player, now):
    attempt = services.attempt_start(participant=player, by=player.user, now=now)
    return services.attempt_submit(attempt=attempt, by=player.user, answers=right_answers(attempt), now=now)


def test_a_change_of_union_applies_from_the_first_of_next_month(tree, quiz):
    player = make_player(quiz, tree.union_a)
    assert _play(player, at(2026, 3, 10, 9)).union_id == tree.union_a.pk
    changed = services.participant_change_union(
        participant=player, by=player.user, union=tree.town_b, now=at(2026, 3, 15, 9)
    )
    assert (changed.union_id, changed.next_union_id, changed.next_union_from) == (
        tree.union_a.pk,
        tree.town_b.pk,
        dt.date(2026, 4, 1),
    )
    # the rest of the month is still played for the union chosen before
    assert _play(Participant.objects.get(pk=player.pk), at(2026, 3, 31, 23, 50)).union_id == tree.union_a.pk
    # from midnight on the first (Shanghai), attempts count for the new union, which becomes the union
    april = _play(Participant.objects.get(pk=player.pk), at(2026, 4, 1, 0, 5))
    assert april.union_id == tree.town_b.pk
    player.refresh_from_db()
    assert (player.union_id, player.next_union_id, player.next_union_from) == (tree.town_b.pk, None, None)
    assert [h.union_id for h in player.history.order_by("history_id")][-1] == tree.town_b.pk


def test_the_same_union_cancels_a_change_and_a_union_not_offered_is_refused(tree, quiz):
    player = make_player(quiz, tree.union_a)
    services.participant_change_union(participant=player, by=player.user, union=tree.town_a)
    cancelled = services.participant_change_union(participant=player, by=player.user, union=tree.union_a)
    assert (cancelled.next_union_id, cancelled.next_union_from) == (None, None)
    with pytest.raises(ApplicationError) as error:
        services.participant_change_union(participant=player, by=player.user, union=tree.union_b)
    assert error.value.field == "union"
    other = make_player(quiz, tree.union_b)
    with pytest.raises(NotFoundError):
        services.participant_change_union(participant=player, by=other.user, union=tree.town_a)
    assert Participant.objects.get(pk=player.pk).next_union_id is None


def test_the_prize_keeps_the_union_of_the_month_won(tree, people, quiz):
    player = make_player(quiz, tree.union_a)
    _play(player, at(2026, 3, 10, 9))
    services.participant_change_union(
        participant=player, by=player.user, union=tree.town_b, now=at(2026, 3, 20)
    )
    # the monthly task applies due changes (here before the month is closed by hand)
    assert services.union_changes_apply(now=at(2026, 4, 1, 0, 10)) == 1
    assert services.union_changes_apply(now=at(2026, 4, 1, 0, 20)) == 0
    assert Participant.objects.get(pk=player.pk).union_id == tree.town_b.pk
    quiz_month = services.quiz_month_ensure(quiz=quiz, month=dt.date(2026, 3, 1))
    services.month_close(quiz_month=quiz_month, by=people.district_staff, now=at(2026, 4, 2, 8))
    prize = quiz_month.prizes.get()
    assert prize.union_id == tree.union_a.pk
    rows = services.prize_list_rows(quiz_month=quiz_month, viewer=people.district_staff)
    assert rows[1][3] == tree.union_a.name


def test_the_union_through_the_api(tree, quiz):
    player = make_player(quiz, tree.union_a)
    client = APIClient()
    client.force_authenticate(player.user)
    url = f"/api/v1/quiz/{quiz.pk}/union/"
    assert client.get(url).json()["next_union"] is None
    response = client.post(url, {"union": tree.town_a.pk}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["union"], body["next_union"], body["next_union_name"]) == (
        tree.union_a.pk,
        tree.town_a.pk,
        tree.town_a.name,
    )
    assert (
        body["next_union_from"] == f"{services.local_day().replace(day=28) + dt.timedelta(days=4):%Y-%m}-01"
    )
    refused = client.post(url, {"union": tree.union_b.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "union"
    assert client.post(url, {"union": 10**9}, format="json").status_code == 400
    stranger = APIClient()
    stranger.force_authenticate(make_player(quiz, tree.union_b).user)
    assert stranger.get(f"/api/v1/quiz/{quiz.pk + 1000}/union/").status_code == 404


def test_the_union_on_the_phone(client, tree, quiz):
    player = make_player(quiz, tree.union_a)
    client.force_login(player.user)
    response = client.post(reverse("quiz:union", args=[quiz.pk]), {"union": tree.town_a.pk})
    assert response.status_code == 302
    page = client.get(reverse("quiz:home", args=[quiz.pk])).content.decode()
    assert tree.town_a.name in page and 'class="next-union"' in page
    assert Participant.objects.get(pk=player.pk).next_union_id == tree.town_a.pk

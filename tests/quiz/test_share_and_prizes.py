"""The share link's limit per opener, and the prize's last step: paid (phone credit topped up),
recorded with who and the payment reference, the winner told."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from competitions.quiz import services
from competitions.quiz.models import SHARE_BONUSES_PER_OPENER, DailyAllowance, Prize
from union_portal.accounts.roles import Role
from union_portal.core.errors import ApplicationError
from union_portal.notifications.models import Notification

from ..accounts.factories import make_user
from .factories import make_player, right_answers

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


# --- the share link: one opener cannot hand out extra attempts to a whole union ---------------------


def test_one_person_grants_at_most_three_extra_attempts_a_day_and_more_the_next_day(tree, quiz):
    # given four members who share their links, and one person who opens all four
    sharers = [make_player(quiz, tree.union_a) for _ in range(SHARE_BONUSES_PER_OPENER + 1)]
    opener = make_user(Role.MEMBER, None)
    day1 = at(2026, 3, 10, 20)
    # when they open them the same evening
    outcomes = [services.share_open(token=services.share_token(s), by=opener, now=day1) for s in sharers]
    # then the first three members get their extra attempt, the fourth does not
    assert SHARE_BONUSES_PER_OPENER == 3
    assert [(o.granted, o.reason) for o in outcomes] == [(True, "granted")] * 3 + [(False, "opener_limit")]
    assert DailyAllowance.objects.get(participant=sharers[3], day=day1.date()).bonus_at is None
    assert sorted(DailyAllowance.objects.filter(bonus_by=opener).values_list("bonus_slot", flat=True)) == [
        1,
        2,
        3,
    ]
    # and someone else may still grant the fourth one
    assert services.share_open(
        token=services.share_token(sharers[3]), by=make_user(Role.MEMBER, None), now=day1
    )[1]
    # the next day (Shanghai), the same person may grant again
    day2 = at(2026, 3, 11, 0, 0, 10)
    assert (
        services.share_open(token=services.share_token(sharers[0]), by=opener, now=day2).reason == "granted"
    )


def test_reasons_a_share_grants_nothing(tree, quiz):
    player = make_player(quiz, tree.union_a)
    token = services.share_token(player)
    assert services.share_open(token=token, by=player.user).reason == "own"
    friend = make_user(Role.MEMBER, None)
    assert services.share_open(token=token, by=friend).reason == "granted"
    assert services.share_open(token=token, by=make_user(Role.MEMBER, None)).reason == "already"


def test_the_share_page_tells_an_opener_over_the_limit(client, tree, quiz):
    opener = make_user(Role.MEMBER, None)
    sharers = [make_player(quiz, tree.union_a) for _ in range(SHARE_BONUSES_PER_OPENER + 1)]
    for sharer in sharers[:-1]:
        services.share_open(token=services.share_token(sharer), by=opener)
    client.force_login(opener)
    page = client.get(reverse("quiz:share", args=[services.share_token(sharers[-1])])).content.decode()
    assert "You have given as many extra attempts as one person may today" in page


# --- prizes: awarded, then paid and recorded ----------------------------------------------------------


@pytest.fixture
def prize(tree, people, quiz, django_capture_on_commit_callbacks):
    """A closed March with one winner (50 points)."""
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user, now=at(2026, 3, 10, 20))
    services.attempt_submit(
        attempt=attempt, by=player.user, answers=right_answers(attempt), now=at(2026, 3, 10, 20)
    )
    quiz_month = services.quiz_month_ensure(quiz=quiz, month=dt.date(2026, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.month_close(quiz_month=quiz_month, by=people.district_staff, now=at(2026, 4, 1, 8))
    return Prize.objects.get(quiz_month=quiz_month)


def test_a_prize_is_paid_once_recorded_with_history_and_the_winner_is_told(
    people, prize, django_capture_on_commit_callbacks
):
    staff = people.district_staff
    moment = at(2026, 4, 3, 10)
    # when district staff record the top-up
    with django_capture_on_commit_callbacks(execute=True):
        paid = services.prize_pay(prize=prize, by=staff, reference="CZ20260403-0001", now=moment)
    # then it is recorded with who and the reference, in the history too
    paid.refresh_from_db()
    assert (paid.paid_at, paid.paid_by, paid.payment_reference) == (moment, staff, "CZ20260403-0001")
    assert [(h.paid_at, h.history_user) for h in paid.history.order_by("history_id")] == [
        (None, None),
        (moment, staff),
    ]
    # and the winner is told once
    told = Notification.objects.filter(recipient=prize.participant.user, key__startswith="quiz.prize_paid:")
    assert told.count() == 1
    # paying again changes nothing and tells nobody again
    with django_capture_on_commit_callbacks(execute=True):
        again = services.prize_pay(prize=prize, by=staff, reference="other", now=at(2026, 4, 4))
    assert (again.paid_at, again.payment_reference) == (moment, "CZ20260403-0001")
    assert told.count() == 1 and paid.history.count() == 2
    # the prize list shows it
    rows = services.prize_list_rows(quiz_month=prize.quiz_month, viewer=staff)
    assert rows[0][-2:] == ["Paid at", "Payment reference"]
    assert rows[1][-2:] == ["2026-04-03 10:00", "CZ20260403-0001"]


def test_only_staff_allowed_to_pay_record_a_payment(people, prize):
    for user in (people.town_a_staff, prize.participant.user):
        with pytest.raises(ApplicationError) as error:
            services.prize_pay(prize=prize, by=user, reference="x")
        assert error.value.status_code in (403, 404)
    with pytest.raises(ApplicationError) as error:
        services.prize_pay(prize=prize, by=people.district_staff, reference="bad\u202ereference")
    assert error.value.field == "reference"
    prize.refresh_from_db()
    assert prize.paid_at is None


def test_the_admin_records_the_selected_prizes_as_paid_with_a_reference(client, people, prize):
    client.force_login(people.district_staff)
    url = reverse("admin:quiz_prize_changelist")
    page = client.get(url)
    assert page.status_code == 200 and prize.participant.masked_name in page.content.decode()
    response = client.post(
        url, {"action": "pay", "_selected_action": [prize.pk], "reference": "批次2026-04", "index": 0}
    )
    assert response.status_code == 302
    prize.refresh_from_db()
    assert (prize.paid_by, prize.payment_reference) == (people.district_staff, "批次2026-04")

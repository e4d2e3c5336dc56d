"""SMS codes cannot be turned into a weapon, and a mistake does not burn them (issues 18.3, 9.5, 9.6).

Activation (``/portal/activate/``) and password reset (``/portal/password-reset/``) send codes by SMS:
every request is counted per typed mobile and per client address (hour and day) with a cooldown
between two codes to one mobile, whether or not a code is sent. A code is spent only when the whole
step succeeded, once, and lives ten minutes.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from members.models import Member
from union_portal.accounts.models import User
from union_portal.notifications import backends
from union_portal.notifications.services import _code_key

from ..accounts.factories import PASSWORD, make_user
from ..members.factories import make_member

ACTIVATE = "/portal/activate/"
RESET = "/portal/password-reset/"


@pytest.fixture(autouse=True)
def _clean(settings):
    backends.outbox.clear()
    cache.clear()
    yield
    backends.outbox.clear()
    cache.clear()


def codes_sent_to(mobile: str) -> list[str]:
    return [re.search(r"\b(\d{6})\b", text).group(1) for to, text in backends.outbox if to == mobile]


def ask_activation(client, member, *, mobile=None, step="request", ip="10.0.0.1"):
    data = {"step": step, "id_number": member.id_number, "mobile": mobile or member.mobile}
    return client.post(ACTIVATE, data, REMOTE_ADDR=ip)


def activate(client, member, code, password=None, again=None):
    password = "Card-pass-2026" if password is None else password
    data = {
        "step": "activate",
        "id_number": member.id_number,
        "mobile": member.mobile,
        "code": code,
        "password1": password,
        "password2": password if again is None else again,
    }
    return client.post(ACTIVATE, data)


def ask_reset(client, mobile, *, step="request", ip="10.0.0.1"):
    return client.post(RESET, {"step": step, "mobile": mobile}, REMOTE_ADDR=ip)


def reset(client, mobile, code, password=None):
    password = password or "Brand-new-2026"
    data = {"step": "reset", "mobile": mobile, "code": code, "password1": password, "password2": password}
    return client.post(RESET, data)


# --- activation keeps its code through a failed step (9.5) ---------------------------------------------


@pytest.mark.parametrize(
    ("password", "again"),
    [("", ""), ("Card-pass-2026", "Other-pass-2026"), ("12345678", "12345678")],
    ids=["empty", "different", "too-weak"],
)
def test_a_failed_activation_step_does_not_spend_the_code(client, tree, password, again):
    member = make_member(tree.union_a, mobile="13911112222")
    ask_activation(client, member)
    (code,) = codes_sent_to(member.mobile)

    # when: the right code comes with an unusable password
    refused = activate(client, member, code, password, again)

    # then: the page says what is wrong with the password, not that the code expired
    page = refused.content.decode()
    assert refused.status_code == 200 and "expired" not in page
    assert refused.context["form"].errors.keys() & {"password1", "password2"}
    # and the same code works with a good password
    response = activate(client, member, code, "Card-pass-2026")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user is not None and member.user.check_password("Card-pass-2026")


def test_the_activation_password_fields_are_required(client, tree):
    member = make_member(tree.union_a, mobile="13911112223")
    page = ask_activation(client, member).content.decode()
    for name in ("password1", "password2"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert "required" in field
    assert "(optional)" not in page


def test_a_code_is_spent_once(client, tree):
    member = make_member(tree.union_a, mobile="13911112224")
    ask_activation(client, member)
    (code,) = codes_sent_to(member.mobile)
    assert activate(client, member, code).status_code == 302
    client.logout()
    Member.objects.filter(pk=member.pk).update(user=None)  # as if the link were undone

    again = activate(client, member, code)

    assert again.status_code == 200 and "expired" in again.content.decode()


def test_resend_waits_for_the_cooldown_then_sends_a_new_code(client, tree, settings):
    member = make_member(tree.union_a, mobile="13911112225")
    page = ask_activation(client, member).content.decode()
    assert 'name="step" value="resend"' in page  # the code step offers "send a new code"

    too_soon = ask_activation(client, member, step="resend")

    assert too_soon.status_code == 429
    assert "wait 60 seconds" in too_soon.content.decode()
    assert len(codes_sent_to(member.mobile)) == 1

    # when the cooldown is over (its cache entry gone), a new code replaces the old one
    cache.delete(f"otp:cooldown:{member.mobile}")
    assert ask_activation(client, member, step="resend").status_code == 200
    first, second = codes_sent_to(member.mobile)
    if first != second:
        assert "expired" in activate(client, member, first).content.decode()
    assert activate(client, member, second).status_code == 302


# --- caps per mobile and per client (18.3) --------------------------------------------------------------


@pytest.fixture
def no_cooldown(settings):
    settings.SMS_CODE_COOLDOWN_SECONDS = 0


@pytest.mark.usefixtures("no_cooldown")
def test_codes_to_one_mobile_are_capped_per_hour_from_any_address(client, tree, settings):
    member = make_member(tree.union_a, mobile="13911113333")
    limit = settings.SMS_CODES_PER_MOBILE_HOUR
    assert limit == 5

    statuses = [ask_activation(client, member, ip=f"10.0.{n}.1").status_code for n in range(limit + 3)]

    assert statuses == [200] * limit + [429] * 3
    assert len(codes_sent_to(member.mobile)) == limit
    # password reset codes count against the same mobile
    make_user(None, None, username="someone", mobile=member.mobile)
    assert ask_reset(client, member.mobile, ip="10.9.9.9").status_code == 429
    assert len(codes_sent_to(member.mobile)) == limit


@pytest.mark.usefixtures("no_cooldown")
def test_codes_to_one_mobile_are_capped_per_day(client, tree, settings):
    settings.SMS_CODES_PER_MOBILE_HOUR = 100
    member = make_member(tree.union_a, mobile="13911113334")
    limit = settings.SMS_CODES_PER_MOBILE_DAY
    assert limit == 10

    statuses = [ask_activation(client, member, ip=f"10.0.{n}.1").status_code for n in range(limit + 1)]

    assert statuses == [200] * limit + [429]


@pytest.mark.usefixtures("no_cooldown")
def test_codes_from_one_client_are_capped_whatever_the_mobile(client, tree, settings):
    settings.SMS_CODES_PER_CLIENT_HOUR = 4
    members = [make_member(tree.union_a, mobile=f"1391111440{n}") for n in range(6)]

    statuses = [ask_activation(client, m, ip="10.0.0.7").status_code for m in members]

    assert statuses == [200] * 4 + [429] * 2
    assert len(backends.outbox) == 4
    # another client is not affected
    assert ask_activation(client, members[5], ip="10.0.0.8").status_code == 200


@pytest.mark.usefixtures("no_cooldown")
def test_a_refusal_is_the_same_whether_the_mobile_is_on_file_or_not(client, tree, settings):
    settings.SMS_CODES_PER_MOBILE_HOUR = 2
    on_file = make_user(None, None, username="on_file", mobile="13911115555")
    answers = {}
    for mobile in (on_file.mobile, "13911116666"):
        answers[mobile] = [ask_reset(client, mobile, ip=f"10.0.{n}.2").status_code for n in range(3)]

    assert answers == {on_file.mobile: [200, 200, 429], "13911116666": [200, 200, 429]}
    assert len(codes_sent_to(on_file.mobile)) == 2 and codes_sent_to("13911116666") == []


# --- password reset (9.6) -------------------------------------------------------------------------------


@pytest.fixture
def member_login(db):
    user = make_user(None, None, username="13922223333", mobile="13922223333")
    user.set_password(PASSWORD)
    user.save()
    return user


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_login_page_offers_forgot_password(client, db):
    page = client.get(reverse("portal:login")).content.decode()
    assert f'href="{RESET}"' in page


def test_reset_answers_the_same_whether_the_mobile_has_a_login(client, member_login):
    known = ask_reset(client, member_login.mobile)
    unknown = ask_reset(client, "13922224444")

    assert known.status_code == unknown.status_code == 200
    assert _without_token(known.content.decode()).replace(member_login.mobile, "M") == _without_token(
        unknown.content.decode()
    ).replace("13922224444", "M")
    assert len(codes_sent_to(member_login.mobile)) == 1 and codes_sent_to("13922224444") == []


@pytest.fixture
def celery_out_of_process():
    """As in production: ``.delay()`` only enqueues and a worker does the work, so what the request
    itself does is what a client can time."""
    from union_portal.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def _request_work(client, path, data) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status = client.post(path, data, REMOTE_ADDR="10.0.9.1").status_code
    return status, [query["sql"] for query in queries if "session" not in query["sql"]]


@pytest.mark.usefixtures("no_cooldown", "celery_out_of_process")
def test_a_code_request_does_the_same_work_whether_or_not_anyone_matches(client, tree, member_login):
    """The lookup and the SMS happen in the worker: the request reads nothing that depends on whether
    the mobile has a login or the ID number a membership, so its response time cannot tell (18.3)."""
    member = make_member(tree.union_a, mobile="13955556666")
    known = _request_work(client, RESET, {"step": "request", "mobile": member_login.mobile})
    unknown = _request_work(client, RESET, {"step": "request", "mobile": "13922224444"})
    assert known == unknown == (200, [])

    data = {"step": "request", "id_number": member.id_number, "mobile": member.mobile}
    known = _request_work(client, ACTIVATE, data)
    unknown = _request_work(client, ACTIVATE, {**data, "mobile": "13955557777"})
    assert known == unknown == (200, [])
    assert backends.outbox == []  # nothing is sent in the request


def test_the_worker_sends_the_code_only_to_a_match(member_login, tree):
    from members.services import _activation_key, activation_code_deliver
    from union_portal.accounts.services import password_reset_code_deliver

    assert password_reset_code_deliver(mobile=member_login.mobile) is True
    assert password_reset_code_deliver(mobile="13922224444") is False
    member = make_member(tree.union_a, mobile="13955556666")
    key = _activation_key(member.id_number, member.mobile)
    assert activation_code_deliver(id_number_hash=key[0], mobile=key[1]) is True
    assert activation_code_deliver(id_number_hash=key[0], mobile="13955557777") is False
    assert [to for to, _text in backends.outbox] == [member_login.mobile, member.mobile]


def test_reset_sets_the_password_and_ends_every_session(client, member_login):
    # given: the account is logged in elsewhere (a lost phone)
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(member_login)
    assert elsewhere.get(reverse("portal:profile")).status_code == 200

    # when: the owner resets the password with the code
    ask_reset(client, "+86 139 2222 3333")
    (code,) = codes_sent_to(member_login.mobile)
    response = reset(client, member_login.mobile, code)

    # then: the new password works, the old one does not, and the other session is over
    assert response.status_code == 302 and response.url == reverse("portal:login")
    member_login.refresh_from_db()
    assert member_login.check_password("Brand-new-2026") and not member_login.check_password(PASSWORD)
    gone = elsewhere.get(reverse("portal:profile"))
    assert gone.status_code == 302 and gone.url.startswith(reverse("portal:login"))
    assert not Session.objects.filter(session_key=elsewhere.cookies["sessionid"].value).exists()


def test_a_reset_code_is_single_use_and_survives_a_weak_password(client, member_login):
    ask_reset(client, member_login.mobile)
    (code,) = codes_sent_to(member_login.mobile)

    weak = reset(client, member_login.mobile, code, password="12345678")
    assert weak.status_code == 200 and "password1" in weak.context["form"].errors

    assert reset(client, member_login.mobile, code).status_code == 302
    again = reset(client, member_login.mobile, code, password="Another-new-2026")
    assert again.status_code == 200 and "expired" in again.content.decode()
    member_login.refresh_from_db()
    assert member_login.check_password("Brand-new-2026")


def test_a_reset_code_lives_ten_minutes(client, member_login):
    ask_reset(client, member_login.mobile)
    (code,) = codes_sent_to(member_login.mobile)
    key = _code_key("password-reset", member_login.mobile)
    entry = cache.get(key)
    cache.set(key, {**entry, "until": entry["until"] - 10 * 60 - 1}, 60)  # ten minutes later

    late = reset(client, member_login.mobile, code)

    assert late.status_code == 200 and "expired" in late.content.decode()
    member_login.refresh_from_db()
    assert member_login.check_password(PASSWORD)


def test_no_code_for_an_unknown_mobile_can_reset_anything(client, member_login):
    response = reset(client, "13922224444", "123456")
    assert response.status_code == 200 and "expired" in response.content.decode()
    assert User.objects.filter(mobile="13922224444").count() == 0

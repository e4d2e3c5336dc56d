"""Login security: lockout by django-axes, session rotation, logout, idle expiry.

The admin login (``/admin/login/``) and the portal login (``portal:login``) are both covered.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from union_portal.accounts.roles import Role

from ..accounts.factories import PASSWORD, make_user

ADMIN_LOGIN = "/admin/login/"
PORTAL_LOGIN = "portal:login"
MOBILE = "13900000001"
WRONG_PASSWORD = "wrong-password"


@pytest.fixture(autouse=True)
def _no_axes_lockouts(settings):
    """Overrides the fixture of ``tests/conftest.py``: here axes is on, with the project's settings."""
    settings.AXES_ENABLED = True


@pytest.fixture
def staff(tree):
    return make_user(Role.TOWN_STAFF, tree.town_a, username="town_staff", mobile=MOBILE)


def login_url(which: str) -> str:
    return ADMIN_LOGIN if which == "admin" else reverse(PORTAL_LOGIN)


def attempt(client, which: str, username: str, password: str | None = None, ip: str = "10.0.0.1", **extra):
    """One login attempt; a wrong password unless one is given."""
    data = {"username": username, "password": password or WRONG_PASSWORD}
    return client.post(login_url(which), data, REMOTE_ADDR=ip, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


both_logins = pytest.mark.parametrize("which", ["admin", "portal"])


# --- lockout ----------------------------------------------------------------------------------------


@both_logins
def test_lockout_after_the_failure_limit_even_with_the_right_password(client, settings, staff, which):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5

    # given: one failure less than the limit: still a normal login page
    for _ in range(limit - 1):
        response = attempt(client, which, "town_staff")
        assert response.status_code == 200
        assert not logged_in(client)

    # when: the limit is reached
    response = attempt(client, which, "town_staff")

    # then: locked out, and the right password does not get in either
    assert response.status_code == 429
    response = attempt(client, which, "town_staff", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert "registration/locked_out.html" in [t.name for t in response.templates]


@both_logins
def test_lockout_is_per_ip_and_username_together(client, settings, staff, which):
    other = make_user(Role.TOWN_STAFF, staff.organisation, username="other_staff")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, which, "town_staff", ip="10.0.0.1")
    assert attempt(client, which, "town_staff", PASSWORD, ip="10.0.0.1").status_code == 429

    # Another user from the same address, and the same user from another address, still get in.
    response = attempt(client, which, other.username, PASSWORD, ip="10.0.0.1")
    assert response.status_code == 302
    client.logout()
    response = attempt(client, which, "town_staff", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert logged_in(client)


@both_logins
def test_mobile_spellings_count_as_one_username(client, settings, staff, which):
    spellings = ["+86 139 0000 0001", MOBILE, "139-0000-0001", "8613900000001", " 13900000001 "]
    assert len(spellings) == settings.AXES_FAILURE_LIMIT

    responses = [attempt(client, which, spelling).status_code for spelling in spellings]

    assert responses == [200, 200, 200, 200, 429]
    # counted under the account (its user name), whatever spelling was typed
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("town_staff", 5)]
    assert attempt(client, which, MOBILE, PASSWORD).status_code == 429


@both_logins
@pytest.mark.parametrize(("fail_with", "then_with"), [(MOBILE, "town_staff"), ("town_staff", MOBILE)])
def test_one_account_has_one_lockout_whatever_identifier_is_typed(
    client, settings, staff, which, fail_with, then_with
):
    # given: the account is locked out through one of its identifiers
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, which, fail_with)

    # when: the other identifier of the same account comes with the right password
    response = attempt(client, which, then_with, PASSWORD)

    # then: still locked out
    assert response.status_code == 429
    assert not logged_in(client)


@both_logins
def test_unknown_identifiers_are_counted_per_client_address(client, settings, staff, which):
    # Walking through names that do not exist is one counter per address, not one per name.
    statuses = [
        attempt(client, which, f"nobody{n}").status_code for n in range(settings.AXES_FAILURE_LIMIT + 1)
    ]

    assert statuses[-2:] == [429, 429]
    # a real account from the same address is not locked by the strangers' failures
    assert attempt(client, which, "town_staff", PASSWORD).status_code == 302
    client.logout()
    # and another address may still try
    assert attempt(client, which, "nobody", ip="10.0.0.9").status_code == 200


@both_logins
def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, settings, staff, which):
    # Without a proxy in front (PROXY_COUNT=0), X-Forwarded-For is whatever the attacker sends.
    statuses = [
        attempt(client, which, "town_staff", HTTP_X_FORWARDED_FOR=f"8.8.{n}.8").status_code
        for n in range(settings.AXES_FAILURE_LIMIT + 2)
    ]

    assert statuses[settings.AXES_FAILURE_LIMIT - 1 :] == [429, 429, 429]


@both_logins
def test_a_successful_login_resets_the_failures(client, settings, staff, which):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, which, "town_staff")
    assert attempt(client, which, "town_staff", PASSWORD).status_code == 302
    client.logout()

    # The count starts again: four more failures are not a lockout.
    statuses = [
        attempt(client, which, "town_staff").status_code for _ in range(settings.AXES_FAILURE_LIMIT - 1)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1)


# --- sessions ----------------------------------------------------------------------------------------


@both_logins
def test_the_session_id_is_rotated_at_login(client, staff, which):
    # given: a visitor with a session (e.g. a half-filled form), whose id an attacker may have planted
    session = client.session
    session["visited"] = True
    session.save()
    before = client.cookies["sessionid"].value

    # when
    response = attempt(client, which, "+86 139 0000 0001", PASSWORD)

    # then: logged in under a new session id; the old one no longer exists
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert logged_in(client)
    assert not Session.objects.filter(session_key=before).exists()


@both_logins
def test_logout_invalidates_the_session(client, staff, which):
    attempt(client, which, "town_staff", PASSWORD)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()

    logout = "/admin/logout/" if which == "admin" else reverse("portal:logout")
    client.post(logout)

    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie does not log anyone in.
    client.cookies["sessionid"] = key
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


def test_sessions_expire_when_idle_and_live_on_while_used(client, settings, staff):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # the age is an idle timeout, not an absolute one
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    attempt(client, "admin", "town_staff", PASSWORD)
    key = client.cookies["sessionid"].value
    session = Session.objects.filter(session_key=key)

    # given: a session about to expire; when: it is used; then: it lives another full idle period
    session.update(expire_date=timezone.now() + dt.timedelta(seconds=30))
    assert client.get("/admin/").status_code == 200
    expires = session.get().expire_date
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((expires - expected).total_seconds()) < 5

    # given: a session idle for longer than the age; then: it no longer logs anyone in
    session.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)

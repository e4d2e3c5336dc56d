"""The PostgreSQL backend checks a reused connection only after it sat idle
(``union_portal.core.postgresql``): no ``SELECT 1`` in a busy request, a dead connection replaced
after an idle spell, and one that dies under load fails one request and is then replaced."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrapper():
    if connection.vendor != "postgresql":
        pytest.skip("the project's PostgreSQL backend (SQLite keeps Django's)")
    own = type(connections["default"])({**connection.settings_dict}, alias="health-check-test")
    own.connect()
    yield own
    own.close()


def _request_ends(db) -> None:
    db.close_if_unusable_or_obsolete()  # what request_finished and request_started do


def _kill(db) -> None:
    pid = db.connection.info.backend_pid
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def _statements_of_next_request(db) -> list[str]:
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with db.execute_wrapper(record), db.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    return seen


def test_the_project_uses_its_backend():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert type(connections["default"]).__module__ == "union_portal.core.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_connection_used_a_moment_ago_is_not_checked(wrapper, settings):
    settings.CONN_HEALTH_CHECK_AFTER_IDLE = 60
    checks = []
    wrapper.is_usable = lambda: checks.append(1) or True  # counts Django's SELECT 1 (it bypasses wrappers)
    for _ in range(3):
        _request_ends(wrapper)
        assert _statements_of_next_request(wrapper) == ["SELECT 2"]
    assert checks == []


def test_an_idle_connection_is_checked_and_a_dead_one_replaced(wrapper, settings):
    settings.CONN_HEALTH_CHECK_AFTER_IDLE = 0  # every connection counts as idle
    first = wrapper.connection.info.backend_pid
    _request_ends(wrapper)
    _kill(wrapper)
    assert _statements_of_next_request(wrapper) == ["SELECT 2"]  # no error: checked and reconnected
    assert wrapper.connection.info.backend_pid != first


def test_a_connection_that_dies_under_load_fails_one_request_then_is_replaced(wrapper, settings):
    settings.CONN_HEALTH_CHECK_AFTER_IDLE = 60
    first = wrapper.connection.info.backend_pid
    _request_ends(wrapper)
    _kill(wrapper)
    with pytest.raises(OperationalError):
        _statements_of_next_request(wrapper)
    _request_ends(wrapper)  # the failed request ends: Django closes the broken connection
    assert _statements_of_next_request(wrapper) == ["SELECT 2"]
    assert wrapper.connection.info.backend_pid != first

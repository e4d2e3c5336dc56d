"""A double (or tenfold) tap on "send my application", really at the same moment, on PostgreSQL.

SQLite serialises writers and proves nothing here.
"""

import secrets
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from members.models import Member
from union_portal.accounts.models import User

from .test_portal import apply_form

THREADS = 10

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")


def post_together(forms: list[dict]) -> list:
    """POST each form from its own browser (client) and thread, all released at once."""
    barrier = threading.Barrier(len(forms))
    responses, errors, lock = [], [], threading.Lock()

    def run(data):
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = client.post(reverse("portal:apply"), data, headers={"Accept-Language": "en"})
            with lock:
                responses.append(response)
        except BaseException as exc:  # collected and asserted below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(data,)) for data in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    return responses


@pytest.mark.parametrize("same_page", [True, False], ids=["same-page", "fresh-pages"])
def test_simultaneous_submits_create_one_account_and_one_application(tree, same_page):
    data = apply_form(tree.union_a)
    forms = [data if same_page else {**data, "submission": secrets.token_urlsafe(16)} for _ in range(THREADS)]

    responses = post_together(forms)

    went_through = [r for r in responses if r.status_code == 302 and r.url == reverse("portal:status")]
    assert len(went_through) == 1
    assert User.objects.count() == 1
    assert Member.objects.count() == 1
    others = [r for r in responses if r not in went_through]
    if same_page:
        assert {r.url for r in others} == {reverse("portal:login")}
    else:
        assert {r.status_code for r in others} == {200}
        assert all(r.context["form"].errors for r in others)

"""Volunteer fixtures: a team of town A with its leader, one of town B, and volunteers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from union_portal.notifications import backends

from .factories import make_leader, make_team, make_volunteer


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the services queued for after commit (the messages), as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@dataclass
class Corps:
    team_a: object
    team_b: object
    leader_a: object
    leader_b: object
    volunteer: object  # of union A, logs in as people.member_user
    other: object  # another volunteer of union A
    volunteer_b: object  # of union B


@pytest.fixture
def corps(tree, people) -> Corps:
    leader_a, leader_b = make_leader("leader_a"), make_leader("leader_b")
    return Corps(
        team_a=make_team(tree.town_a, leader=leader_a, name="西南街道志愿服务队"),
        team_b=make_team(tree.town_b, leader=leader_b, name="乐平镇志愿服务队"),
        leader_a=leader_a,
        leader_b=leader_b,
        volunteer=make_volunteer(tree.union_a, user=people.member_user, name="陈晓明"),
        other=make_volunteer(tree.union_a, name="李小红"),
        volunteer_b=make_volunteer(tree.union_b, name="王大力"),
    )

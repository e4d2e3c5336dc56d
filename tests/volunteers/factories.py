"""Volunteer data made through the services, as the application makes it."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from union_portal.accounts.roles import Role
from volunteers import services
from volunteers.models import Activity, Category, Team, TeamKind

from ..accounts.factories import make_user
from ..members.factories import make_member

_n = itertools.count(1)


def make_team(org, *, leader=None, name=None, kind=TeamKind.AREA) -> Team:
    team = Team.objects.create(name=name or f"志愿服务队{next(_n)}", kind=kind, organisation=org)
    if leader is not None:
        team.leaders.add(leader)
    return team


def make_leader(username=None):
    return make_user(Role.VOLUNTEER_LEADER, None, username=username or f"leader{next(_n)}")


def make_volunteer(union, *, user=None, name=None, by=None):
    """An active member of ``union`` with a login, registered as a volunteer by themselves."""
    n = next(_n)
    user = user or make_user(Role.MEMBER, None, username=f"vol{n}", mobile=f"136{n:08d}")
    member = make_member(union, user=user, **({"name": name} if name else {}))
    return services.volunteer_register(member=member, by=by or user)


def make_activity(team, by, *, capacity=10, starts_in=dt.timedelta(days=2), hours=3, publish=True, **kwargs):
    now = timezone.now()
    start = kwargs.pop("starts_at", now + starts_in)
    activity = Activity(
        team=team,
        title=kwargs.pop("title", f"河涌巡查{next(_n)}"),
        category=kwargs.pop("category", Category.PATROL),
        place=kwargs.pop("place", "西南街道江滨公园"),
        town=kwargs.pop("town", None),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=capacity,
        signup_opens_at=kwargs.pop("signup_opens_at", now - dt.timedelta(hours=1)),
        signup_closes_at=kwargs.pop("signup_closes_at", start + dt.timedelta(hours=hours)),
        **kwargs,
    )
    activity = services.activity_save(activity=activity, by=by)
    if publish:
        activity = services.activity_publish(activity=activity, by=by)
    return activity


def started_activity(team, by, *, hours=3, capacity=10):
    """An open activity that started an hour ago (for check-in tests): made in the future, then moved."""
    activity = make_activity(team, by, hours=hours, capacity=capacity)
    start = timezone.now() - dt.timedelta(hours=1)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start + dt.timedelta(hours=hours),
    )
    activity.refresh_from_db()
    return activity

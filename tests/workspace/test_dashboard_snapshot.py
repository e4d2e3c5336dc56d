"""The dashboard's snapshots: every figure of a node stored once (by the beat task, or the first view),
equal to the live figures of the registry after service writes, read in one query with the cache
cold, refreshed when stale, and scoped like everything else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assistance import services as aid_services
from members import services as member_services
from members.models import Member, MemberStatus
from union_portal.core import dashboard
from union_portal.core.figures import all_figures
from union_portal.core.models import DashboardSnapshot
from union_portal.core.tasks import dashboard_refresh, dashboard_warm

from ..assistance.factories import checked, make_file, submit_festival
from ..members.factories import make_member


def _live(node, today):
    return dashboard.compute(scope=node, figures=all_figures(), today=today)


def _stored(node):
    return DashboardSnapshot.objects.get(organisation=node).values


def _card(board, key):
    return next(card for card in board["cards"] if card.key == key)


def test_snapshots_equal_the_live_figures_after_service_writes(tree, people, aid):
    # given members in both towns and the snapshots of the beat task
    staff = people.district_staff
    today = timezone.localdate()
    moving = make_member(tree.union_a, name="王五")
    leaving = make_member(tree.union_a, name="赵六")
    make_member(tree.union_b, name="钱七")
    assert dashboard_warm() >= 5  # district, two towns, the unions of the officers
    town_a_before = _stored(tree.town_a)["members.members"]["year"]
    town_b_before = _stored(tree.town_b)["members.members"]["year"]

    # when a member moves from town A to town B, another's membership ends, aid is paid in town B,
    # a new member joins town A, and the beat task runs again
    member_services.member_transfer(member=moving, to_union=tree.union_b, by=staff, reason="调动工作")
    member_services.member_end(member=leaving, status=MemberStatus.LAPSED, by=staff, reason="离职")
    application = checked(submit_festival(aid, member=aid.other_member), people)
    application = aid_services.application_approve(application=application, by=staff)
    application = aid_services.application_pay(application=application, by=staff, method="cash")
    make_member(tree.union_a, name="孙八")
    dashboard_warm()

    # then every stored figure of every node equals the registry's live value
    for node in (tree.district, tree.town_a, tree.town_b, tree.union_a, tree.union_b):
        assert _stored(node) == _live(node, today), node.name
    # and the writes show where they happened
    assert _stored(tree.town_a)["members.members"]["year"] == town_a_before - 1  # -moved -ended +joined
    assert _stored(tree.town_b)["members.members"]["year"] == town_b_before + 1
    assert Decimal(_stored(tree.town_b)["aid.money_paid"]["year"]) == application.amount_approved > 0
    assert Decimal(_stored(tree.town_a)["aid.money_paid"]["year"]) == 0
    ended = _stored(tree.town_a)["members.members_left_by_reason"]["parts"]
    assert ended[MemberStatus.LAPSED] == 1


def test_cold_cache_reads_the_snapshot_in_one_query_whatever_the_rows(tree, people, aid):
    staff = people.district_staff
    dashboard_warm()
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        board = dashboard.build(staff)
    assert any(card.key == "members.members" for card in board["cards"])
    # more rows of every kind, the beat task again, the cache flushed (a deploy, a restart)
    for union in (tree.union_a, tree.union_b) * 3:
        member = make_member(union)
        make_file(member, staff)
        checked(submit_festival(aid, member=member, by=staff), people)
    dashboard_warm()
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        board = dashboard.build(staff)
    assert len(many) == len(few)
    # no figure is computed: the queue counts (one query each), a few for the scope, one snapshot row
    assert len(many) <= len(board["queues"]) + 4
    assert sum('"core_dashboardsnapshot"' in q["sql"] for q in many.captured_queries) == 1


def test_a_union_level_user_reads_its_own_snapshot(tree, people, aid):
    # given the beat task (it refreshes every node an active staff user is attached to)
    dashboard_warm()
    cache.clear()
    # when an officer of union A opens the dashboard with the cache cold
    with CaptureQueriesContext(connection) as queries:
        board = dashboard.build(people.officer_a)
    # then it reads union A's snapshot, not a figure query
    assert board["scope"] == tree.union_a
    assert sum('"core_dashboardsnapshot"' in q["sql"] for q in queries.captured_queries) == 1
    assert DashboardSnapshot.objects.filter(organisation=tree.union_a).exists()
    figures = [f for f in all_figures() if f.readable_by(people.officer_a)]
    assert {card.key for card in board["cards"]} <= {f.key for f in figures}


def test_the_first_view_of_a_node_computes_and_stores_its_snapshot(tree, people, aid):
    assert not DashboardSnapshot.objects.exists()
    board = dashboard.build(people.town_b_staff)
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.organisation == tree.town_b
    assert snapshot.values == _live(tree.town_b, timezone.localdate())
    assert _card(board, "members.members").year == snapshot.values["members.members"]["year"] == 1
    assert board["as_of"] == snapshot.computed_at


def test_a_stale_snapshot_is_shown_with_its_time_and_refreshed(
    tree, people, aid, django_capture_on_commit_callbacks
):
    # given yesterday's snapshot of town A, and a member who joined since
    dashboard.refresh(tree.town_a, today=timezone.localdate() - dt.timedelta(days=1))
    yesterday = DashboardSnapshot.objects.get(organisation=tree.town_a)
    make_member(tree.union_a, name="周九")
    cache.clear()

    # when town A's staff open the dashboard
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        board = dashboard.build(people.town_a_staff)

    # then they see yesterday's numbers with their time, and a task recomputed them once
    assert board["as_of"] == yesterday.computed_at
    assert len(callbacks) == 1
    fresh = DashboardSnapshot.objects.get(organisation=tree.town_a)
    assert fresh.day == timezone.localdate()
    assert fresh.values == _live(tree.town_a, timezone.localdate())
    town_a_members = Member.objects.filter(
        union__path__startswith=tree.town_a.path, status=MemberStatus.ACTIVE
    ).count()
    assert fresh.values["members.members"]["year"] == town_a_members == 2  # the fixture's and 周九
    # and the next view shows the fresh numbers without asking again
    with django_capture_on_commit_callbacks(execute=True) as again:
        board = dashboard.build(people.town_a_staff)
    assert again == []
    assert _card(board, "members.members").year == fresh.values["members.members"]["year"]


def test_the_refresh_task_is_safe_twice(tree, people, aid):
    assert dashboard_refresh(tree.town_a.pk) is True
    first = DashboardSnapshot.objects.get(organisation=tree.town_a)
    assert dashboard_refresh(tree.town_a.pk) is False  # fresh: nothing recomputed
    assert DashboardSnapshot.objects.get(organisation=tree.town_a).computed_at == first.computed_at
    assert dashboard_refresh(10**9) is False  # no such node


def test_a_town_user_never_sees_another_towns_numbers(tree, people, aid):
    dashboard_warm()
    cache.clear()
    board_b = dashboard.build(people.town_b_staff)
    assert board_b["scope"] == tree.town_b
    assert _card(board_b, "members.members").year == _stored(tree.town_b)["members.members"]["year"]
    assert _card(board_b, "members.members").year != _stored(tree.district)["members.members"]["year"]
    # another town's node is out of reach, even by asking for it
    refused = dashboard.build(people.town_b_staff, organisation=tree.town_a)
    assert refused["scope"] is None
    assert refused["cards"] == []
    assert refused["charts"] == []

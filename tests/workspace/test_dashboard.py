"""The dashboard on the admin's first page: key figures and charts from the figures registry, work
queues from the queues registry, scoped to the user's subtree, cached, the same queries at any size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance import services
from union_portal.core import dashboard
from union_portal.core.figures import all_figures

from ..assistance.factories import checked, make_file, submit_festival
from ..members.factories import make_member


def _queue(response, key):
    return next(q for q in response.context["board"]["queues"] if q["key"] == key)


def test_first_page_shows_queues_figures_and_charts(client, tree, people, aid):
    # given an application waiting for the district's approval, and one of town B
    application = checked(submit_festival(aid), people)
    checked(submit_festival(aid, member=aid.other_member), people)
    client.force_login(people.district_staff)

    # when the district opens the admin
    response = client.get(reverse("admin:index"))

    # then it sees both in its queue, figures of its subtree and the charts' data
    assert response.status_code == 200
    board = response.context["board"]
    assert board["scope"] == tree.district
    assert _queue(response, "aid.to_approve")["count"] == 2
    assert {c.key for c in board["cards"]} >= {"members.members", "aid.applications", "aid.money_paid"}
    members = next(c for c in board["cards"] if c.key == "members.members")
    assert members.year == 2
    charts = {c["key"] for c in board["charts"]}
    assert {"members.new_members_by_month", "aid.money_by_month"} <= charts
    body = response.content.decode()
    assert 'id="dashboard-charts"' in body
    assert "vendor/chartjs/chart.umd.min.js" in body
    assert reverse("admin:assistance_aidapplication_changelist") + "?state__exact=checked" in body
    assert application.pk


def test_town_staff_sees_only_its_subtree(client, tree, people, aid):
    checked(submit_festival(aid), people)
    checked(submit_festival(aid, member=aid.other_member), people)
    client.force_login(people.town_b_staff)
    response = client.get(reverse("admin:index"))
    board = response.context["board"]
    assert board["scope"] == tree.town_b
    members = next(c for c in board["cards"] if c.key == "members.members")
    assert members.year == 1
    queues = {q["key"]: q["count"] for q in board["queues"]}
    assert queues.get("aid.to_approve", 0) in (0, 1)  # town staff may not approve: queue absent or B only
    if "aid.to_approve" in queues:
        assert queues["aid.to_approve"] == 1


def test_queue_count_drops_when_the_work_is_done(client, tree, people, aid):
    application = checked(submit_festival(aid), people)
    client.force_login(people.district_staff)
    assert _queue(client.get(reverse("admin:index")), "aid.to_approve")["count"] == 1
    services.application_approve(application=application, by=people.district_staff)
    response = client.get(reverse("admin:index"))
    assert _queue(response, "aid.to_approve")["count"] == 0
    assert _queue(response, "aid.to_pay")["count"] == 1


def test_figures_are_stored_per_node_and_read_from_the_cache(tree, people, aid):
    figures = [f for f in all_figures() if f.readable_by(people.district_staff)]
    with CaptureQueriesContext(connection) as cold:
        dashboard.build(people.district_staff)
    with CaptureQueriesContext(connection) as warm:
        board = dashboard.build(people.district_staff)
    assert len(cold) > len(figures)  # the first view of the node: every figure computed once, in the database
    # warm: no figure query, only the queue counts (one each, never cached) and a few for the scope
    assert len(warm) <= len(board["queues"]) + 3 < len(cold)
    # the beat task refreshes the district, its towns and the nodes of staff users
    assert dashboard.warm() >= 3


def test_dashboard_queries_do_not_grow_with_rows(client, tree, people, aid, django_assert_max_num_queries):
    client.force_login(people.district_staff)
    client.get(reverse("admin:index"))  # fill the cache
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("admin:index"))
    staff = people.district_staff
    for union in (tree.union_a, tree.union_b) * 4:
        member = make_member(union)
        make_file(member, staff)
        checked(submit_festival(aid, member=member, by=staff), people)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("admin:index"))
    assert len(many) == len(few)


def test_member_user_and_no_node_user_get_no_figures(client, people):
    board = dashboard.build(people.member_user)
    assert board["scope"] is None
    assert board["cards"] == []

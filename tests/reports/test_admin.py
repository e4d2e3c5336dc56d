"""Reports in the admin: asking for one (only one's own subtree, only readable areas), the status the
page polls, the download, and who may reach them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from union_portal.core.figures import Period
from union_portal.reports.models import ReportRun, RunState

from ..accounts.factories import make_user

JAN_2026 = Period.month(2026, 1)


@pytest.fixture
def town_a_run(story, people, build):
    tree, _file_c = story
    return build(by=people.town_a_staff, organisation=tree.town_a, period=JAN_2026, period_kind="month")


def test_a_staff_member_asks_for_a_report_of_their_town(
    story, people, client, django_capture_on_commit_callbacks
):
    tree, _file_c = story
    client.force_login(people.town_a_staff)
    page = client.get(reverse("admin:reports_reportrun_add"))
    assert page.status_code == 200
    choices = {
        int(value.value) for value, _label in page.context["form"].fields["organisation"].choices if value
    }
    assert tree.town_a.pk in choices and tree.union_a.pk in choices
    assert tree.town_b.pk not in choices and tree.district.pk not in choices
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_reportrun_add"),
            {"organisation": tree.town_a.pk, "period_kind": "quarter", "year": 2026, "quarter": 1, "month": 1,
             "areas": ["aid"]},
        )  # fmt: skip
    # then
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reports_reportrun_change", args=[run.pk])
    assert (run.organisation, run.period_kind, run.areas) == (tree.town_a, "quarter", ["aid"])
    assert (str(run.period_start), str(run.period_end)) == ("2026-01-01", "2026-03-31")
    assert run.requested_by == people.town_a_staff
    assert run.state == RunState.DONE
    status = client.get(reverse("admin:reports_reportrun_status", args=[run.pk])).json()
    assert status == {
        "state": "done", "state_label": "Ready", "progress": 100, "error": "",
        "download": reverse("admin:reports_reportrun_download", args=[run.pk]),
    }  # fmt: skip
    page = client.get(reverse("admin:reports_reportrun_change", args=[run.pk]))
    assert b'id="report-progress"' in page.content
    download = client.get(reverse("admin:reports_reportrun_download", args=[run.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert "attachment" in download["Content-Disposition"]


def test_a_request_outside_ones_subtree_is_refused_on_the_form(story, people, client):
    tree, _file_c = story
    client.force_login(people.town_a_staff)
    response = client.post(
        reverse("admin:reports_reportrun_add"),
        {"organisation": tree.town_b.pk, "period_kind": "month", "year": 2026, "month": 1, "areas": ["aid"]},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert ReportRun.objects.count() == 0


def test_custom_dates_need_both_ends_in_order(story, people, client):
    tree, _file_c = story
    client.force_login(people.town_a_staff)
    response = client.post(
        reverse("admin:reports_reportrun_add"),
        {"organisation": tree.town_a.pk, "period_kind": "custom", "year": 2026, "start": "2026-02-01",
         "end": "2026-01-01", "areas": ["aid"]},
    )  # fmt: skip
    assert response.context["form"].errors["end"] == ["A period cannot end before it starts."]
    assert ReportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "sees"),
    [("district_staff", True), ("town_a_staff", True), ("town_b_staff", False), ("officer_a", False),
     ("member_user", False)],
)  # fmt: skip
def test_who_may_see_and_download_a_towns_report(town_a_run, people, client, who, sees):
    client.force_login(getattr(people, who))
    urls = [
        reverse("admin:reports_reportrun_change", args=[town_a_run.pk]),
        reverse("admin:reports_reportrun_status", args=[town_a_run.pk]),
        reverse("admin:reports_reportrun_download", args=[town_a_run.pk]),
    ]
    codes = [client.get(url).status_code for url in urls]
    if sees:
        assert codes == [200, 200, 200]
    else:
        assert all(code in (302, 403, 404) for code in codes), codes
        assert codes[2] != 200


def test_download_needs_every_figure_permission_of_the_report(town_a_run, tree):
    # given a staff user of town A who may read reports but not the aid figures
    user = make_user(None, tree.town_a, username="reader", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reportrun"))
    from django.test import Client

    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:reports_reportrun_change", args=[town_a_run.pk])).status_code == 200
    assert client.get(reverse("admin:reports_reportrun_download", args=[town_a_run.pk])).status_code == 404
    assert (
        client.get(reverse("admin:reports_reportrun_status", args=[town_a_run.pk])).json()["download"] is None
    )


def test_the_changelist_costs_the_same_at_2_and_10_runs(story, people, client, django_assert_max_num_queries):
    tree, _file_c = story
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for index in range(n):
            ReportRun.objects.create(organisation=tree.town_a, period_kind="month", period_start=f"2025-{index + 1:02d}-01",
                                     period_end=f"2025-{index + 1:02d}-28", areas=["aid"], requested_by=people.town_a_staff)  # fmt: skip

    client.force_login(people.district_staff)
    url = reverse("admin:reports_reportrun_changelist")
    make(2)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    make(8)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).status_code == 200
    assert len(ten) == len(two)

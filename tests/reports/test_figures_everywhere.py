"""One number in one place: every figure of the registry is the same on the dashboard, in a report
and through the API (``GET /api/v1/figures/``), for the hardship-aid story of January 2026."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from rest_framework.test import APIClient

from union_portal.core import dashboard
from union_portal.core.figures import Period, all_figures
from union_portal.reports.areas import figures_by_area
from union_portal.reports.compute import plain

JAN_2026 = Period.month(2026, 1)


def test_dashboard_report_and_api_agree_on_every_figure(story, people, build):
    tree, _file_c = story
    staff = people.district_staff
    keys = {figure.key for figure in all_figures()}
    # the dashboard on 31 January: its "year to date" is January, its "last year" January 2025
    shown = dashboard.compute(scope=tree.district, figures=all_figures(), today=dt.date(2026, 1, 31))
    run = build(by=staff, organisation=tree.district, period=JAN_2026, period_kind="month",
                areas=list(figures_by_area()))  # fmt: skip
    client = APIClient()
    client.force_authenticate(staff)
    response = client.get(
        reverse("v1:figures"),
        {"organisation": tree.district.pk, "date_from": "2026-01-01", "date_to": "2026-01-31"},
    )
    assert response.status_code == 200
    api = {row["key"]: row["value"] for row in response.json()["figures"]}
    assert set(api) == keys == set(run.figures["figures"])  # every figure, everywhere
    for figure in all_figures():
        stored = run.figures["figures"][figure.key]
        assert api[figure.key] == stored["current"], figure.key
        if stored["kind"] == "scalar":
            assert shown[figure.key]["year"] == stored["current"], figure.key
            assert shown[figure.key]["last_year"] == stored["last_year"], figure.key
        elif stored["kind"] == "breakdown":
            assert shown[figure.key]["parts"] == plain(stored["current"]), figure.key
    assert api["aid.money_paid"] == "3000.00"
    assert api["aid.applications"] == 2


def test_the_api_gives_only_a_visible_subtree_and_readable_figures(story, people):
    tree, _file_c = story
    client = APIClient()
    client.force_authenticate(people.town_a_staff)
    assert client.get(reverse("v1:figures"), {"organisation": tree.town_b.pk}).status_code == 404
    mine = client.get(
        reverse("v1:figures"), {"area": "aid", "date_from": "2026-01-01", "date_to": "2026-01-31"}
    )
    assert mine.status_code == 200
    assert mine.json()["organisation"] == tree.town_a.pk
    assert {row["key"] for row in mine.json()["figures"]} == {f.key for f in figures_by_area()["aid"]}
    client.force_authenticate(people.member_user)
    assert client.get(reverse("v1:figures")).status_code == 404  # a member has no subtree
    bad = client.get(reverse("v1:figures"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400


def test_every_figure_of_the_registry_is_one_query(story):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tree, _file_c = story
    for candidate in all_figures():
        with CaptureQueriesContext(connection) as whole:
            candidate.value(scope=tree.district, period=Period.year(2026))
        assert len(whole) == 1, candidate.key
        if candidate.by_child:
            with CaptureQueriesContext(connection) as split:
                candidate.value_by_child(scope=tree.district, period=Period.year(2026))
            assert len(split) == 1, candidate.key

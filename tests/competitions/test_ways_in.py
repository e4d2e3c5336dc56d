"""The portal (a member enters, a judge marks on a phone, the member sees the result), the API, the
admin pages, and query counts of the lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from competitions import services
from competitions.models import Entry, ScoreSheet, SheetState

from ..members.factories import make_member


def test_a_member_enters_a_judge_marks_and_the_member_sees_the_result(client, scene, judges, people):
    client.force_login(scene.member.user)
    home = client.get("/portal/contests/")
    assert scene.contest.name in home.content.decode()
    response = client.post(f"/portal/contests/{scene.contest.pk}/enter/", {})
    entry = Entry.objects.get(member=scene.member)
    assert response.status_code == 302 and response["Location"] == f"/portal/contests/entries/{entry.pk}/"
    staff = people.district_staff
    services.judge_assign(entry=entry, judge=judges[1], by=staff)
    services.contest_close_registration(contest=scene.contest, by=staff)
    sheet = ScoreSheet.objects.get(entry=entry)
    client.force_login(judges[1].user)
    assert str(entry.number) in client.get("/portal/contests/judge/").content.decode()
    fields = {f"criterion_{c.pk}": v for c, v in zip(_criteria(entry), ["90", "50", "61"], strict=True)}
    refused = client.post(f"/portal/contests/judge/sheets/{sheet.pk}/", {**fields, "submit": "1"})
    assert refused.status_code == 200  # 61 is above the maximum of 40
    fields[f"criterion_{_criteria(entry)[2].pk}"] = "35"
    client.post(f"/portal/contests/judge/sheets/{sheet.pk}/", {**fields, "submit": "1"})
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    client.force_login(judges[2].user)  # another judge: not their sheet
    assert client.get(f"/portal/contests/judge/sheets/{sheet.pk}/").status_code == 404
    services.contest_compute_results(contest=scene.contest, by=staff)
    services.contest_publish(contest=scene.contest, by=staff)
    client.force_login(scene.member.user)
    page = client.get(f"/portal/contests/entries/{entry.pk}/").content.decode()
    assert 'id="entry-rank">1<' in page and "First prize" in page
    public = client.get(f"/portal/contests/{scene.contest.pk}/results/").content.decode()
    assert "陈*明" in public and "陈晓明" not in public


def _criteria(entry):
    from .factories import criteria

    return sorted(criteria(entry.contest), key=lambda c: (c.part.kind != "theory", c.order))


def test_someone_elses_entry_is_a_404(client, scene, people):
    entry = services.entry_register(contest=scene.contest, member=scene.member_b, by=people.district_staff)
    client.force_login(scene.member.user)
    assert client.get(f"/portal/contests/entries/{entry.pk}/").status_code == 404


def test_the_api_registers_and_the_judge_marks(scene, judges, people):
    api = APIClient()
    api.force_authenticate(people.district_staff)
    response = api.post(
        "/api/v1/contests/entries/", {"contest": scene.contest.pk, "member": scene.member.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    entry_id = response.json()["id"]
    response = api.post(
        f"/api/v1/contests/entries/{entry_id}/assign/", {"judge": judges[0].pk}, format="json"
    )
    assert response.status_code == 400 and "own enterprise" in response.content.decode()
    sheet_id = api.post(
        f"/api/v1/contests/entries/{entry_id}/assign/", {"judge": judges[1].pk}, format="json"
    ).json()["id"]
    api.post(f"/api/v1/contests/contests/{scene.contest.pk}/judge/", {}, format="json")
    judge_api = APIClient()
    judge_api.force_authenticate(judges[1].user)
    ids = [c.pk for c in _criteria(Entry.objects.get(pk=entry_id))]
    response = judge_api.post(
        f"/api/v1/contests/sheets/{sheet_id}/mark/",
        {"marks": {str(ids[0]): "90", str(ids[1]): "50", str(ids[2]): "35"}, "submit": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert judge_api.get("/api/v1/contests/sheets/").json()["results"][0]["id"] == sheet_id


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/api/v1/contests/entries/", "/api/v1/contests/sheets/", "/api/v1/honours/public/register/"]
)
def test_lists_cost_the_same_at_2_and_10_rows(scene, judges, people, url, tree):
    from .factories import make_title

    staff = people.district_staff
    api = APIClient()
    api.force_authenticate(staff)
    title = make_title(tree.district, staff)
    import datetime as dt

    def add(n):
        for _ in range(n):
            member = make_member(tree.union_b)
            entry = services.entry_register(contest=scene.contest, member=member, by=staff)
            services.judge_assign(entry=entry, judge=judges[1], by=staff)
            services.honour_record(
                title=title,
                by=staff,
                organisation=tree.union_b,
                member=member,
                conferred_on=dt.date(2024, 5, 1),
            )

    add(2)
    small = _count(lambda: api.get(url))
    add(8)
    assert _count(lambda: api.get(url)) == small


def test_admin_pages_open(client, scene, judges, people):
    services.entry_register(contest=scene.contest, member=scene.member, by=people.district_staff)
    client.force_login(people.district_staff)
    for model in (
        "contest",
        "entry",
        "judge",
        "scoresheet",
        "honourtitle",
        "nominationround",
        "nomination",
        "honour",
    ):
        assert client.get(f"/admin/competitions/{model}/").status_code == 200, model
    assert client.get(f"/admin/competitions/contest/{scene.contest.pk}/change/").status_code == 200

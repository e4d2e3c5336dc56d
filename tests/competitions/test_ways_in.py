"""The portal (a member enters, a judge marks on a phone, the member sees the result), the API, the
admin pages, and query counts of the lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from competitions import services
from competitions.models import (
    Entry,
    MentorPair,
    NominationRound,
    ObjectionState,
    ScoreSheet,
    SheetState,
    Studio,
    StudioProject,
)

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


def test_the_api_runs_a_nomination_round_from_nomination_to_conferral(
    tree, people, django_capture_on_commit_callbacks
):
    import datetime as dt

    from .factories import make_round, make_title

    staff, officer = people.district_staff, people.officer_a
    title, round_ = make_title(tree.district, staff), make_round(tree.district, staff)
    nominee = make_member(tree.union_a, name="王大明")
    other = make_member(tree.union_a, name="李小红")
    union_api, staff_api, member_api = APIClient(), APIClient(), APIClient()
    union_api.force_authenticate(officer)
    staff_api.force_authenticate(staff)
    member_api.force_authenticate(people.member_user)
    # the union nominates two members with the record of deeds; a union of another town is refused
    body = {"round": round_.pk, "title": title.pk, "union": tree.union_a.pk, "deeds": "十年无事故"}
    first = union_api.post("/api/v1/honours/nominations/", {**body, "member": nominee.pk}, format="json")
    assert first.status_code == 201, first.content
    second = union_api.post("/api/v1/honours/nominations/", {**body, "member": other.pk}, format="json")
    refused = union_api.post(
        "/api/v1/honours/nominations/",
        {**body, "union": tree.union_b.pk, "member": nominee.pk},
        format="json",
    )
    assert refused.status_code == 400 and "union" in refused.json()["errors"][0]["attr"]
    # the union withdraws the second; staff shortlist the first and announce the shortlist
    withdrawn = union_api.post(
        f"/api/v1/honours/nominations/{second.json()['id']}/withdraw/", {}, format="json"
    )
    assert withdrawn.json()["state"] == "withdrawn"
    staff_api.post(
        f"/api/v1/honours/nominations/{first.json()['id']}/review/", {"shortlist": True}, format="json"
    )
    announced = staff_api.post(f"/api/v1/honours/rounds/{round_.pk}/publicity/", {}, format="json")
    assert announced.status_code == 200 and announced.json()["status"] == "publicity"
    # a signed-in member objects through the public notice while it runs (dates set around today)
    today = timezone.localdate()
    NominationRound.objects.filter(pk=round_.pk).update(
        publicity_starts_on=today - dt.timedelta(days=1), publicity_ends_on=today
    )
    nomination_id = first.json()["id"]
    assert member_api.get("/api/v1/honours/public/notice/").json()["results"][0]["nominee"] == "王*明"
    with django_capture_on_commit_callbacks(execute=True):
        objected = member_api.post(
            f"/api/v1/honours/public/notice/{nomination_id}/object/", {"content": "事迹不实"}, format="json"
        )
    assert objected.status_code == 201, objected.content
    assert APIClient().post(
        f"/api/v1/honours/public/notice/{nomination_id}/object/", {"content": "匿名"}, format="json"
    ).status_code in (401, 403)
    objection = staff_api.get("/api/v1/honours/objections/").json()["results"][0]
    staff_api.post(
        f"/api/v1/honours/objections/{objection['id']}/resolve/",
        {"upheld": False, "resolution": "经核实不属实"},
        format="json",
    )
    assert (
        staff_api.get(f"/api/v1/honours/objections/{objection['id']}/").json()["state"]
        == ObjectionState.DISMISSED
    )
    # after the notice, the round is concluded and the title conferred; care is recorded through the API
    NominationRound.objects.filter(pk=round_.pk).update(
        publicity_starts_on=dt.date(2025, 9, 1), publicity_ends_on=dt.date(2025, 9, 5)
    )
    concluded = staff_api.post(f"/api/v1/honours/rounds/{round_.pk}/conclude/", {}, format="json")
    assert concluded.json()["status"] == "concluded"
    honour = staff_api.get("/api/v1/honours/register/").json()["results"][0]
    assert (honour["holder"], honour["title"]) == ("王*明", "区劳动模范")
    care = staff_api.post(
        "/api/v1/honours/care/",
        {"honour": honour["id"], "kind": "allowance", "on": "2026-01-20", "amount": "500.00"},
        format="json",
    )
    assert care.status_code == 201 and care.json()["amount"] == "500.00"
    no_amount = staff_api.post(
        "/api/v1/honours/care/",
        {"honour": honour["id"], "kind": "allowance", "on": "2026-01-20"},
        format="json",
    )
    assert no_amount.status_code == 400


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/contests/entries/",
        "/api/v1/contests/sheets/",
        "/api/v1/honours/public/register/",
        "/api/v1/honours/care/",
        "/api/v1/honours/studios/",
        "/api/v1/honours/mentor-pairs/",
        "/api/v1/honours/titles/",
    ],
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
            honour = services.honour_record(
                title=title,
                by=staff,
                organisation=tree.union_b,
                member=member,
                conferred_on=dt.date(2024, 5, 1),
            )
            services.care_record(honour=honour, by=staff, kind="visit", on=dt.date(2025, 1, 20))
            studio = services.studio_save(
                studio=Studio(name=f"创新工作室{member.pk}", kind="model_worker", namesake=honour,
                              namesake_name=member.name, organisation=tree.union_b, founded_on=dt.date(2025, 3, 1)),
                by=staff,
            )  # fmt: skip
            StudioProject.objects.create(studio=studio, title="节能改造", started_on=dt.date(2025, 4, 1))
            services.mentor_pair_save(
                pair=MentorPair(organisation=tree.union_b, mentor=member, apprentice=make_member(tree.union_b),
                                occupation="焊工", goals="考取高级工", starts_on=dt.date(2025, 1, 1),
                                ends_on=dt.date(2026, 12, 31)),
                by=staff,
            )  # fmt: skip
            make_title(tree.district, staff, name=f"称号{member.pk}")

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

"""Contests, judges, titles, studios and mentor pairs set up through the API: the same services as the
admin (their rules and permissions), every id looked up in the caller's scope, errors in the API's shape."""

from __future__ import annotations

from rest_framework.test import APIClient

from competitions.models import Contest, ContestStatus, Criterion, HonourTitle, Judge, MentorPair, Studio

from ..accounts.factories import make_user
from ..members.factories import make_member
from .factories import make_contest, make_title

SCHEME = [
    {"kind": "theory", "weight": "30", "criteria": [{"name": "安全知识", "max_marks": "100"}]},
    {"kind": "practical", "weight": "70", "criteria": [{"name": "操作规范", "max_marks": "60"}]},
]


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _contest_body(org, **extra) -> dict:
    return {
        "name": "2026年焊工职业技能竞赛", "occupation": "焊工", "year": 2026, "organisation": org.pk,
        "registration_opens_on": "2026-03-01", "registration_closes_on": "2026-03-31", **extra,
    }  # fmt: skip


def test_staff_create_a_contest_with_its_scheme_change_it_and_open_it(tree, people):
    api = _api(people.town_b_staff)
    # when town B creates a contest with its scoring scheme
    created = api.post("/api/v1/contests/contests/", _contest_body(tree.town_b, scheme=SCHEME), format="json")
    assert created.status_code == 201, created.content
    contest = Contest.objects.get(pk=created.json()["id"])
    assert (contest.organisation, contest.created_by, contest.status) == (
        tree.town_b,
        people.town_b_staff,
        ContestStatus.DRAFT,
    )
    assert sorted(Criterion.objects.filter(part__contest=contest).values_list("name", flat=True)) == [
        "安全知识",
        "操作规范",
    ]
    # then it changes the name and opens registration through the step
    changed = api.patch(f"/api/v1/contests/contests/{contest.pk}/", {"occupation": "电焊工"}, format="json")
    assert changed.status_code == 200 and changed.json()["occupation"] == "电焊工"
    assert api.post(f"/api/v1/contests/contests/{contest.pk}/open/", {}, format="json").status_code == 200
    # the scheme is fixed once registration opened: the service's rule, in the API's error shape
    again = api.patch(f"/api/v1/contests/contests/{contest.pk}/", {"scheme": SCHEME}, format="json")
    assert again.status_code == 400
    assert again.json()["type"] == "validation_error"
    assert Contest.objects.get(pk=contest.pk).history.count() >= 2


def test_a_scheme_whose_weights_miss_100_is_refused_and_nothing_is_created(tree, people):
    api = _api(people.district_staff)
    bad = [{**SCHEME[0], "weight": "40"}, SCHEME[1]]
    response = api.post("/api/v1/contests/contests/", _contest_body(tree.district, scheme=bad), format="json")
    assert response.status_code == 400
    assert "110" in str(response.json())
    assert Contest.objects.count() == 0


def test_ids_outside_the_callers_scope_are_not_found(tree, people):
    api = _api(people.town_a_staff)
    response = api.post("/api/v1/contests/contests/", _contest_body(tree.town_b), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "organisation"
    # a contest of town B does not exist for town A: 404 (a 403 would say that it exists)
    contest = make_contest(tree.town_b, people.district_staff, name="乐平竞赛", status="draft")
    assert (
        api.patch(f"/api/v1/contests/contests/{contest.pk}/", {"name": "改"}, format="json").status_code
        == 404
    )
    assert Contest.objects.get(pk=contest.pk).name == "乐平竞赛"
    # titles are the district's to define: a town may not (403 before any lookup)
    title = make_title(tree.town_b, people.district_staff, name="乐平称号")
    assert api.patch(f"/api/v1/honours/titles/{title.pk}/", {"name": "改"}, format="json").status_code == 403
    assert HonourTitle.objects.get(pk=title.pk).name == "乐平称号"


def test_a_member_cannot_create_a_contest(tree, people):
    response = _api(people.member_user).post(
        "/api/v1/contests/contests/", _contest_body(tree.district), format="json"
    )
    assert response.status_code == 403
    assert Contest.objects.count() == 0


def test_judges_are_put_on_a_panel_once(tree, people):
    from union_portal.accounts.roles import Role

    api = _api(people.district_staff)
    user = make_user(Role.MEMBER, tree.district, username="judge-new")
    body = {"user": user.pk, "name": "王裁判", "organisation": tree.district.pk, "speciality": "焊接"}
    created = api.post("/api/v1/contests/judges/", body, format="json")
    assert created.status_code == 201, created.content
    judge = Judge.objects.get(pk=created.json()["id"])
    assert user.groups.filter(name=Role.JUDGE).exists()
    twice = api.post("/api/v1/contests/judges/", {**body, "name": "又一个"}, format="json")
    assert twice.status_code == 400 and twice.json()["errors"][0]["attr"] == "user"
    off = api.patch(f"/api/v1/contests/judges/{judge.pk}/", {"is_active": False}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False


def test_titles_studios_and_mentor_pairs_are_created_changed_and_concluded(tree, people):
    api = _api(people.district_staff)
    title = api.post(
        "/api/v1/honours/titles/",
        {
            "name": "区技术能手",
            "level": "district",
            "holder_kind": "person",
            "organisation": tree.district.pk,
        },
        format="json",
    )
    assert title.status_code == 201, title.content
    same = api.post(
        "/api/v1/honours/titles/",
        {
            "name": "区技术能手",
            "level": "district",
            "holder_kind": "person",
            "organisation": tree.district.pk,
        },
        format="json",
    )
    assert same.status_code == 400 and same.json()["errors"][0]["attr"] == "name"
    studio = api.post(
        "/api/v1/honours/studios/",
        {"name": "陈晓明劳模创新工作室", "kind": "model_worker", "namesake_name": "陈晓明",
         "organisation": tree.union_a.pk, "founded_on": "2025-05-01"},
        format="json",
    )  # fmt: skip
    assert studio.status_code == 201, studio.content
    assert Studio.objects.get(pk=studio.json()["id"]).organisation == tree.union_a
    mentor, apprentice = make_member(tree.union_a, name="陈师傅"), make_member(tree.union_a, name="李徒弟")
    body = {"organisation": tree.union_a.pk, "mentor": mentor.pk, "apprentice": apprentice.pk, "occupation": "电工",
            "goals": "取得中级电工证", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}  # fmt: skip
    pair = api.post("/api/v1/honours/mentor-pairs/", body, format="json")
    assert pair.status_code == 201, pair.content
    assert pair.json()["mentor"] != "陈师傅"  # masked
    assert api.post("/api/v1/honours/mentor-pairs/", body, format="json").status_code == 400
    own = api.post("/api/v1/honours/mentor-pairs/", {**body, "apprentice": mentor.pk}, format="json")
    assert own.status_code == 400 and own.json()["errors"][0]["attr"] == "apprentice"
    done = api.post(
        f"/api/v1/honours/mentor-pairs/{pair.json()['id']}/conclude/",
        {"outcome": "取得中级电工证"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "ended"
    assert MentorPair.objects.get(pk=pair.json()["id"]).outcome == "取得中级电工证"


def test_an_empty_or_malformed_page_is_refused_naming_it(people):
    api = _api(people.district_staff)
    assert api.get("/api/v1/honours/objections/?page=1").status_code == 200
    for query in ("page=", "page=0", "page=x", "page=1&page=2"):
        response = api.get(f"/api/v1/honours/objections/?{query}")
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["attr"] == "page"

"""The API's routes are grouped by their first path segment (``union_portal.api.urls.by_first_segment``):
every route still reverses and resolves to itself, and an unknown path still gets the API's JSON 404."""

from __future__ import annotations

import re

from django.urls import resolve, reverse

from union_portal.api.urls import router


def _sample_kwargs(regex: str) -> dict[str, str]:
    return {name: ("json" if name == "format" else "1") for name in re.findall(r"\(\?P<(\w+)>", regex)}


def test_every_route_reverses_and_resolves_to_itself():
    checked = 0
    for pattern in router.urls:
        kwargs = _sample_kwargs(str(pattern.pattern))
        path = reverse(f"v1:{pattern.name}", kwargs=kwargs)
        match = resolve(path)
        assert (match.view_name, match.kwargs) == (f"v1:{pattern.name}", kwargs), path
        assert match.func.__name__ == pattern.callback.__name__
        checked += 1
    assert checked > 100


def test_the_routes_a_partner_calls_resolve_as_before():
    assert resolve("/api/v1/quiz/attempts/12/submit/").view_name == "v1:quiz-attempt-submit"
    assert resolve("/api/v1/quiz/attempts/12/submit/").kwargs == {"pk": "12"}
    assert resolve("/api/v1/quiz/3/leaderboard/").view_name == "v1:quiz-leaderboard"
    assert resolve("/api/v1/members/").view_name == "v1:member-list"
    assert resolve("/api/v1/").view_name == "v1:api-root"
    assert resolve("/api/v1/quiz/nothing-here/").view_name == "not-found"


def test_an_unknown_path_under_a_known_segment_is_the_apis_json_404(client):
    response = client.get("/api/v1/quiz/attempts/x/y/z/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")

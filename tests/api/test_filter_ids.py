"""An id filter takes any whole number the schema allows: a huge one matches nothing, it is not refused."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/volunteers/records/", "team"),
        ("/api/v1/volunteers/signups/", "activity"),
        ("/api/v1/members/", "union"),
        ("/api/v1/members/", "employer"),
        ("/api/v1/members/", "within"),
        ("/api/v1/enterprises/", "town"),
        ("/api/v1/organisations/", "within"),
        ("/api/v1/aid/applications/", "campaign"),
        ("/api/v1/aid/applications/", "member"),
    ],
)
def test_a_huge_id_matches_nothing_and_a_malformed_one_is_a_400(people, path, name):
    client = APIClient()
    client.force_authenticate(people.district_staff)

    huge = client.get(path, {name: str(10**60)})
    malformed = client.get(path, {name: "1.5"})

    assert huge.status_code == 200, huge.content
    assert huge.json()["count"] == 0
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["attr"] == name


def test_a_filter_no_row_can_match_is_an_empty_page_not_an_error(people):
    """``?star_level=-1`` on a positive column: Django knows no row matches before asking the database;
    the estimated count (PostgreSQL) must say 0, not fail while writing the query it never sends."""
    from union_portal.core.pagination import planner_estimate
    from volunteers.models import Volunteer

    client = APIClient()
    client.force_authenticate(people.district_staff)
    response = client.get("/api/v1/volunteers/volunteers/", {"star_level": "-252"})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
    assert planner_estimate(Volunteer.objects.filter(star_level=-252)) in (0, None)  # None: not PostgreSQL

"""An id filter takes any whole number the schema allows: a huge one matches nothing, it is not refused."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.parametrize("path", ["/api/v1/volunteers/records/", "/api/v1/volunteers/signups/"])
def test_a_huge_id_matches_nothing_and_a_malformed_one_is_a_400(people, path):
    client = APIClient()
    client.force_authenticate(people.district_staff)
    name = "team" if "records" in path else "activity"

    huge = client.get(path, {name: str(10**60)})
    malformed = client.get(path, {name: "1.5"})

    assert huge.status_code == 200, huge.content
    assert huge.json()["count"] == 0
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["attr"] == name

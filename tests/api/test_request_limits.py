"""Answers that broke (issue 18.5): a huge body is a 413 in the standard error shape, and a reason
must be text, not a number."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from union_portal.core.models import AccessLog

from ..members.factories import make_member


def test_a_body_over_the_limit_is_a_413_with_the_standard_error_body(tree, people, api, settings):
    member = make_member(tree.union_a)
    body = json.dumps({"reason": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)})

    response = api(people.town_a_staff).post(
        reverse("v1:member-reveal", args=[member.pk]), body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "request_too_large", "detail": "The request body is too large.", "attr": None}],
    }


@pytest.mark.parametrize("reason", [123, True, ["核对"], {"text": "核对"}])
def test_a_reason_that_is_not_text_is_refused(tree, people, api, reason):
    member = make_member(tree.union_a)

    response = api(people.town_a_staff).post(
        reverse("v1:member-reveal", args=[member.pk]), {"reason": reason}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "reason"
    assert not AccessLog.objects.exists()

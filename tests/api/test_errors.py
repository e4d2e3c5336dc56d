"""Every error of a service or a validator reaches a partner in the one JSON shape."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from union_portal.api.errors import exception_handler
from union_portal.core.errors import ApplicationError, NotFoundError, PermissionDeniedError


def handle(exc):
    request = APIRequestFactory().post("/api/v1/anything/")
    response = exception_handler(exc, {"view": None, "request": request, "args": (), "kwargs": {}})
    return response.status_code, response.data


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (
            ApplicationError("Give the reason.", code="required", field="reason"),
            400,
            {
                "type": "validation_error",
                "errors": [{"code": "required", "detail": "Give the reason.", "attr": "reason"}],
            },
        ),
        (
            ApplicationError("Only a pending application can be approved.", code="not_pending"),
            400,
            {
                "type": "validation_error",
                "errors": [
                    {
                        "code": "not_pending",
                        "detail": "Only a pending application can be approved.",
                        "attr": "non_field_errors",
                    }
                ],
            },
        ),
        (
            PermissionDeniedError("No."),
            403,
            {
                "type": "client_error",
                "errors": [{"code": "permission_denied", "detail": "No.", "attr": None}],
            },
        ),
        (
            NotFoundError("Gone."),
            404,
            {"type": "client_error", "errors": [{"code": "not_found", "detail": "Gone.", "attr": None}]},
        ),
        (
            ValidationError({"credit_code": ValidationError("Bad code.", code="uscc_checksum")}),
            400,
            {
                "type": "validation_error",
                "errors": [{"code": "uscc_checksum", "detail": "Bad code.", "attr": "credit_code"}],
            },
        ),
        (
            ValidationError("Bad.", code="bad"),
            400,
            {
                "type": "validation_error",
                "errors": [{"code": "bad", "detail": "Bad.", "attr": "non_field_errors"}],
            },
        ),
    ],
)
def test_errors_in_the_standard_shape(exc, status, body):
    assert handle(exc) == (status, body)


def test_a_message_with_parameters_is_interpolated():
    exc = ApplicationError("Over budget by %(amount)s yuan.", code="over_budget", params={"amount": "12.50"})

    assert handle(exc)[1]["errors"] == [
        {"code": "over_budget", "detail": "Over budget by 12.50 yuan.", "attr": "non_field_errors"}
    ]

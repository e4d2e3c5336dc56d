"""One JSON error shape (drf-standardized-errors), also for :class:`ApplicationError`.

A service error about one input comes out as a field error (``attr`` is the field),
any other as a non-field error (``attr`` is ``non_field_errors``, as for a serializer's
``validate``); a denied permission is a 403, an unknown row a 404::

    {"type": "validation_error",
     "errors": [{"code": "required", "detail": "Give the reason for the rejection.", "attr": "reason"}]}
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import exception_handler as standardized_handler
from rest_framework import exceptions
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings

from union_portal.core.errors import ApplicationError


def as_api_exception(error: ApplicationError) -> exceptions.APIException:
    detail = exceptions.ErrorDetail(str(error), code=error.code)
    if error.status_code == 403:
        return exceptions.PermissionDenied(detail)
    if error.status_code == 404:
        return exceptions.NotFound(detail)
    return exceptions.ValidationError({error.field or api_settings.NON_FIELD_ERRORS_KEY: [detail]})


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        exc = as_api_exception(exc)
    elif isinstance(exc, DjangoValidationError):
        # A model validator reached from a view: a 400 with its fields, not a 500.
        detail = get_error_detail(exc)
        if not isinstance(detail, dict):
            detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
        exc = exceptions.ValidationError(detail)
    return standardized_handler(exc, context)

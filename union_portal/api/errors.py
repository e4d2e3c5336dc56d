"""One JSON error shape (drf-standardized-errors), also for :class:`ApplicationError`.

A service error about one input comes out as a field error (``attr`` is the field),
any other as a non-field error (``attr`` is ``non_field_errors``, as for a serializer's
``validate``); a denied permission is a 403, an unknown row a 404::

    {"type": "validation_error",
     "errors": [{"code": "required", "detail": "Give the reason for the rejection.", "attr": "reason"}]}

The conversions live in :class:`ExceptionHandler` (``DRF_STANDARDIZED_ERRORS["EXCEPTION_HANDLER_CLASS"]``);
the handler function is the library's own, because its schema class documents the error
responses only for that very function (an identity check in ``drf_standardized_errors.openapi``).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_standardized_errors import handler
from rest_framework import exceptions
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings

from union_portal.core.errors import ApplicationError

#: ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` points here; it must stay the library's function.
exception_handler = handler.exception_handler


def as_api_exception(error: ApplicationError) -> exceptions.APIException:
    detail = exceptions.ErrorDetail(str(error), code=error.code)
    if error.status_code == 403:
        return exceptions.PermissionDenied(detail)
    if error.status_code == 404:
        return exceptions.NotFound(detail)
    return exceptions.ValidationError({error.field or api_settings.NON_FIELD_ERRORS_KEY: [detail]})


class RequestTooLarge(exceptions.APIException):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's ``RequestDataTooBig``): 413, not a 500."""

    status_code = 413
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


class ExceptionHandler(handler.ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        if isinstance(exc, ApplicationError):
            return as_api_exception(exc)
        if isinstance(exc, DjangoValidationError):
            # A model validator reached from a view: a 400 naming its fields, not a 500.
            detail = get_error_detail(exc)
            if not isinstance(detail, dict):
                detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
            return exceptions.ValidationError(detail)
        return super().convert_known_exceptions(exc)

"""One JSON error shape (drf-standardized-errors), also for :class:`ApplicationError`."""

from __future__ import annotations

from drf_standardized_errors.handler import exception_handler as standardized_handler
from rest_framework import exceptions

from union_portal.core.errors import ApplicationError


def as_api_exception(error: ApplicationError) -> exceptions.APIException:
    detail = exceptions.ErrorDetail(str(error), code=error.code)
    if error.status_code == 403:
        return exceptions.PermissionDenied(detail)
    if error.status_code == 404:
        return exceptions.NotFound(detail)
    return exceptions.ValidationError({error.field: [detail]} if error.field else [detail])


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        exc = as_api_exception(exc)
    return standardized_handler(exc, context)

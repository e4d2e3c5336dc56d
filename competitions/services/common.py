"""Helpers the contest and honour services share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from union_portal.core.errors import ApplicationError
from union_portal.core.validators import clean_text

REASON_MAX = 300


def invalid(message, field: str | None = None, code: str = "invalid", **params) -> ApplicationError:
    return ApplicationError(message, code=code, field=field, params=params or None)


def text(
    value, field: str, *, required: bool = True, limit: int = REASON_MAX, multiline: bool = False
) -> str:
    try:
        return clean_text(value, max_length=limit, required=required, multiline=multiline)
    except ValidationError as error:
        raise ApplicationError.from_validation_error(error, field=field) from None


def link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the portal is not mounted (a management command in a bare project)
        return ""


def in_subtree(org, root) -> bool:
    """Whether ``org`` is ``root`` or below it in the organisation tree."""
    return org is not None and root is not None and org.path.startswith(root.path)

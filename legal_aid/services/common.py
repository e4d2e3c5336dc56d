"""Helpers every service module of legal aid uses: errors, text, money, links, who to tell."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.validators import clean_text

CENT = Decimal("0.01")


def invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def text(value, field: str, *, limit: int, required: bool = True, multiline: bool = False) -> str:
    try:
        return clean_text(value, max_length=limit, multiline=multiline, required=required)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field=field) from None


def money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise invalid(_("Enter an amount in yuan."), field) from None
    if amount < 0:
        raise invalid(_("The amount cannot be negative."), field)
    if amount >= Decimal("1e10"):
        raise invalid(_("The amount is too large."), field)
    return amount


def link(name: str, *args, query: str = "") -> str:
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:  # the portal or admin is not mounted (a bare management command)
        return ""


def staff_with(perm: str, path: str):
    """Active staff users with ``perm`` (through a role or directly) whose node contains ``path``."""
    app_label, codename = perm.split(".")
    by_group = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    )
    direct = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, organisation__isnull=False)
        .filter(by_group | direct)
        .select_related("organisation")
        .distinct()
    )
    return [u for u in users if path.startswith(u.organisation.path)]


def is_lawyer_of(user, lawyer) -> bool:
    return lawyer is not None and user is not None and user.is_authenticated and lawyer.user_id == user.pk

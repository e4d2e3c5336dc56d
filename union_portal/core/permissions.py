"""Checks every service makes before it writes: the permission, and the row in the actor's scope."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import PermissionDeniedError


def require_perm(user, perm: str) -> None:
    if user is None or not user.is_active or not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have permission to do this."))


def outside_organisation() -> PermissionDeniedError:
    """The refusal of a record outside what the user may see."""
    return PermissionDeniedError(_("This record is outside your organisation."))


def require_visible(user, obj) -> None:
    """The object must be within what ``user`` may see (the one scoping rule)."""
    manager = type(obj)._default_manager
    if not manager.visible_to(user).filter(pk=obj.pk).exists():
        raise outside_organisation()


def visible_pks(user, model, pks) -> set:
    """Which of ``pks`` (rows of ``model``) ``user`` may see: :func:`require_visible` for many rows
    at once, in one query (refuse the others with :func:`outside_organisation`)."""
    return set(model._default_manager.visible_to(user).filter(pk__in=set(pks)).values_list("pk", flat=True))


def require_in_area(user, obj) -> None:
    """The object must be within the user's area, whether or not they filed it: for acting on one record
    the user names exactly (a proxy agent filing aid for a worker by ID number). Reads use
    :func:`require_visible`."""
    manager = type(obj)._default_manager
    if not manager.in_area_of(user).filter(pk=obj.pk).exists():
        raise PermissionDeniedError(_("This record is outside your organisation."))

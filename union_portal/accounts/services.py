"""Writes on users that carry a rule: one way to create a member's login."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.validators import normalize_mobile

from .models import User
from .roles import Role


def ensure_mobile_free(mobile: str) -> None:
    """A mobile number logs in one person: refuse a second login for it."""
    mobile = normalize_mobile(mobile)
    if User.objects.filter(Q(username=mobile) | Q(mobile=mobile)).exists():
        raise ApplicationError(
            _(
                "An account with this mobile number already exists: log in to follow or renew your application."
            ),
            code="account_exists",
            field="mobile",
        )


@transaction.atomic
def member_login_create(*, mobile: str, display_name: str, password: str | None) -> User:
    """The login of a member: user name and mobile are the normalised mobile number, role member.

    Without a password the login cannot be used until one is set (activation, reset)."""
    mobile = normalize_mobile(mobile)
    ensure_mobile_free(mobile)
    user = User(username=mobile, mobile=mobile, display_name=display_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.MEMBER)[0])
    return user

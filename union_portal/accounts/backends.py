"""Login by username or mobile number (``+86``, spaces and dashes allowed)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q

from union_portal.core.validators import normalize_mobile


def login_key(value: str | None) -> str:
    """The one normalisation of what a person types as login: used by the backend and by axes."""
    value = (value or "").strip()
    try:
        return normalize_mobile(value)
    except ValidationError:
        return value


#: The lockout key of every identifier that names no account: unknown names count per client address
#: (axes pairs this key with the address). No user name can contain "?", so no account shares it.
UNKNOWN_ACCOUNT_KEY = "?unknown"


def find_login_user(value: str | None):
    """The account a typed identifier (user name or mobile, any spelling) names, or None."""
    key = login_key(value)
    if not key:
        return None
    return get_user_model().objects.filter(Q(username=key) | Q(mobile=key)).order_by("pk").first()


def axes_username(request, credentials) -> str:
    """What axes counts failures under: the account (its user name), whatever identifier was typed,
    so that a mobile locked out cannot be dodged by typing the same account's user name."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None and request.method == "POST":
        typed = request.POST.get("username")
    user = find_login_user(typed)
    return user.get_username() if user is not None else UNKNOWN_ACCOUNT_KEY


class MobileOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_login_user(username)
        if user is None:
            get_user_model()().set_password(password)  # same time as a real check (timing attacks)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

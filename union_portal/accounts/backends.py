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


def axes_username(request, credentials) -> str:
    return login_key((credentials or {}).get("username"))


class MobileOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        key = login_key(username)
        user_model = get_user_model()
        user = user_model.objects.filter(Q(username=key) | Q(mobile=key)).order_by("pk").first()
        if user is None:
            user_model().set_password(password)  # same time as a real check (timing attacks)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

"""Rate limits of the API (django-axes does not cover API keys: docs/pitfalls.md)."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.throttling import UserRateThrottle as _DRFUserRateThrottle

from .models import APIKey


def _api_key(request) -> APIKey | None:
    """The key a call was made with (``APIKeyAuthentication`` puts it in ``request.auth``), else None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, APIKey) else None


class _SettingsRateMixin:
    """Read the rate from the settings at request time, not at import, so that it can be configured
    per environment and changed in tests with the ``settings`` fixture."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate set for the scope {self.scope!r}.") from None


class APIKeyRateThrottle(_SettingsRateMixin, SimpleRateThrottle):
    """Limits each partner key on its own."""

    scope = "api_key"

    def allow_request(self, request, view):
        key = _api_key(request)
        rate = key.rate if key is not None else ""
        if rate:  # the key's own rate, set by staff on the key
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        key = _api_key(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.prefix}


class UserRateThrottle(_SettingsRateMixin, _DRFUserRateThrottle):
    """Limits each signed-in user calling without a key (a session), and anonymous clients by address.
    A call with a key is limited by :class:`APIKeyRateThrottle` alone: the key's own rate, set by staff,
    is what the partner gets (the user rate, lower by default, used to cap every key too)."""

    def get_cache_key(self, request, view):
        if _api_key(request) is not None:
            return None
        return super().get_cache_key(request, view)


class CardVerifyThrottle(_SettingsRateMixin, SimpleRateThrottle):
    """Card verification tells whether a card number is valid: limit guessing, per key, per user,
    and per address for anything else."""

    scope = "card_verify"

    def get_cache_key(self, request, view):
        key = _api_key(request)
        if key is not None:
            ident = f"key-{key.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

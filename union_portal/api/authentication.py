"""Partner systems authenticate with ``Authorization: Api-Key <key>``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from union_portal.core.frozen import FrozenQuery

from .models import APIKey, hash_key
from .scopes import required_scope

KEYWORD = "Api-Key"

#: The usable key of a secret's hash with its user and the user's organisation, in one statement that
#: is compiled once per process (every partner call runs it; compiling it cost more than running it).
KEY_BY_HASH = FrozenQuery(
    lambda hashed_key, now: (
        APIKey.objects.usable(now=now)
        .select_related("user", "user__organisation")
        .filter(hashed_key=hashed_key)
        .order_by()
    ),
    hashed_key=str,
    now=dt.datetime,
)


class APIKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, secret = header.partition(" ")
        if keyword != KEYWORD:
            return None
        secret = secret.strip()
        if not secret:
            raise exceptions.AuthenticationFailed(_("No API key given."))
        now = timezone.now()
        found = KEY_BY_HASH.all(hashed_key=hash_key(secret), now=now)
        key = found[0] if found else None
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired API key."))
        # The call log (middleware) reads the key from the Django request, refused calls included.
        request._request.api_key = key
        view = (request.parser_context or {}).get("view")
        if view is not None:
            scope = required_scope(view, request.method)
            if not key.allows(scope):
                raise exceptions.PermissionDenied(
                    _("This API key may not do this: it needs the scope %(scope)s.") % {"scope": scope}
                )
        if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=5):
            APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request):
        return KEYWORD


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "union_portal.api.authentication.APIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`",
        }

"""Helpers of the portal pages every app uses."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from union_portal.accounts.roles import Role


def is_proxy_agent(user) -> bool:
    """Whether ``user`` files applications for others (代办员)."""
    return user.is_authenticated and user.has_role(Role.PROXY_AGENT)


def proxy_agent_required(view):
    """A portal view for proxy agents only: others log in first, then get a 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_proxy_agent(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def absolute_url(request, path: str) -> str:
    """``path`` as an absolute address: under ``settings.SITE_URL`` when it is set (a portal behind a
    proxy that rewrites the host), else as the request reached the server (scheme, host, port).
    Without either (a task, no SITE_URL) the path alone: set SITE_URL where links leave a request."""
    base = settings.SITE_URL.rstrip("/")
    if base:
        return f"{base}{path}"
    return request.build_absolute_uri(path) if request is not None else path

"""The client's address, the one way every throttle and lockout reads it.

Behind ``PROXY_COUNT`` trusted reverse proxies the client is the address that the outermost of them
appended to ``X-Forwarded-For`` (the N-th from the right); anything further left was written by the
client and may be forged. Without proxies it is ``REMOTE_ADDR`` and the header is ignored.
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    proxies = getattr(settings, "PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]

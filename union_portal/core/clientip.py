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


def client_key(request) -> str:
    """Who a per-client throttle counts: the client's address, or for IPv6 its /64 network (one
    subscriber is given a whole /64 and can walk through its addresses at will); "unknown" without one."""
    import ipaddress

    ip = client_ip(request)
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def over_rate(request, scope: str, limit: int, window: int = 60, *, everybody: bool = False) -> bool:
    """Count this request in a fixed window of ``window`` seconds per client (:func:`client_key`), or
    for ``everybody`` together, in the shared cache (the same count in every process with Redis); True
    when the count is over ``limit``. ``scope`` names what is counted, unique across the project."""
    from django.core.cache import cache

    key = f"rate:{scope}:{'*' if everybody else client_key(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit

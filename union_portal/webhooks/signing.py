"""How a delivery is signed, and how a partner checks it (the snippet of docs/partner-api.md).

Header ``X-Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``: the HMAC, keyed with the
subscription's secret, of the timestamp, a dot and the raw body (``b"1764400000." + body``). The
partner recomputes it over the bytes it received, compares in constant time, and refuses a
timestamp older than a few minutes (a replayed capture).
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Portal-Signature"
#: Seconds a signature stays acceptable to a partner that follows our guide.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """What a partner does on receipt: True only for our signature of this body, made recently."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))

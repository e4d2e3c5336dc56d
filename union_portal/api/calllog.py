"""The call log of partner keys, written in batches: one ``INSERT`` (and one commit) per
``API_CALL_LOG_BATCH`` calls instead of one per call.

Each call is recorded as key, time, method, endpoint, status and duration (never the body) into a buffer:

- with ``REDIS_URL``: a Redis list shared by every process. The call that fills a batch writes it; the
  beat job :func:`drain` writes what is left every minute, so a quiet hour's calls show too.
- without Redis (development, tests, the embedded setup): the process's own buffer, written when it
  holds a batch, when its oldest call is ``API_CALL_LOG_FLUSH_SECONDS`` old (checked at each call) and
  when the process exits.

A batch that cannot be written (database down) goes back to the buffer and is written with the next one.
With ``API_CALL_LOG_BATCH`` 1 every call is written as it ends.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import threading
import time

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

REDIS_LIST = "api:call-log"
#: At most this many batches wait in a process's buffer while the database refuses them.
MAX_BACKLOG_BATCHES = 50

_lock = threading.Lock()
_buffer: list[tuple] = []
_oldest: float | None = None
_redis = None


def _batch() -> int:
    return max(1, settings.API_CALL_LOG_BATCH)


def _redis_client():
    global _redis
    url = settings.REDIS_URL
    if not url:
        return None
    if _redis is None or _redis[0] != url:
        import redis

        _redis = (url, redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))
    return _redis[1]


def record(*, key_id: int, method: str, endpoint: str, status: int, duration_ms: int, at=None) -> None:
    """Log one call (never raises: a failed log line must not fail the partner's call)."""
    entry = (
        key_id,
        (at or timezone.now()).isoformat(),
        method[:8],
        endpoint[:200],
        status,
        max(0, duration_ms),
    )
    batch = _batch()
    if batch > 1:
        client = _redis_client()
        if client is not None:
            try:
                length = client.rpush(REDIS_LIST, json.dumps(entry))
            except Exception:  # noqa: BLE001 - Redis lost: keep the call in this process instead
                logger.warning("API call log: Redis push failed, buffering in the process", exc_info=True)
            else:
                if length >= batch:
                    try:
                        _drain_redis(client, batch)
                    except Exception:  # noqa: BLE001 - the calls stay in the list for the next drain
                        logger.exception("API call log: writing a batch failed")
                return
    global _oldest
    with _lock:
        _buffer.append(entry)
        if _oldest is None:
            _oldest = time.monotonic()
        due = len(_buffer) >= batch or time.monotonic() - _oldest >= settings.API_CALL_LOG_FLUSH_SECONDS
    if due:
        flush()


def _write(entries: list) -> None:
    from .models import APICall

    APICall.objects.bulk_create(
        [
            APICall(
                key_id=key_id,
                at=dt.datetime.fromisoformat(at),
                method=method,
                endpoint=endpoint,
                status=status,
                duration_ms=duration_ms,
            )
            for key_id, at, method, endpoint, status, duration_ms in entries
        ]
    )


def flush() -> int:
    """Write this process's buffer; returns how many calls were written."""
    global _oldest
    with _lock:
        entries = _buffer[:]
        _buffer.clear()
        _oldest = None
    if not entries:
        return 0
    try:
        _write(entries)
    except Exception:  # noqa: BLE001 - keep them for the next try
        logger.exception("API call log: writing %s calls failed", len(entries))
        with _lock:
            keep = entries[-MAX_BACKLOG_BATCHES * _batch() :]
            _buffer[:0] = keep
            _oldest = _oldest or time.monotonic()
        return 0
    return len(entries)


def _drain_redis(client, limit: int | None = None) -> int:
    """Take up to ``limit`` calls (all when None) off the Redis list, atomically, and write them."""
    written = 0
    step = max(_batch(), 1000)
    while True:
        size = step if limit is None else min(step, limit - written)
        if size <= 0:
            return written
        pipe = client.pipeline(transaction=True)
        pipe.lrange(REDIS_LIST, 0, size - 1)
        pipe.ltrim(REDIS_LIST, size, -1)
        raw, _ok = pipe.execute()
        if not raw:
            return written
        entries = [json.loads(item) for item in raw]
        try:
            _write(entries)
        except Exception:
            client.lpush(REDIS_LIST, *reversed(raw))  # back at the head, in their order
            raise
        written += len(entries)
        if len(raw) < size:
            return written


def drain() -> int:
    """Write every call still buffered: this process's and (with Redis) the shared list's."""
    written = flush()
    client = _redis_client()
    if client is not None:
        written += _drain_redis(client)
    return written


def pending() -> int:
    """Calls not written yet (this process's buffer and the shared list)."""
    count = len(_buffer)
    client = _redis_client()
    if client is not None:
        count += client.llen(REDIS_LIST)
    return count


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # noqa: BLE001 - the process is going away; nothing else to do
        logger.exception("API call log: flush at exit failed")


atexit.register(_flush_at_exit)

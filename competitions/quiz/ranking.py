"""The monthly leaderboard: a Redis sorted set when Redis is configured, the database otherwise.

Both order by the same integer, :func:`rank_key` (smaller is better)::

    rank_key = milliseconds since the month began when the points were reached - points * 2**32

so more points come first and, for equal points, whoever reached them first; equal keys are
ordered by participant id (the set's members are zero-padded ids, which Redis orders as strings).
The key is stored on :class:`~competitions.quiz.models.MonthScore` and indexed, so the database
reads the top 100 and one participant's rank from the index; Redis reads them in O(log n).

Points only grow within a month, so a participant's key only falls: every write to Redis is
``ZADD ... LT`` (keep the smaller), which makes pushes and a rebuild from the database commute. A
month's set is rebuilt from the database when its "ready" marker is missing (Redis restarted or
flushed); while one process rebuilds, the others read the database. Any Redis error falls back to
the database: the page is slower, never wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from .models import PRIZE_WINNERS, MonthScore, Participant

log = logging.getLogger(__name__)

SHIFT = 2**32
KEEP_SECONDS = 120 * 86400  # a month's set is kept four months after its last write
REBUILD_CHUNK = 5000


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_start_moment(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def rank_key(*, points: int, reached_at: dt.datetime, month: dt.date) -> int:
    ms = int((reached_at - month_start_moment(month)).total_seconds() * 1000)
    return min(max(ms, 0), SHIFT - 1) - points * SHIFT


def points_of(key: float | int) -> int:
    return -(int(key) // SHIFT)


@dataclass(frozen=True)
class Standing:
    rank: int
    participant_id: int
    points: int


# --- the database ---------------------------------------------------------------------------------


def _scores(quiz_id: int, month: dt.date):
    return MonthScore.objects.filter(quiz_id=quiz_id, month=month)


def db_top(quiz_id: int, month: dt.date, n: int = PRIZE_WINNERS) -> list[Standing]:
    rows = (
        _scores(quiz_id, month)
        .order_by("rank_key", "participant_id")
        .values_list("participant_id", "rank_key")[:n]
    )
    return [Standing(i, pid, points_of(key)) for i, (pid, key) in enumerate(rows, start=1)]


def db_standing(quiz_id: int, month: dt.date, participant_id: int) -> Standing | None:
    key = (
        _scores(quiz_id, month)
        .filter(participant_id=participant_id)
        .values_list("rank_key", flat=True)
        .first()
    )
    if key is None:
        return None
    ahead = (
        _scores(quiz_id, month)
        .filter(Q(rank_key__lt=key) | Q(rank_key=key, participant_id__lt=participant_id))
        .count()
    )
    return Standing(ahead + 1, participant_id, points_of(key))


# --- Redis ------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _client_for(url: str):
    """One client (and its connection pool) per process and URL: a request does not connect anew."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def redis_client():
    """A client of the configured Redis (``QUIZ_LEADERBOARD_REDIS`` on and ``REDIS_URL`` set), or None."""
    url = settings.REDIS_URL
    if not url or not getattr(settings, "QUIZ_LEADERBOARD_REDIS", True):
        return None
    return _client_for(url)


def board_key(quiz_id: int, month: dt.date) -> str:
    return f"quiz:board:{quiz_id}:{month:%Y-%m}"


def _member(participant_id: int) -> str:
    return f"{participant_id:012d}"


def redis_push(quiz_id: int, month: dt.date, participant_id: int, key: int) -> None:
    """Record a participant's new key (after commit); a lost push is repaired by the next rebuild."""
    client = redis_client()
    if client is None:
        return
    try:
        name = board_key(quiz_id, month)
        pipe = client.pipeline(transaction=False)
        pipe.zadd(name, {_member(participant_id): key}, lt=True)
        pipe.expire(name, KEEP_SECONDS)
        pipe.execute()
    except Exception:  # noqa: BLE001 - Redis is an accelerator; the database stays the truth
        log.warning("quiz leaderboard: push to Redis failed", exc_info=True)


def redis_rebuild(client, quiz_id: int, month: dt.date) -> bool:
    """Fill the month's set from the database (ZADD LT merges with pushes made meanwhile). Returns
    False when another process holds the rebuild lock."""
    name = board_key(quiz_id, month)
    if not client.set(f"{name}:building", "1", nx=True, ex=120):
        return False
    try:
        rows = _scores(quiz_id, month).order_by("pk").values_list("participant_id", "rank_key")
        batch: dict[str, int] = {}
        for pid, key in rows.iterator(chunk_size=REBUILD_CHUNK):
            batch[_member(pid)] = key
            if len(batch) >= REBUILD_CHUNK:
                client.zadd(name, batch, lt=True)
                batch = {}
        if batch:
            client.zadd(name, batch, lt=True)
        client.expire(name, KEEP_SECONDS)
        client.set(f"{name}:ready", "1", ex=KEEP_SECONDS)
    finally:
        client.delete(f"{name}:building")
    return True


def _ready_client(quiz_id: int, month: dt.date):
    client = redis_client()
    if client is None:
        return None
    name = board_key(quiz_id, month)
    if client.exists(f"{name}:ready") or redis_rebuild(client, quiz_id, month):
        return client
    return None


def redis_top(client, quiz_id: int, month: dt.date, n: int = PRIZE_WINNERS) -> list[Standing]:
    rows = client.zrange(board_key(quiz_id, month), 0, n - 1, withscores=True)
    return [Standing(i, int(member), points_of(key)) for i, (member, key) in enumerate(rows, start=1)]


def redis_standing(client, quiz_id: int, month: dt.date, participant_id: int) -> Standing | None:
    name = board_key(quiz_id, month)
    pipe = client.pipeline(transaction=False)
    pipe.zrank(name, _member(participant_id))
    pipe.zscore(name, _member(participant_id))
    rank, key = pipe.execute()
    if rank is None:
        return None
    return Standing(rank + 1, participant_id, points_of(key))


# --- what the pages call ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    month: dt.date
    top: list[Standing]
    mine: Standing | None
    source: str  # "redis" or "database"


def board(
    *, quiz_id: int, month: dt.date, participant_id: int | None = None, n: int = PRIZE_WINNERS
) -> Board:
    """The top ``n`` of a month and, when given, one participant's own standing."""
    try:
        client = _ready_client(quiz_id, month)
        if client is not None:
            top = redis_top(client, quiz_id, month, n)
            mine = redis_standing(client, quiz_id, month, participant_id) if participant_id else None
            return Board(month, top, mine, "redis")
    except Exception:  # noqa: BLE001 - fall back to the database, never fail the page
        log.warning("quiz leaderboard: Redis read failed, reading the database", exc_info=True)
    top = db_top(quiz_id, month, n)
    mine = db_standing(quiz_id, month, participant_id) if participant_id else None
    return Board(month, top, mine, "database")


def standing(*, quiz_id: int, month: dt.date, participant_id: int) -> Standing | None:
    """One participant's standing alone (the API's "mine" next to a cached top 100)."""
    try:
        client = _ready_client(quiz_id, month)
        if client is not None:
            return redis_standing(client, quiz_id, month, participant_id)
    except Exception:  # noqa: BLE001 - fall back to the database, never fail the page
        log.warning("quiz leaderboard: Redis read failed, reading the database", exc_info=True)
    return db_standing(quiz_id, month, participant_id)


def participants_of(standings: list[Standing]) -> dict[int, Participant]:
    """The participants of a list of standings, with their unions, in one query."""
    ids = [s.participant_id for s in standings]
    return Participant.objects.filter(pk__in=ids).select_related("union").in_bulk()

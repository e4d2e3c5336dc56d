"""Work waiting for a user: each app declares ``QUEUES`` in its ``queues.py``.

A queue is a count of records this user can act on now (applications to approve, shifts without a
lawyer, score sheets to review), with a link to the filtered list where the work is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .registry import declared


@dataclass(frozen=True)
class WorkQueue:
    key: str
    label: Any
    permission: str  # a user without it does not see the queue
    count: Callable[[Any], int]  # (viewer) -> how many records wait; one query
    url: Callable[[], str]  # the filtered list


def all_queues() -> list[WorkQueue]:
    return [queue for _config, queues in declared("queues", "QUEUES") for queue in queues]


def queues_for(viewer) -> list[tuple[WorkQueue, int]]:
    """The queues ``viewer`` may act on, with their counts (zero included)."""
    return [(queue, queue.count(viewer)) for queue in all_queues() if viewer.has_perm(queue.permission)]

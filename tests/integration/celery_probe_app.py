"""The project's Celery app with test-friendly timings, for the worker the reliability test starts.

Production keeps its settings (``union_portal/settings.py``: acks late, reject on worker lost, a
visibility timeout three times the task time limit of an hour). Here the same app, with the same
acks/reject settings, gets a visibility timeout of seconds and restores abandoned messages every
second, so that a killed worker's task comes back while the test waits. The rule stays the same:
the visibility timeout is longer than the task time limit.
"""

from __future__ import annotations

import os

from union_portal.celery import app

VISIBILITY_TIMEOUT = int(os.environ.get("PROBE_VISIBILITY_TIMEOUT", "10"))
TIME_LIMIT = int(os.environ.get("PROBE_TIME_LIMIT", "8"))
assert VISIBILITY_TIMEOUT > TIME_LIMIT, "a visibility timeout shorter than a task redelivers running tasks"  # noqa: S101

app.conf.update(
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 1,  # sweep for abandoned messages every second ...
        "unacked_restore_throttle": 1,  # ... really every second
    },
    task_time_limit=TIME_LIMIT,
    task_soft_time_limit=TIME_LIMIT - 1,
)

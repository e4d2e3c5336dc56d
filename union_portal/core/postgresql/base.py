"""Django's PostgreSQL backend, with the health check of a persistent connection made only after it
sat idle.

``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of every request that reuses a
connection, so that a connection the server dropped (a restart, a network cut, an idle timeout) is
replaced before it fails a request. Under load that is one more round trip in every request: on the
quiz submit (two statements of its own and the key's) it was a tenth of the database's time.

Here a connection that a request began to use less than ``CONN_HEALTH_CHECK_AFTER_IDLE`` seconds ago
is taken as it is; after a longer idle spell, when a dropped connection is likely, it is checked as
Django does. A connection that dies while requests keep coming fails the query of one request, which
marks it (``errors_occurred``), and Django closes it when that request ends: the next request
connects afresh. ``CONN_HEALTH_CHECK_AFTER_IDLE = 0`` checks at every request (Django's behaviour).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    #: When a request last began to use this connection (``time.monotonic()``), or None.
    used_at: float | None = None

    def connect(self):
        super().connect()
        self.used_at = time.monotonic()

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        now = time.monotonic()
        used_at, self.used_at = self.used_at, now
        if used_at is not None and now - used_at < settings.CONN_HEALTH_CHECK_AFTER_IDLE:
            self.health_check_done = True  # in use a moment ago: a failure now is caught as above
            return
        super().close_if_health_check_failed()

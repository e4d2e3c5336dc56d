"""The call log of partner keys: key, endpoint, status and duration of every call; never the body.

The rows are written in batches (:mod:`union_portal.api.calllog`), not one ``INSERT`` per call."""

from __future__ import annotations

import logging
import time

from . import calllog

logger = logging.getLogger(__name__)


class APICallLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        key = getattr(request, "api_key", None)
        if key is not None:
            match = request.resolver_match
            try:
                calllog.record(
                    key_id=key.pk,
                    method=request.method,
                    endpoint=match.view_name if match else request.path,
                    status=response.status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000),
                )
            except Exception:  # a failed log line must not fail the partner's call
                logger.exception("API call log failed")
        return response

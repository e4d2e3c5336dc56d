"""The call log of partner keys: key, endpoint, status and duration of every call; never the body."""

from __future__ import annotations

import logging
import time

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
            from .models import APICall

            match = request.resolver_match
            try:
                APICall.objects.create(
                    key=key,
                    method=request.method[:8],
                    endpoint=(match.view_name if match else request.path)[:200],
                    status=response.status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000),
                )
            except Exception:  # a failed log line must not fail the partner's call
                logger.exception("API call log failed")
        return response

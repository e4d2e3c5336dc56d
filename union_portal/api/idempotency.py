"""``Idempotency-Key``: a retried request gets the first answer and changes nothing.

The same key with another body is refused (the partner reused a key by mistake); a retry that arrives
while the first request is still running is told to wait. The key is the caller's: two partners may
use the same string.
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from .models import IdempotentRequest

HEADER = "Idempotency-Key"


class IdempotencyConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"


def _digest(data) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def replay_or_run(request, run) -> Response:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return run()
    if len(key) > 100:
        raise ValidationError({HEADER: [_("At most 100 characters.")]}, code="too_long")
    digest = _digest(request.data)
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(owner=request.user, key=key, body_hash=digest)
    except IntegrityError:
        record = IdempotentRequest.objects.get(owner=request.user, key=key)
        if record.body_hash != digest:
            raise IdempotencyConflict(
                _("This Idempotency-Key was used for another request: use a new key for new data."),
                code="idempotency_key_reused",
            ) from None
        if record.status is None:
            raise IdempotencyConflict(
                _("The first request with this Idempotency-Key is still running: retry in a moment."),
                code="idempotency_in_progress",
            ) from None
        return Response(record.response, status=record.status, headers={"Idempotent-Replayed": "true"})
    try:
        response = run()
    except BaseException:
        # Nothing was answered: let a retry do the work.
        IdempotentRequest.objects.filter(pk=record.pk).delete()
        raise
    IdempotentRequest.objects.filter(pk=record.pk).update(status=response.status_code, response=response.data)
    return response

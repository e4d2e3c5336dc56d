"""Partner keys: issued, rotated with an overlap, revoked at once. The secret is shown once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError

from .models import APIKey


@transaction.atomic
def api_key_rotate(*, key: APIKey, now=None) -> tuple[APIKey, str]:
    """A new key with the same user, scopes and rate; the old one works for the overlap, then stops."""
    now = now or timezone.now()
    key = APIKey.objects.select_for_update(of=("self",)).get(pk=key.pk)
    if not key.is_active or key.replaced_by_id is not None:
        raise ApplicationError(_("This key was revoked or already rotated."), code="wrong_state")
    new, secret = APIKey.issue(
        name=key.name, user=key.user, expires_at=key.expires_at, scopes=key.scopes, rate=key.rate
    )
    overlap_end = now + dt.timedelta(hours=settings.API_KEY_ROTATION_OVERLAP_HOURS)
    key.expires_at = min(key.expires_at, overlap_end) if key.expires_at else overlap_end
    key.replaced_by = new
    key.save(update_fields=["expires_at", "replaced_by"])
    return new, secret


@transaction.atomic
def api_key_revoke(*, key: APIKey, now=None) -> APIKey:
    """The key stops at once (the next request with it is refused)."""
    key = APIKey.objects.select_for_update(of=("self",)).get(pk=key.pk)
    if key.is_active:
        key.is_active = False
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["is_active", "revoked_at"])
    return key


def idempotent_requests_purge(*, now=None) -> int:
    """Forget the answers kept for ``Idempotency-Key`` retries once ``IDEMPOTENCY_KEY_HOURS`` have passed.

    They are a technical cache of answers, not records anyone entered: a retry later than that is a new
    request (the guide tells partners so). Returns how many were dropped.
    """
    from .models import IdempotentRequest

    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted

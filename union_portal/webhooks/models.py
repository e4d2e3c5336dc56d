"""Partner webhooks: a subscription per partner key, a delivery per (event, subscription), its attempts.

Deliveries are written in the transaction of the change that caused them (an outbox: an event that
rolls back never leaves) and sent by Celery after the commit; nothing here is ever deleted.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.api.models import APIKey
from union_portal.core.crypto import EncryptedTextField


class SubscriptionQuerySet(models.QuerySet):
    def usable(self):
        """Active subscriptions whose key still works (a revoked or expired key receives nothing)."""
        now = timezone.now()
        return self.filter(is_active=True, key__is_active=True, key__user__is_active=True).filter(
            models.Q(key__expires_at__isnull=True) | models.Q(key__expires_at__gt=now)
        )


class Subscription(models.Model):
    """A partner's endpoint for some events, received as the key's service user would see them:
    only events of its subtree, and only those its scopes and permissions allow."""

    name = models.CharField(_("name"), max_length=100)
    key = models.ForeignKey(
        APIKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("endpoint URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One event for one subscription: sent until the endpoint answers 2xx, for a day at most."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=60)
    #: The same for every subscription of one event and for its replays: partners deduplicate by it.
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    #: A worker sending it holds it until then (a second worker, or the sweeper, leaves it alone).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", verbose_name=_("replay of"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]
        permissions = [("replay_delivery", _("Can replay a webhook delivery"))]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.name}"


class Attempt(models.Model):
    """One HTTP request of a delivery: the answer's status or the error, and how long it took."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.PROTECT, related_name="attempt_log"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status or self.error}"

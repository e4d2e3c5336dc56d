"""The one inbox: every message the portal sends a person, with its SMS delivery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from union_portal.core.scoping import ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet):
    """A notification is its recipient's only (staff do not read each other's inboxes)."""

    scope_owner_lookup = "recipient"

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user: shown in the portal inbox and, when they have a mobile, sent by SMS.

    ``key`` makes sending idempotent: the same event (``aid.approved:42``) produces one row and one
    SMS however often the task that delivers it runs.
    """

    class SMS(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (no mobile number)")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    sms_text = models.TextField(_("SMS text"), blank=True, help_text=_("Empty: the title and the text."))
    urgent = models.BooleanField(_("urgent"), default=False)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    sms_status = models.CharField(_("SMS"), max_length=10, choices=SMS.choices, default=SMS.PENDING)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)
    # When a delivery run claimed the SMS (status SENDING); a claim older than
    # NOTIFICATION_SMS_CLAIM_SECONDS belongs to a run that died and may be taken over.
    sms_claimed_at = models.DateTimeField(_("SMS claimed at"), null=True, blank=True)
    sms_error = models.CharField(_("SMS error"), max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

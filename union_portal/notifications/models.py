"""The one inbox: every message the portal sends a person, with its SMS and email deliveries, and
each person's choice of channels per kind of event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from union_portal.core.scoping import ScopedQuerySet


def people_of(path: str, lookup: str = "pk") -> Q:
    """The users of an organisation subtree: its staff, and the members of its unions
    (``Member.user``, related name ``memberships``, read by name: the platform imports no app)."""
    from django.contrib.auth import get_user_model

    members = get_user_model().objects.filter(memberships__union__path__startswith=path).values("pk")
    base = lookup.removesuffix("pk").removesuffix("_id")
    prefix = f"{base}__" if base else ""
    return Q(**{f"{prefix}organisation__path__startswith": path}) | Q(**{f"{lookup}__in": members})


class NotificationQuerySet(ScopedQuerySet):
    """A notification is its recipient's; the inbox shows only one's own (``selectors.inbox``)."""

    scope_owner_lookup = "recipient"
    scope_org_lookups = ("recipient__organisation",)

    def org_q(self, path: str) -> Q:
        """Staff (in the admin, with ``view_notification``) see the messages of the people of their
        subtree (:func:`people_of`)."""
        return people_of(path, "recipient_id")

    def unread(self):
        return self.filter(read_at__isnull=True)


class Delivery(models.TextChoices):
    """Where one channel (SMS, email) of a message stands."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (no address)")
    OFF = "off", _("Not sent (switched off by the recipient)")


class Notification(models.Model):
    """A message to one user, by the channels they chose for its kind: the portal inbox, an SMS to
    their mobile and an email to their address.

    ``key`` makes sending idempotent: the same event (``aid.approved:42``) produces one row, one SMS
    and one email however often the tasks that deliver it run. Each channel has its own status: a
    run *claims* a pending channel (PENDING -> SENDING, one conditional UPDATE) before calling the
    gateway, so two runs never send it twice.
    """

    SMS = Delivery  # the older name of the statuses
    CHANNELS = ("sms", "email")

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
    html = models.TextField(_("email HTML"), blank=True)
    in_inbox = models.BooleanField(
        _("shown in the inbox"), default=True, help_text=_("False when the recipient switched the inbox off.")
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    sms_status = models.CharField(_("SMS"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)
    # When a delivery run claimed the SMS (status SENDING); a claim older than
    # NOTIFICATION_SMS_CLAIM_SECONDS belongs to a run that died and may be taken over.
    sms_claimed_at = models.DateTimeField(_("SMS claimed at"), null=True, blank=True)
    sms_error = models.CharField(_("SMS error"), max_length=300, blank=True)
    # Quiet hours: a non-urgent SMS that would reach a phone at night waits until this moment.
    sms_not_before = models.DateTimeField(_("SMS not before"), null=True, blank=True)
    email_status = models.CharField(
        _("email"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(_("email claimed at"), null=True, blank=True)
    email_error = models.CharField(_("email error"), max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["sms_not_before"],
                name="notification_sms_waiting",
                condition=models.Q(sms_status="pending", sms_not_before__isnull=False),
            ),
        ]
        permissions = [("retry_notification", _("Can retry a failed delivery"))]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class PreferenceQuerySet(ScopedQuerySet):
    """A person's own choices; staff see those of the people of their subtree (:func:`people_of`)."""

    scope_owner_lookup = "user"
    scope_org_lookups = ("user__organisation",)

    def org_q(self, path: str) -> Q:
        return people_of(path, "user_id")


class NotificationPreference(models.Model):
    """The channels one user wants for one kind of event (see ``<app>/events.py``). No row: the
    kind's defaults. An urgent kind keeps at least one channel (:func:`preference_save`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind of message"), max_length=50)
    inbox = models.BooleanField(_("inbox"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    email = models.BooleanField(_("email"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PreferenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"

    def channels(self) -> set[str]:
        return {name for name in ("inbox", "sms", "email") if getattr(self, name)}


class NotificationProfile(models.Model):
    """The language a user's messages are written in (the portal's by default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_profile",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    objects = PreferenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("message language")
        verbose_name_plural = _("message languages")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"

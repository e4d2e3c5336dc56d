"""Records every app shares: the access log of personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .crypto import KeyCanaryField


class AccessLog(models.Model):
    """Who saw whose unmasked personal data, when and why. Written by services, never edited."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("Revealed one record")
        EXPORT = "export", _("Exported unmasked data")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("record type"), max_length=100)
    target_id = models.CharField(_("record"), max_length=64, blank=True)
    target_repr = models.CharField(_("whom"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=1)
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.target_repr} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Access log entries cannot be deleted.")


def log_access(*, actor, action: str, target, reason: str, request=None, row_count: int = 1) -> AccessLog:
    if isinstance(target, type):
        target_type, target_id, target_repr = target._meta.label, "", str(target._meta.verbose_name_plural)
    else:
        target_type, target_id, target_repr = target._meta.label, str(target.pk), str(target)[:200]
    from .clientip import client_ip

    ip = client_ip(request) if request is not None else None  # behind proxies, the client's, not the proxy's
    return AccessLog.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        row_count=row_count,
        reason=reason[:300],
        ip_address=ip,
    )


class Counter(models.Model):
    """A named counter handed out in blocks (card numbers, case numbers), safe across processes."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    value = models.BigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def counter_take(name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive values of a counter; call inside a transaction."""
    from django.db import transaction

    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        counter = Counter.objects.select_for_update(of=("self",)).get(name=name)
        start = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
    return range(start, start + count)


class KeyCanary(models.Model):
    """One row: a known text encrypted with the keys (issue 18.8). A server whose keys cannot read it
    refuses to serve and to write (``union_portal.core.keycheck``). ``rotate_keys`` re-encrypts it like
    every encrypted column, so rotating keys keeps it readable. No history: it is no one's data."""

    value = KeyCanaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "key canary"
        default_permissions = ()

    def __str__(self) -> str:
        return f"key canary {self.pk}"


class DashboardSnapshot(models.Model):
    """The dashboard's figures of one organisation node, as the figures registry computed them at
    ``computed_at`` (for the periods that end on ``day``). The dashboard reads this one row instead of
    computing every figure over the subtree, so it opens as fast at a million members as at a thousand
    with the cache cold; ``dashboard_warm`` (beat) refreshes the rows of the district, its towns and
    every node with staff, and a stale row is shown with its time while a task refreshes it.
    Only keys and numbers (language-free); derived data, no history: it is no one's record."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,  # derived numbers of the node: they go with it
        related_name="+",
    )
    day = models.DateField(_("periods end on"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"), default=0)
    values = models.JSONField(_("values"), default=dict)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        ordering = ["organisation"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"dashboard of {self.organisation_id} @ {self.computed_at:%Y-%m-%d %H:%M}"

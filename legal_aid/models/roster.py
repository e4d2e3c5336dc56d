"""Duty shifts at the stations, and the swaps lawyers ask each other for.

A lawyer is never in two shifts that overlap: the services check it under a lock on the lawyer,
and on PostgreSQL the exclusion constraint ``shift_no_overlap_per_lawyer`` (``btree_gist``, a
``tstzrange`` per shift, see migration 0002) holds it even against a write that skipped them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .common import OwnedByPeopleQuerySet
from .panel import Lawyer, Station

OVERLAP_CONSTRAINT = "shift_no_overlap_per_lawyer"


class ShiftStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    SWAPPED = "swapped", _("Swapped")
    ABSENT = "absent", _("Absent")
    DONE = "done", _("Done")


#: Shifts that hold the lawyer's time (an absent lawyer's shift does not).
LIVE_SHIFT_STATES = (ShiftStatus.PLANNED, ShiftStatus.CONFIRMED, ShiftStatus.SWAPPED, ShiftStatus.DONE)
#: Shifts the roster generator keeps as they are.
KEPT_SHIFT_STATES = LIVE_SHIFT_STATES


class ShiftQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("station__organisation",)
    scope_owner_lookups = ("lawyer__user",)

    def live(self):
        return self.filter(status__in=LIVE_SHIFT_STATES)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)


class Shift(models.Model):
    """A lawyer on duty at a station from ``start`` to ``end``."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="shifts"
    )
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name=_("lawyer"),
        on_delete=models.PROTECT,
        related_name="shifts",
        null=True,
        blank=True,
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=10, choices=ShiftStatus.choices, default=ShiftStatus.PLANNED, editable=False
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("covers for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="covers",
        editable=False,
    )
    note = models.CharField(_("note"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)

    objects = ShiftQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["reminded_at"])

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["start", "station", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(lawyer__isnull=False) | Q(status="planned"),
                name="shift_without_lawyer_is_planned",
                violation_error_message=_("Only a planned shift can be without a lawyer."),
            ),
        ]
        indexes = [models.Index(fields=["lawyer", "start"], name="shift_lawyer_start")]

    def __str__(self) -> str:
        from django.utils import timezone

        start = timezone.localtime(self.start)
        end = timezone.localtime(self.end)
        return f"{self.station} {start:%Y-%m-%d %H:%M}–{end:%H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_SHIFT_STATES


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class SwapRequestQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("shift__station__organisation",)
    scope_owner_lookups = ("from_lawyer__user", "to_lawyer__user")


class SwapRequest(models.Model):
    """A lawyer asks another to take their shift; the shift moves when the other accepts."""

    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="swaps")
    from_lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="swaps_asked"
    )
    to_lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("asked of"), on_delete=models.PROTECT, related_name="swaps_offered"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.REQUESTED, editable=False
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)

    objects = SwapRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift"],
                condition=Q(status="requested"),
                name="swap_one_open_request_per_shift",
                violation_error_message=_("This shift already has an open swap request."),
            ),
            models.CheckConstraint(
                condition=~Q(from_lawyer=F("to_lawyer")),
                name="swap_between_two_lawyers",
                violation_error_message=_("Ask another lawyer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift} {self.from_lawyer.name} → {self.to_lawyer.name}"

"""The contracted lawyers (特约律师), their leave, the duty stations, adviser assignments and the
check-ups and education events at enterprises."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from union_portal.core.scoping import ScopedQuerySet
from union_portal.organisations.models import Organisation

from .common import OwnedByPeopleQuerySet


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class LawyerStatus(models.TextChoices):
    ACTIVE = "active", _("On the panel")
    ENDED = "ended", _("Left the panel")


class LawyerQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("organisation",)
    scope_owner_lookups = ("user",)

    def active(self):
        return self.filter(status=LawyerStatus.ACTIVE)


class Lawyer(models.Model):
    """A lawyer of the contracted panel (工会特约律师库). A lawyer logs into the portal with their
    own account and sees only their own shifts, consultations, cases and advised enterprises."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    firm = models.CharField(_("law firm"), max_length=100)
    licence = models.CharField(
        _("practising licence number"),
        max_length=17,
        unique=True,
        help_text=_("17 digits, as printed on the practising certificate."),
    )
    mobile = models.CharField(_("mobile number"), max_length=11)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("contracted by"), on_delete=models.PROTECT, related_name="lawyers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawyer",
        editable=False,
    )
    term_starts_on = models.DateField(_("term starts on"))
    term_ends_on = models.DateField(_("term ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=LawyerStatus.choices, default=LawyerStatus.ACTIVE, editable=False
    )
    available_weekdays = models.JSONField(
        _("available weekdays"),
        default=list,
        blank=True,
        help_text=_("0 is Monday; empty means every day."),
    )
    max_shifts_per_month = models.PositiveSmallIntegerField(_("most shifts a month"), default=8)
    preferred_station = models.ForeignKey(
        "legal_aid.Station",
        verbose_name=_("preferred station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    calendar_token = models.CharField(max_length=40, unique=True, default=new_calendar_token, editable=False)

    objects = LawyerQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["calendar_token"])

    class Meta:
        verbose_name = _("lawyer")
        verbose_name_plural = _("lawyers")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_ends_on__gte=F("term_starts_on")),
                name="lawyer_term_in_order",
                violation_error_message=_("A term cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(licence__regex=r"^[0-9]{17}$"),
                name="lawyer_licence_17_digits",
                violation_error_message=_("A practising licence number has 17 digits."),
            ),
        ]
        permissions = [
            ("import_lawyer", _("Can import the lawyer panel")),
            ("view_legal_figures", _("Can read aggregate figures of legal aid")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.firm}）"

    def is_available_on(self, day) -> bool:
        in_term = self.term_starts_on <= day <= self.term_ends_on
        return in_term and (not self.available_weekdays or day.weekday() in self.available_weekdays)


class LeaveQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("lawyer__organisation",)
    scope_owner_lookups = ("lawyer__user",)


class Leave(models.Model):
    """Days a lawyer cannot sit on duty."""

    lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("lawyer"), on_delete=models.PROTECT, related_name="leaves"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = LeaveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="leave_dates_in_order",
                violation_error_message=_("Leave cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lawyer.name} {self.starts_on}–{self.ends_on}"


class StationKind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal-aid station")
    MIGRANT = "migrant", _("Migrant-worker rights centre")


class StationQuerySet(ScopedQuerySet):
    scope_org_lookups = ("organisation",)

    def open(self):
        return self.filter(is_active=True)


class Station(models.Model):
    """A legal-aid station (法律援助工作站) or a migrant-worker rights centre (外来工维权服务中心)
    where lawyers sit on duty in its weekly opening hours."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=StationKind.choices, default=StationKind.LEGAL_AID
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("town"), on_delete=models.PROTECT, related_name="legal_stations"
    )
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    opening_hours = models.JSONField(
        _("weekly opening hours"),
        default=list,
        blank=True,
        help_text=_(
            'Seven lists (Monday first) of opening periods, e.g. [["09:00", "12:00"], ["14:00", "17:30"]].'
        ),
    )
    closed_on_holidays = models.BooleanField(
        _("closed on public holidays"),
        default=True,
        help_text=_("Closed on public holidays, open on make-up working days with Monday's hours."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = StationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty station")
        verbose_name_plural = _("duty stations")
        ordering = ["organisation__path", "name"]

    def __str__(self) -> str:
        return self.name


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class AdviserAssignmentQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("union",)
    scope_owner_lookups = ("lawyer__user",)

    def active(self):
        return self.filter(status=AssignmentStatus.ACTIVE)


class AdviserAssignment(models.Model):
    """A lawyer advises an enterprise union for a term (律师挂钩企业)."""

    lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("lawyer"), on_delete=models.PROTECT, related_name="assignments"
    )
    union = models.ForeignKey(
        Organisation,
        verbose_name=_("enterprise union"),
        on_delete=models.PROTECT,
        related_name="legal_advisers",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ACTIVE,
        editable=False,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = AdviserAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adviser assignment")
        verbose_name_plural = _("adviser assignments")
        ordering = ["lawyer__name", "-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="assignment_term_in_order",
                violation_error_message=_("A term cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["lawyer", "union"],
                condition=Q(status="active"),
                name="assignment_one_active_per_pair",
                violation_error_message=_("This lawyer already advises this union."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lawyer.name} → {self.union.name}"


class EventKind(models.TextChoices):
    CHECKUP = "checkup", _("Legal check-up")
    EDUCATION = "education", _("Legal-education event")


class EnterpriseEventQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("union",)
    scope_owner_lookups = ("lawyer__user",)


class EnterpriseEvent(models.Model):
    """A legal check-up (法律体检) or a legal-education event (送法进企业) at an enterprise union."""

    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    union = models.ForeignKey(
        Organisation,
        verbose_name=_("enterprise union"),
        on_delete=models.PROTECT,
        related_name="legal_events",
    )
    assignment = models.ForeignKey(
        AdviserAssignment,
        verbose_name=_("adviser assignment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("lawyer"), on_delete=models.PROTECT, related_name="enterprise_events"
    )
    held_on = models.DateField(_("held on"))
    attendance = models.PositiveIntegerField(_("attendance"), default=0)
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = EnterpriseEventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("check-up or education event")
        verbose_name_plural = _("check-ups and education events")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.union.name} · {self.held_on}"

"""Consultations (来电来访来信) and labour-dispute cases (劳动争议) with their stages.

The stages of a case move only forward, through :func:`legal_aid.services.cases.case_advance`::

    intake ─▶ lawyer_assigned ─▶ mediation ─▶ mediated ───────────────────────▶ closed
                                     └──────▶ mediation_failed ─▶ arbitration ─▶ judgment ─▶ closed
    (any open stage ─close, with an outcome─▶ closed)

The arbitration limitation date (仲裁时效, one year from the day the worker knew or should have
known of the infringement, Labour Dispute Mediation and Arbitration Law art. 27) is stored with
every case and flagged everywhere once it has passed while the case is still before arbitration.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Member
from union_portal.core.crypto import EncryptedTextField
from union_portal.core.masking import mask_id_number, mask_name, mask_phone, mask_text
from union_portal.organisations.models import Enterprise, Organisation

from .common import MONEY, ZERO, OwnedByPeopleQuerySet, Topic
from .panel import Lawyer, Station


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    ONLINE = "online", _("Online")


class ConsultationStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a lawyer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class ConsultationQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("organisation",)
    scope_owner_lookups = ("member__user", "lawyer__user", "asked_by")


class Consultation(models.Model):
    """A question a worker brought by phone, visit, letter or online, and the advice given."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_consultations",
    )
    # A non-member's name and mobile, and the question itself, are encrypted at rest (Fernet,
    # ``rotate_keys``); an empty name is stored as NULL (an encrypted column has no ``= ''`` lookup).
    name = EncryptedTextField(_("name"), max_length=50, null=True, blank=True)
    mobile = EncryptedTextField(_("mobile number"), max_length=11, blank=True)
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices)
    question = EncryptedTextField(_("question"))
    advice = models.TextField(_("advice"), blank=True)
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name=_("lawyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="legal_consultations",
    )
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.ANSWERED,
        editable=False,
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    asked_at = models.DateTimeField(_("asked at"), db_index=True, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)

    objects = ConsultationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(name__isnull=False),
                name="consultation_has_person",
                violation_error_message=_("Choose the member or enter a name."),
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(advice=""),
                name="consultation_answered_has_advice",
                violation_error_message=_("An answered consultation needs the advice."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} · {self.masked_person} · {timezone.localtime(self.asked_at):%Y-%m-%d}"

    @property
    def person_name(self) -> str:
        return self.member.name if self.member_id else self.name

    @property
    def masked_person(self) -> str:
        return mask_name(self.person_name)

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.member.mobile if self.member_id else self.mobile)


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    LAWYER_ASSIGNED = "lawyer_assigned", _("Lawyer assigned")
    MEDIATION = "mediation", _("Mediation")
    MEDIATED = "mediated", _("Mediated")
    MEDIATION_FAILED = "mediation_failed", _("Mediation failed")
    ARBITRATION = "arbitration", _("Arbitration")
    JUDGMENT = "judgment", _("Judgment")
    CLOSED = "closed", _("Closed")


#: The only forward moves (closing is allowed from every open stage, with an outcome).
NEXT_STAGES: dict[str, tuple[str, ...]] = {
    Stage.INTAKE: (Stage.LAWYER_ASSIGNED,),
    Stage.LAWYER_ASSIGNED: (Stage.MEDIATION, Stage.ARBITRATION),
    Stage.MEDIATION: (Stage.MEDIATED, Stage.MEDIATION_FAILED),
    Stage.MEDIATED: (),
    Stage.MEDIATION_FAILED: (Stage.ARBITRATION,),
    Stage.ARBITRATION: (Stage.JUDGMENT,),
    Stage.JUDGMENT: (),
    Stage.CLOSED: (),
}
#: Stages in which the limitation period of art. 27 still runs (no application for arbitration yet).
BEFORE_ARBITRATION = (
    Stage.INTAKE, Stage.LAWYER_ASSIGNED, Stage.MEDIATION, Stage.MEDIATED, Stage.MEDIATION_FAILED
)  # fmt: skip
OPEN_STAGES = tuple(s for s in Stage.values if s != Stage.CLOSED)


class ClaimType(models.TextChoices):
    WAGES = "wages", _("Unpaid wages")
    OVERTIME = "overtime", _("Overtime pay")
    DOUBLE_WAGES = "double_wages", _("Double wages (no written contract)")
    SEVERANCE = "severance", _("Severance or compensation")
    INJURY = "injury", _("Work-injury benefits")
    INSURANCE = "insurance", _("Social insurance contributions")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    MEDIATED = "mediated", _("Mediation agreement")
    AWARD_WON = "award_won", _("Arbitration award in the worker's favour")
    AWARD_PARTIAL = "award_partial", _("Arbitration award partly in the worker's favour")
    AWARD_LOST = "award_lost", _("Arbitration claim dismissed")
    JUDGMENT_WON = "judgment_won", _("Judgment in the worker's favour")
    JUDGMENT_LOST = "judgment_lost", _("Judgment against the worker")
    WITHDRAWN = "withdrawn", _("Withdrawn by the worker")
    REFERRED_OUT = "referred_out", _("Referred to a partner office")


class PartnerOffice(models.TextChoices):
    JUSTICE_BUREAU = "justice_bureau", _("Justice bureau")
    ARBITRATION = "arbitration", _("Labour arbitration court")
    COURT = "court", _("People's court")
    INSPECTION = "inspection", _("Labour inspection")
    UNION = "union", _("Trade union")


class CaseQuerySet(OwnedByPeopleQuerySet):
    scope_org_lookups = ("organisation",)
    scope_owner_lookups = ("applicant__user", "lawyer__user")

    def open(self):
        return self.exclude(stage=Stage.CLOSED)

    def nearest_limitation_first(self):
        return self.order_by(F("limitation_on").asc(nulls_last=True), "pk")


def limitation_date(arose_on: dt.date) -> dt.date:
    """One year after the day the worker knew or should have known (art. 27)."""
    try:
        return arose_on.replace(year=arose_on.year + 1)
    except ValueError:  # 29 February
        return arose_on.replace(year=arose_on.year + 1, day=28)


class DisputeCase(models.Model):
    """A labour-dispute case handled with the one-stop mechanism (一站式) of the union, the justice
    bureau and the arbitration court: from intake to a closed outcome."""

    applicant = models.ForeignKey(
        Member,
        verbose_name=_("applicant (member)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_cases",
    )
    # The applicant's name, mobile and ID number and the dispute details are encrypted at rest (Fernet,
    # ``rotate_keys``); the ID number is found through its blind index (``applicant_id_number_hash``).
    applicant_name = EncryptedTextField(_("applicant"), max_length=50)
    applicant_mobile = EncryptedTextField(_("applicant's mobile"), max_length=11, blank=True)
    applicant_id_number = EncryptedTextField(_("applicant's ID number"), max_length=18, blank=True)
    applicant_id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    employer = models.ForeignKey(
        Enterprise,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_cases",
    )
    employer_name = models.CharField(_("employer's name"), max_length=150)
    claims = models.JSONField(_("claims"), default=list, blank=True)
    claimed_total = models.DecimalField(_("amount claimed"), default=ZERO, editable=False, **MONEY)
    details = EncryptedTextField(_("dispute details"), blank=True)
    arose_on = models.DateField(
        _("dispute arose on"),
        help_text=_("The day the worker knew or should have known of the infringement."),
    )
    limitation_on = models.DateField(_("arbitration limitation date"), editable=False, db_index=True)
    limitation_warned_days = models.PositiveSmallIntegerField(
        _("last limitation warning (days before)"), null=True, blank=True, editable=False
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, db_index=True, editable=False
    )
    stage_changed_at = models.DateTimeField(_("stage changed at"), editable=False)
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name=_("lawyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        editable=False,
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("handled by"), on_delete=models.PROTECT, related_name="legal_cases"
    )
    referred_from = models.CharField(
        _("referred from"), max_length=20, choices=PartnerOffice.choices, blank=True
    )
    referred_to = models.CharField(
        _("referred to"), max_length=20, choices=PartnerOffice.choices, blank=True, editable=False
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True, editable=False
    )
    amount_recovered = models.DecimalField(_("amount recovered"), default=ZERO, editable=False, **MONEY)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    opened_at = models.DateTimeField(_("opened at"), editable=False, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("labour-dispute case")
        verbose_name_plural = _("labour-dispute cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="closed") | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="case_closed_has_outcome",
                violation_error_message=_("Closing a case needs its outcome."),
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0) & Q(claimed_total__gte=0),
                name="case_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["intake"]) | Q(lawyer__isnull=False) | Q(stage="closed"),
                name="case_past_intake_has_lawyer",
                violation_error_message=_("A case past intake needs its lawyer."),
            ),
        ]
        indexes = [models.Index(fields=["stage", "limitation_on"], name="case_stage_limitation")]
        permissions = [
            ("view_case_details", _("Can read the details of labour disputes")),
            ("advance_disputecase", _("Can move labour-dispute cases through their stages")),
        ]

    def __str__(self) -> str:
        return _("Case no. %(pk)s · %(name)s") % {"pk": self.pk, "name": mask_name(self.applicant_name)}

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def limitation_runs(self) -> bool:
        """The period of art. 27 still matters: the case is open and not yet before the arbitrators."""
        return self.stage in BEFORE_ARBITRATION

    def days_to_limitation(self, today: dt.date | None = None) -> int | None:
        if not self.limitation_runs:
            return None
        return (self.limitation_on - (today or timezone.localdate())).days

    @property
    def is_time_barred(self) -> bool:
        days = self.days_to_limitation()
        return days is not None and days < 0

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.applicant_id_number) if self.applicant_id_number else ""

    @property
    def masked_details(self) -> str:
        return mask_text(self.details, keep=0)[:12]


class CaseStep(models.Model):
    """One move of a case: from which stage to which, by whom, when, with the note; or an interruption of
    its limitation period (the stage kept, ``limitation_on`` the new date)."""

    case = models.ForeignKey(
        DisputeCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="steps"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    #: Set on a step that interrupted the limitation period (art. 27 para. 2): the new limitation date.
    #: Such a step keeps the stage (``from_stage == to_stage``).
    limitation_on = models.DateField(_("limitation period runs again until"), null=True, blank=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.case_id} {self.get_from_stage_display() or '-'} → {self.get_to_stage_display()}"

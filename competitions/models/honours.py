"""Honours (荣誉): titles, nomination rounds with review, public notice (公示) and objections, the honours
register, model-worker care, innovation studios and mentor-apprentice pairs.

Every write with a rule is in :mod:`competitions.services.honours`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from members.models import Member
from union_portal.core.scoping import ScopedQuerySet
from union_portal.organisations.models import Enterprise, Organisation

from .common import FederationRunQuerySet
from .contests import Level

MONEY = {"max_digits": 12, "decimal_places": 2}


class HolderKind(models.TextChoices):
    PERSON = "person", _("Person")
    TEAM = "team", _("Team")
    ENTERPRISE = "enterprise", _("Enterprise")
    UNION = "union", _("Union")


class HonourTitle(models.Model):
    """A title that can be conferred (劳动模范, 五一劳动奖章, 工人先锋号 ...), its level and kind of holder.
    Titles are defined by a federation and seen by everyone below it."""

    name = models.CharField(_("title"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    holder_kind = models.CharField(_("held by"), max_length=12, choices=HolderKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("defined by"), on_delete=models.PROTECT, related_name="honour_titles"
    )
    is_model_worker = models.BooleanField(
        _("model-worker care"),
        default=False,
        help_text=_("Holders get model-worker care: visits, a yearly health check and allowances."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = FederationRunQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("honour title")
        verbose_name_plural = _("honour titles")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "level"],
                name="honour_title_unique",
                violation_error_message=_("This title already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()})"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Taking nominations")
    REVIEW = "review", _("Under review")
    PUBLICITY = "publicity", _("Public notice")
    CONCLUDED = "concluded", _("Concluded")


class NominationRound(models.Model):
    """A round of nominations (评选) run by a federation: nominations, review, a public notice period of
    working days (公示) in which objections are heard, then conferral."""

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="nomination_rounds"
    )
    nominations_close_on = models.DateField(_("nominations close on"))
    publicity_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=5, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN, editable=False
    )
    publicity_starts_on = models.DateField(_("public notice from"), null=True, blank=True, editable=False)
    publicity_ends_on = models.DateField(_("public notice until"), null=True, blank=True, editable=False)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True, editable=False)

    objects = FederationRunQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination round")
        verbose_name_plural = _("nomination rounds")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(publicity_starts_on__isnull=True)
                | Q(publicity_ends_on__gte=F("publicity_starts_on")),
                name="round_publicity_window",
            ),
            models.CheckConstraint(condition=Q(publicity_days__gte=1), name="round_publicity_days_positive"),
        ]
        permissions = [("confer_nominationround", _("Can announce and conclude nomination rounds"))]

    def __str__(self) -> str:
        return self.name


class NominationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    REJECTED = "rejected", _("Not shortlisted")
    WITHDRAWN = "withdrawn", pgettext_lazy("nomination", "Withdrawn")
    CONFERRED = "conferred", _("Conferred")
    STOPPED = "stopped", _("Stopped after an objection")


NominationState.LIVE = (NominationState.SUBMITTED, NominationState.SHORTLISTED, NominationState.CONFERRED)


class NominationQuerySet(ScopedQuerySet):
    scope_org_lookups = ("union",)
    scope_owner_lookup = "member__user"


class Nomination(models.Model):
    """A union's nomination of a person, team, enterprise or union for a title, with the record of deeds."""

    round = models.ForeignKey(
        NominationRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="nominations"
    )
    title = models.ForeignKey(
        HonourTitle, verbose_name=_("title"), on_delete=models.PROTECT, related_name="nominations"
    )
    holder_kind = models.CharField(_("held by"), max_length=12, choices=HolderKind.choices, editable=False)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    holder_name = models.CharField(_("nominee"), max_length=100)
    union = models.ForeignKey(
        Organisation, verbose_name=_("nominating union"), on_delete=models.PROTECT, related_name="nominations"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deeds = models.TextField(_("record of deeds"))
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=NominationState.choices,
        default=NominationState.SUBMITTED,
        db_index=True,
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = NominationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["round", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(holder_kind="person") | Q(member__isnull=False),
                name="nomination_person_is_member",
                violation_error_message=_("A person is nominated as a member."),
            ),
            models.UniqueConstraint(
                fields=["round", "title", "member"],
                condition=Q(state__in=["submitted", "shortlisted", "conferred"]),
                name="nomination_once_per_title",
                violation_error_message=_("This person is already nominated for this title in this round."),
            ),
        ]
        permissions = [("review_nomination", _("Can review nominations"))]

    def __str__(self) -> str:
        return f"{self.title.name}: {self.masked_holder_name}"

    @property
    def masked_holder_name(self) -> str:
        if self.holder_kind == HolderKind.PERSON:
            from union_portal.core.masking import mask_name

            return mask_name(self.holder_name)
        return self.holder_name


class NominationStep(models.Model):
    """One step of a nomination: who moved it, when, from which state to which, and why."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="steps")
    from_state = models.CharField(_("from"), max_length=12, choices=NominationState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=NominationState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("nomination step")
        verbose_name_plural = _("nomination steps")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.nomination_id} {self.from_state or '-'} → {self.to_state}"


class ObjectionState(models.TextChoices):
    OPEN = "open", _("Being looked into")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class ObjectionQuerySet(ScopedQuerySet):
    scope_org_lookups = ("nomination__union",)


class Objection(models.Model):
    """An objection raised during the public notice, recorded by staff or raised by a signed-in person on
    the public notice page, and resolved with a note. An upheld objection stops the nomination."""

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField(_("received on"))
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True, help_text=_("May be anonymous."))
    content = models.TextField(_("objection"))
    state = models.CharField(
        _("state"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN, editable=False
    )
    resolution = models.CharField(_("resolution"), max_length=300, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    raised_in_portal = models.BooleanField(
        _("raised in the portal"),
        default=False,
        editable=False,
        help_text=_("Raised by the person recorded, on the public notice page (not recorded by staff)."),
    )

    objects = ObjectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open") | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="objection_resolved_with_note",
                violation_error_message=_("A resolved objection needs its resolution."),
            )
        ]
        permissions = [("resolve_objection", _("Can resolve objections"))]

    def __str__(self) -> str:
        return _("Objection to %(nomination)s") % {"nomination": self.nomination}


class HonourStatus(models.TextChoices):
    ACTIVE = "active", _("Held")
    REVOKED = "revoked", _("Revoked")


class HonourQuerySet(ScopedQuerySet):
    scope_org_lookups = ("organisation",)
    scope_owner_lookup = "member__user"

    def held(self):
        return self.filter(status=HonourStatus.ACTIVE)


class Honour(models.Model):
    """The honours register: who holds which title since when (conferred here, or entered from the past)."""

    title = models.ForeignKey(
        HonourTitle, verbose_name=_("title"), on_delete=models.PROTECT, related_name="honours"
    )
    holder_kind = models.CharField(_("held by"), max_length=12, choices=HolderKind.choices, editable=False)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    holder_name = models.CharField(_("holder"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.PROTECT, related_name="honours"
    )
    conferred_on = models.DateField(_("conferred on"))
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.PROTECT, related_name="honour", editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=HonourStatus.choices, default=HonourStatus.ACTIVE, editable=False
    )
    revoke_reason = models.CharField(_("reason"), max_length=300, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = HonourQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours register")
        ordering = ["-conferred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(holder_kind="person") | Q(member__isnull=False),
                name="honour_person_is_member",
                violation_error_message=_("An honour of a person is recorded for a member."),
            ),
            models.UniqueConstraint(
                fields=["title", "member", "conferred_on"],
                condition=Q(member__isnull=False),
                name="honour_once_per_day",
                violation_error_message=_("This honour is already in the register."),
            ),
        ]
        permissions = [("import_honour", _("Can import past honours"))]

    def __str__(self) -> str:
        return f"{self.title.name}: {self.masked_holder_name}"

    @property
    def masked_holder_name(self) -> str:
        if self.holder_kind == HolderKind.PERSON:
            from union_portal.core.masking import mask_name

            return mask_name(self.holder_name)
        return self.holder_name


class CareKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    HEALTH_CHECK = "health_check", _("Health check")
    ALLOWANCE = "allowance", _("Allowance")


class CareRecordQuerySet(ScopedQuerySet):
    scope_org_lookups = ("honour__organisation",)
    scope_owner_lookup = "honour__member__user"


class CareRecord(models.Model):
    """Care of a model worker: a visit, a health check or an allowance paid."""

    honour = models.ForeignKey(
        Honour, verbose_name=_("honour"), on_delete=models.PROTECT, related_name="care"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CareKind.choices)
    on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = CareRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care record")
        verbose_name_plural = _("model-worker care")
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="care_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="allowance") | Q(amount__isnull=False),
                name="care_allowance_has_amount",
                violation_error_message=_("An allowance needs its amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class StudioKind(models.TextChoices):
    MODEL_WORKER = "model_worker", _("Model-worker innovation studio")
    CRAFTSMAN = "craftsman", _("Craftsman innovation studio")


class ActiveState(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class OrgScopedQuerySet(ScopedQuerySet):
    scope_org_lookups = ("organisation",)


class Studio(models.Model):
    """A model-worker or craftsman innovation studio (劳模/工匠创新工作室) named after a person."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=StudioKind.choices)
    namesake = models.ForeignKey(
        Honour,
        verbose_name=_("named after"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="studios",
    )
    namesake_name = models.CharField(_("named after (name)"), max_length=50)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.PROTECT, related_name="studios"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    founded_on = models.DateField(_("founded on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActiveState.choices, default=ActiveState.ACTIVE
    )

    objects = OrgScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("innovation studio")
        verbose_name_plural = _("innovation studios")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class StudioProject(models.Model):
    """A project of a studio and its result."""

    studio = models.ForeignKey(
        Studio, verbose_name=_("studio"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("project"), max_length=200)
    started_on = models.DateField(_("started on"))
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("studio project")
        verbose_name_plural = _("studio projects")
        ordering = ["-started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(finished_on__gte=F("started_on")),
                name="studio_project_dates",
            )
        ]

    def __str__(self) -> str:
        return self.title


class MentorPair(models.Model):
    """A mentor-apprentice pair (名师带徒) with goals, a term and an outcome."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.PROTECT, related_name="mentor_pairs"
    )
    mentor = models.ForeignKey(
        Member, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="apprentices"
    )
    apprentice = models.ForeignKey(
        Member, verbose_name=_("apprentice"), on_delete=models.PROTECT, related_name="mentors"
    )
    occupation = models.CharField(_("occupation"), max_length=50)
    goals = models.TextField(_("goals"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActiveState.choices, default=ActiveState.ACTIVE
    )

    objects = OrgScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentor-apprentice pair")
        verbose_name_plural = _("mentor-apprentice pairs")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=F("apprentice")),
                name="mentor_pair_two_people",
                violation_error_message=_("A mentor cannot be their own apprentice."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="mentor_pair_term",
                violation_error_message=_("The term cannot end before it starts."),
            ),
            models.UniqueConstraint(fields=["mentor", "apprentice", "starts_on"], name="mentor_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.masked_name} → {self.apprentice.masked_name}"

"""Volunteer service (志愿服务): volunteers, teams, activities, sign-ups, service records, star levels
and training.

Every write with a rule is in :mod:`volunteers.services`. The database guards what must hold when
two people act at once: an activity's confirmed places within its capacity, one live sign-up and one
live service record per volunteer and activity, a record's end after its start and its hours not
negative. Team leaders (a portal role, not staff) see what belongs to the teams they lead.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Member
from union_portal.core.crypto import EncryptedTextField
from union_portal.core.masking import mask_id_number
from union_portal.core.scoping import ScopedQuerySet, sees_everything
from union_portal.core.validators import validate_mobile
from union_portal.organisations.models import Organisation

ZERO = Decimal("0.00")
HOURS = {"max_digits": 8, "decimal_places": 2}
#: China's common volunteer star levels: verified hours needed for one to five stars.
STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)


def star_level_for(hours) -> int:
    """The star level (0..5) that ``hours`` of verified service reach."""
    return sum(1 for threshold in STAR_THRESHOLDS if hours >= threshold)


class LeaderScopedQuerySet(ScopedQuerySet):
    """Staff see their subtree, a person their own rows, and a team leader the rows of the teams they lead."""

    #: Path from this model to the team whose leaders see the row.
    scope_team_lookup: str | None = None

    def leader_q(self, user) -> Q | None:
        if self.scope_team_lookup is None:
            return None
        prefix = f"{self.scope_team_lookup}__" if self.scope_team_lookup else ""
        return Q(**{f"{prefix}leaders": user})

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        scoped = super().visible_to(user)
        leader = self.leader_q(user)
        if leader is None:
            return scoped
        led = self.model._default_manager.filter(leader).values("pk")
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=led))


# --- teams ---------------------------------------------------------------------------------------


class TeamKind(models.TextChoices):
    CORPS = "corps", _("Volunteer corps")
    AREA = "area", _("Area team (town or industrial park)")
    SPECIALIST = "specialist", _("Specialist team")


class TeamQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("organisation",)
    scope_team_lookup = ""


class Team(models.Model):
    """The corps (总队) or one of its teams, run under one node of the organisation tree."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leaders"),
        blank=True,
        related_name="led_volunteer_teams",
        help_text=_("Team leaders manage the team's activities and verify its volunteers' hours."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TeamQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[leaders])

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["organisation__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="volunteer_team_unique_name",
                violation_error_message=_("A team of this name already exists here."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- volunteers ----------------------------------------------------------------------------------


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")


class VolunteerQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("organisation",)
    scope_owner_lookup = "user"

    def leader_q(self, user) -> Q:
        return Q(memberships__team__leaders=user, memberships__ended_on__isnull=True)

    def active(self):
        return self.filter(status=VolunteerStatus.ACTIVE)


class Volunteer(models.Model):
    """A registered volunteer (志愿者), usually a member; their verified hours and star level are kept
    by the services as hours are verified or un-verified."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    member = models.OneToOneField(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=11, validators=[validate_mobile])
    mobile_verified_at = models.DateTimeField(_("mobile verified at"), null=True, blank=True, editable=False)
    id_number = EncryptedTextField(
        _("resident ID number"),
        blank=True,
        default="",
        editable=False,
        help_text=_("Kept for volunteers who are not members (a member's is on the membership)."),
    )
    #: Blind index of the ID number (a member's copied from the membership): one volunteer per person.
    id_number_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="volunteers",
        help_text=_("The member's union, or the town where a non-member registered."),
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_phone = models.CharField(_("emergency contact's phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    registered_on = models.DateField(_("registered on"), editable=False)
    verified_hours = models.DecimalField(_("verified hours"), default=ZERO, editable=False, **HOURS)
    star_level = models.PositiveSmallIntegerField(_("star level"), default=0, editable=False)
    teams = models.ManyToManyField(Team, through="TeamMembership", related_name="volunteers", blank=True)

    objects = VolunteerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["organisation__path", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_hours__gte=0) & Q(star_level__lte=5), name="volunteer_hours_consistent"
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="volunteer_one_per_id_number",
                violation_error_message=_("A volunteer with this ID number is already registered."),
            ),
        ]
        permissions = [
            ("view_volunteer_figures", _("Can read aggregate figures of volunteer service")),
            ("export_hours", _("Can export verified hours for funding")),
            ("import_volunteer", _("Can import volunteer rosters")),
            ("recommend_volunteer", _("Can recommend volunteers for honours")),
        ]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class TeamMembershipQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("team__organisation",)
    scope_owner_lookup = "volunteer__user"
    scope_team_lookup = "team"


class TeamMembership(models.Model):
    """A volunteer's place in a team; ended, never deleted."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="memberships"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="memberships"
    )
    joined_on = models.DateField(_("joined on"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"],
                condition=Q(ended_on__isnull=True),
                name="volunteer_one_live_membership",
                violation_error_message=_("This volunteer is already in this team."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.team}"


# --- activities ----------------------------------------------------------------------------------


class Category(models.TextChoices):
    EPIDEMIC = "epidemic", _("Epidemic prevention")
    CIVILITY = "civility", _("Civility campaign")
    PATROL = "patrol", _("River and green patrol")
    TOWN = "town", _("Town priorities")
    RIGHTS = "rights", _("Legal rights")
    CARE = "care", _("Help and care")
    MODEL_WORKER = "model_worker", _("Model-worker service")
    MENTAL = "mental", _("Mental health")
    EMPLOYMENT = "employment", _("Re-employment")
    CULTURE = "culture", _("Cultural performance")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for sign-up")
    FULL = "full", _("Full")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses in which volunteers may sign up (to a place or to the waiting list).
SIGNUP_STATUSES = (ActivityStatus.OPEN, ActivityStatus.FULL)
#: Statuses shown in the public list.
PUBLIC_STATUSES = (ActivityStatus.OPEN, ActivityStatus.FULL, ActivityStatus.RUNNING)


class ActivityQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("team__organisation",)
    scope_team_lookup = "team"

    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)


class Activity(models.Model):
    """A volunteer activity of one team: place and time, places and a sign-up window."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=100)
    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    town = models.ForeignKey(
        Organisation,
        verbose_name=_("town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the activity takes place, for volunteers looking for activities near them."),
    )
    place = models.CharField(_("place"), max_length=200)
    partner = models.CharField(
        _("partner organisation"),
        max_length=100,
        blank=True,
        help_text=_(
            "The partner organisation that runs the activity with the team; funding follows its verified hours."
        ),
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    signup_opens_at = models.DateTimeField(_("sign-up opens at"))
    signup_closes_at = models.DateTimeField(_("sign-up closes at"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActivityStatus.choices,
        default=ActivityStatus.DRAFT,
        db_index=True,
        editable=False,
    )
    confirmed_count = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True, editable=False)
    checkin_key = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "checkin_key"])

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_count__lte=F("capacity")),
                name="activity_places_within_capacity",
                violation_error_message=_("The activity has no free place."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message=_("An activity must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=F("signup_opens_at"))
                & Q(signup_closes_at__lte=F("ends_at")),
                name="activity_signup_window",
                violation_error_message=_("Sign-up must close after it opens and before the activity ends."),
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activity_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds() / 3600).quantize(Decimal("0.01"))

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_SIGNUP = (SignupStatus.CONFIRMED, SignupStatus.WAITING)


class SignupQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("activity__team__organisation",)
    scope_owner_lookup = "volunteer__user"
    scope_team_lookup = "activity__team"

    def live(self):
        return self.filter(status__in=LIVE_SIGNUP)


class Signup(models.Model):
    """A volunteer's sign-up for an activity: a place, or a turn on the waiting list (arrival order is
    the primary key's: sign-ups are written under the activity's lock)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="signups"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField(_("status"), max_length=10, choices=SignupStatus.choices, editable=False)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("moved up at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)

    objects = SignupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="signup_one_live_per_volunteer",
                violation_error_message=_("This volunteer has already signed up for this activity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.activity}"


# --- service records -----------------------------------------------------------------------------


class RecordStatus(models.TextChoices):
    OPEN = "open", _("Checked in")
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class RecordSource(models.TextChoices):
    SCAN = "scan", _("Check-in and check-out")
    LEADER = "leader", _("Entered by the team leader")


LIVE_RECORD = ("open", "pending", "verified")


class ServiceRecordQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("activity__team__organisation",)
    scope_owner_lookup = "volunteer__user"
    scope_team_lookup = "activity__team"

    def verified(self):
        return self.filter(status=RecordStatus.VERIFIED)


class ServiceRecord(models.Model):
    """A volunteer's hours at an activity, from check-in and check-out or entered by the leader; only
    verified hours count anywhere."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="records"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="records"
    )
    source = models.CharField(_("source"), max_length=10, choices=RecordSource.choices, editable=False)
    started_at = models.DateTimeField(_("from"), editable=False)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True, editable=False)
    hours = models.DecimalField(_("hours"), null=True, blank=True, editable=False, **HOURS)
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, db_index=True, editable=False
    )
    note = models.CharField(_("leader's note"), max_length=300, blank=True, editable=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ServiceRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(status__in=["open", "pending", "verified"]),
                name="record_one_live_per_activity",
                violation_error_message=_("This volunteer already has hours recorded for this activity."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="record_ends_after_start",
                violation_error_message=_("Service must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0), name="record_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(ended_at__isnull=False) & Q(hours__isnull=False)),
                name="record_closed_has_hours",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "started_at"], name="record_volunteer_time")]
        permissions = [("verify_servicerecord", _("Can verify or reject volunteers' service hours"))]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.activity} · {self.hours or '-'}h"


class StarChange(models.TextChoices):
    REACHED = "reached", _("Reached")
    LOST = "lost", _("Lost")


class StarLevelEventQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("volunteer__organisation",)
    scope_owner_lookup = "volunteer__user"


class StarLevelEvent(models.Model):
    """A star level reached or lost, recorded once, when the verified hours crossed a threshold."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="star_events"
    )
    level = models.PositiveSmallIntegerField(_("star level"))
    change = models.CharField(_("change"), max_length=10, choices=StarChange.choices)
    hours = models.DecimalField(_("verified hours then"), **HOURS)
    record = models.ForeignKey(
        ServiceRecord,
        verbose_name=_("service record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = StarLevelEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("star level event")
        verbose_name_plural = _("star level events")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="star_event_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} ★{self.level} {self.get_change_display()}"


# --- training ------------------------------------------------------------------------------------


class TrainingSessionQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("team__organisation",)
    scope_team_lookup = "team"


class TrainingSession(models.Model):
    """A training session (培训) for volunteers; its attendance gives the trainee-times of the reports."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="training_sessions"
    )
    title = models.CharField(_("title"), max_length=100)
    held_on = models.DateField(_("held on"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=Decimal("2.0"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainees = models.ManyToManyField(Volunteer, through="TrainingAttendance", related_name="trainings")

    objects = TrainingSessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class TrainingAttendance(models.Model):
    """One volunteer at one training session."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="attendance"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="attendance"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "volunteer"],
                name="training_attended_once",
                violation_error_message=_("This volunteer is already on the attendance list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.session}"


# --- honours -------------------------------------------------------------------------------------


class RecommendationStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("Recommended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class HonourRecommendationQuerySet(LeaderScopedQuerySet):
    scope_org_lookups = ("volunteer__organisation",)
    scope_owner_lookup = "volunteer__user"


class HonourRecommendation(models.Model):
    """An outstanding volunteer recommended for an honour of one year, on their verified hours of that
    year (the ranking); withdrawn with a reason, never deleted."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="recommendations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    hours = models.DecimalField(_("verified hours of the year"), editable=False, **HOURS)
    rank = models.PositiveIntegerField(_("rank"), editable=False)
    reason = models.TextField(_("reasons for the recommendation"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.RECOMMENDED,
        editable=False,
    )
    withdraw_reason = models.CharField(
        _("reason for withdrawing"), max_length=300, blank=True, editable=False
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recommended by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    recommended_at = models.DateTimeField(_("recommended at"), auto_now_add=True)

    objects = HonourRecommendationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("honour recommendation")
        verbose_name_plural = _("honour recommendations")
        ordering = ["-year", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "year"],
                condition=Q(status="recommended"),
                name="recommendation_once_a_year",
                violation_error_message=_("This volunteer is already recommended for this year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.year}"

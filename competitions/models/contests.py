"""Skills contests (劳动竞赛, 职业技能竞赛): the contest and its scoring scheme, entries (a person or a
work team, 班组), judges, their score sheets and marks.

Every write with a rule is in :mod:`competitions.services.contests`. The database guards what must
hold when two people click at once: one live entry per person per contest, one sheet per judge and
entry, a judge never scoring an entry of their own enterprise, a mark within its criterion's maximum.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from members.models import Member
from union_portal.core.scoping import ScopedQuerySet
from union_portal.organisations.models import Enterprise, Organisation

from .common import FederationRunQuerySet

SCORE = {"max_digits": 7, "decimal_places": 2}


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class ContestKind(models.TextChoices):
    SKILLS = "skills", _("Skills contest")
    SAFETY = "safety", _("Safety contest (Ankang Cup)")
    INNOVATION = "innovation", _("Innovation contest")


class EntryKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    TEAM = "team", _("Work team")


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Registration open")
    JUDGING = "judging", _("Judging")
    PUBLISHED = "published", _("Results published")
    CANCELLED = "cancelled", _("Cancelled")


class Prize(models.TextChoices):
    NONE = "", _("No prize")
    FIRST = "first", _("First prize")
    SECOND = "second", _("Second prize")
    THIRD = "third", _("Third prize")
    EXCELLENT = "excellent", _("Excellence award")


class Grade(models.TextChoices):
    """Grades of an innovation contest, which judges projects instead of ranking them."""

    NONE = "", _("No grade")
    FIRST = "first", _("First class")
    SECOND = "second", _("Second class")
    THIRD = "third", _("Third class")
    EXCELLENT = "excellent", _("Excellent")
    POSITIVE = "positive", _("Positive results")


class PartKind(models.TextChoices):
    THEORY = "theory", _("Theory")
    PRACTICAL = "practical", _("Practical")
    PROJECT = "project", _("Project")


class ContestQuerySet(FederationRunQuerySet):
    def open_for_entries(self, day):
        return self.filter(
            status=ContestStatus.OPEN, registration_opens_on__lte=day, registration_closes_on__gte=day
        )


class Contest(models.Model):
    """A contest run by a federation: occupation, level, registration window, entries of persons or work
    teams, a scoring scheme of weighted parts and criteria, and the prize quotas."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=ContestKind.choices, default=ContestKind.SKILLS)
    occupation = models.CharField(_("occupation"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.DISTRICT)
    year = models.PositiveSmallIntegerField(_("year"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="contests"
    )
    entry_kind = models.CharField(
        _("entries"), max_length=12, choices=EntryKind.choices, default=EntryKind.INDIVIDUAL
    )
    team_min = models.PositiveSmallIntegerField(_("smallest team"), default=2)
    team_max = models.PositiveSmallIntegerField(_("largest team"), default=10)
    registration_opens_on = models.DateField(_("registration opens on"))
    registration_closes_on = models.DateField(_("registration closes on"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    trim_extremes = models.BooleanField(
        _("drop highest and lowest marks"),
        default=True,
        help_text=_("With enough judges, the highest and lowest mark of each criterion are dropped."),
    )
    trim_min_judges = models.PositiveSmallIntegerField(
        _("judges needed to drop marks"), default=5, validators=[MinValueValidator(3)]
    )
    quota_first = models.PositiveSmallIntegerField(_("first prizes"), default=1)
    quota_second = models.PositiveSmallIntegerField(_("second prizes"), default=2)
    quota_third = models.PositiveSmallIntegerField(_("third prizes"), default=3)
    quota_excellent = models.PositiveSmallIntegerField(_("excellence awards"), default=0)
    next_contest = models.ForeignKey(
        "self",
        verbose_name=_("next level's contest"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feeder_contests",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ContestStatus.choices,
        default=ContestStatus.DRAFT,
        db_index=True,
        editable=False,
    )
    results_computed_at = models.DateTimeField(
        _("results computed at"), null=True, blank=True, editable=False
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    results_recorded = models.BooleanField(
        _("past results recorded"),
        default=False,
        editable=False,
        help_text=_("The results were imported from a contest held before the portal, not marked in it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False, null=True
    )

    objects = ContestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-year", "-registration_opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes_on__gte=F("registration_opens_on")),
                name="contest_registration_window",
                violation_error_message=_("Registration cannot close before it opens."),
            ),
            models.CheckConstraint(
                condition=Q(team_max__gte=F("team_min")) & Q(team_min__gte=1),
                name="contest_team_sizes",
                violation_error_message=_("The largest team cannot be smaller than the smallest."),
            ),
            models.CheckConstraint(condition=Q(trim_min_judges__gte=3), name="contest_trim_needs_three"),
            models.CheckConstraint(condition=~Q(next_contest=F("pk")), name="contest_next_is_another"),
        ]
        permissions = [
            ("publish_contest", _("Can compute and publish contest results")),
            ("import_contest", _("Can import past contest results")),
            ("view_contest_figures", _("Can see contest and honour figures")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_innovation(self) -> bool:
        return self.kind == ContestKind.INNOVATION

    @property
    def is_team(self) -> bool:
        return self.entry_kind == EntryKind.TEAM


class ScoringPart(models.Model):
    """A part of the scoring scheme (theory, practical) with its weight in percent of the total."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="parts"
    )
    kind = models.CharField(_("part"), max_length=10, choices=PartKind.choices)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring part")
        verbose_name_plural = _("scoring parts")
        ordering = ["contest", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "kind"],
                name="scoring_part_once_per_contest",
                violation_error_message=_("This part is already in the scheme."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=100), name="scoring_part_weight_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight}%"


class Criterion(models.Model):
    """A criterion of a part, marked by every judge up to its maximum."""

    part = models.ForeignKey(
        ScoringPart, verbose_name=_("part"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("criterion"), max_length=100)
    max_marks = models.DecimalField(
        _("maximum marks"), validators=[MinValueValidator(Decimal("0.01"))], **SCORE
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["part", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_marks__gt=0), name="criterion_max_positive"),
            models.UniqueConstraint(fields=["part", "name"], name="criterion_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.max_marks})"


class EntryState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WITHDRAWN = "withdrawn", pgettext_lazy("contest entry", "Withdrawn")
    DISQUALIFIED = "disqualified", _("Disqualified")


EntryState.LIVE = (EntryState.REGISTERED,)


class EntryQuerySet(ScopedQuerySet):
    """Staff see entries of unions in their subtree; a member sees the entries they are part of."""

    scope_org_lookups = ("union",)

    def owner_q(self, user) -> Q:
        return Q(pk__in=EntryPerson.objects.filter(member__user=user).values("entry_id"))

    def live(self):
        return self.filter(state=EntryState.REGISTERED)


class Entry(models.Model):
    """An entry of a contest: one member, or a work team (班组) of one enterprise with its members; in an
    innovation contest a project. Results are written by the results service only."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.PROTECT, related_name="entries"
    )
    number = models.PositiveIntegerField(_("entry number"), editable=False)
    member = models.ForeignKey(
        Member,
        verbose_name=_("contestant or team leader"),
        on_delete=models.PROTECT,
        related_name="contest_entries",
    )
    team_name = models.CharField(_("work team"), max_length=100, blank=True)
    project_title = models.CharField(_("project"), max_length=200, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contest_entries",
        editable=False,
    )
    union = models.ForeignKey(
        Organisation,
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="contest_entries",
        editable=False,
    )
    state = models.CharField(
        _("state"), max_length=12, choices=EntryState.choices, default=EntryState.REGISTERED, editable=False
    )
    state_reason = models.CharField(_("reason"), max_length=300, blank=True, editable=False)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    practical_seconds = models.PositiveIntegerField(
        _("time used in the practical (seconds)"),
        null=True,
        blank=True,
        help_text=_("Breaks ties after the practical score: the shorter time ranks higher."),
    )
    theory_score = models.DecimalField(_("theory"), null=True, blank=True, editable=False, **SCORE)
    practical_score = models.DecimalField(_("practical"), null=True, blank=True, editable=False, **SCORE)
    total = models.DecimalField(_("total"), null=True, blank=True, editable=False, **SCORE)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True, editable=False)
    prize = models.CharField(
        _("prize"), max_length=10, choices=Prize.choices, blank=True, default="", editable=False
    )
    grade = models.CharField(
        _("grade"), max_length=10, choices=Grade.choices, blank=True, default="", editable=False
    )
    advanced_to = models.ForeignKey(
        "self",
        verbose_name=_("entered into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advanced_from",
        editable=False,
    )

    objects = EntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["contest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="entry_number_unique"),
            models.UniqueConstraint(
                fields=["contest", "member"],
                condition=Q(state="registered"),
                name="entry_one_live_per_leader",
                violation_error_message=_("This person has already entered this contest."),
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0), name="entry_total_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["contest", "state", "rank"], name="entry_contest_rank")]

    def __str__(self) -> str:
        who = self.team_name or self.member.masked_name
        return f"{self.contest} #{self.number} {who}"

    @property
    def display_name(self) -> str:
        return self.team_name or self.member.masked_name


class EntryPerson(models.Model):
    """A person of an entry (the contestant, or each member of a work team). ``contest`` is copied from
    the entry so that the database itself says "one live entry per person per contest"."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="people")
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="+", editable=False)
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    is_live = models.BooleanField(default=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contestant")
        verbose_name_plural = _("contestants")
        ordering = ["entry", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "member"],
                condition=Q(is_live=True),
                name="entry_person_once_per_contest",
                violation_error_message=_("This person has already entered this contest."),
            )
        ]

    def __str__(self) -> str:
        return self.member.masked_name


class JudgeQuerySet(ScopedQuerySet):
    scope_org_lookups = ("organisation",)
    scope_owner_lookup = "user"


class Judge(models.Model):
    """A contest judge (裁判) on the district's panel. Their enterprise is what conflicts of interest
    are checked against."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="judge"
    )
    name = models.CharField(_("name"), max_length=50)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("panel of"), on_delete=models.PROTECT, related_name="judges"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("works at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="judges",
    )
    speciality = models.CharField(_("speciality"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = JudgeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SheetState(models.TextChoices):
    OPEN = "open", _("Being marked")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Assignment withdrawn")


class ScoreSheetQuerySet(ScopedQuerySet):
    """Staff see the sheets of entries in their subtree; a judge sees their own sheets."""

    scope_org_lookups = ("entry__union",)
    scope_owner_lookup = "judge__user"


class ScoreSheet(models.Model):
    """One judge's marks for one entry: the judge's assignment to the entry. Locked once submitted; only
    district staff reopen it, with a reason kept in the history. The enterprises of the judge and of the
    entry are copied so that the database refuses a judge scoring their own enterprise's entry."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="sheets")
    judge = models.ForeignKey(Judge, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="sheets")
    judge_enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    entry_enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SheetState.choices, default=SheetState.OPEN, editable=False
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    last_reopen_reason = models.CharField(
        _("reason for reopening"), max_length=300, blank=True, editable=False
    )

    objects = ScoreSheetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["entry", "judge"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "judge"],
                name="score_sheet_one_per_judge",
                violation_error_message=_("This judge is already assigned to this entry."),
            ),
            models.CheckConstraint(
                condition=Q(judge_enterprise__isnull=True)
                | Q(entry_enterprise__isnull=True)
                | ~Q(judge_enterprise=F("entry_enterprise")),
                name="score_sheet_no_conflict_of_interest",
                violation_error_message=_("A judge cannot score an entry of their own enterprise."),
            ),
            models.CheckConstraint(
                condition=~Q(state="submitted") | Q(submitted_at__isnull=False),
                name="score_sheet_submitted_has_time",
            ),
        ]
        permissions = [
            ("score_scoresheet", _("Can mark the entries assigned to them")),
            ("reopen_scoresheet", _("Can reopen a submitted score sheet")),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.judge}"


class Mark(models.Model):
    """A judge's mark for one criterion. The criterion's maximum is copied so that the database refuses a
    mark above it."""

    sheet = models.ForeignKey(
        ScoreSheet, verbose_name=_("score sheet"), on_delete=models.PROTECT, related_name="marks"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="marks"
    )
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="marks", editable=False)
    marks = models.DecimalField(_("marks"), **SCORE)
    max_marks = models.DecimalField(_("maximum marks"), editable=False, **SCORE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ["sheet", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="mark_once_per_criterion"),
            models.CheckConstraint(
                condition=Q(marks__gte=0) & Q(marks__lte=F("max_marks")),
                name="mark_within_maximum",
                violation_error_message=_("A mark must be between 0 and the criterion's maximum."),
            ),
        ]
        indexes = [models.Index(fields=["entry", "criterion"], name="mark_entry_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.marks}"

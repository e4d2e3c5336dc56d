"""The knowledge quiz (知识竞答): quizzes, question banks, participants, daily allowances, attempts,
monthly scores and the monthly prize list.

The published rules, and where the database holds each of them:

1. Before the first attempt a member confirms their mobile and chooses their union
   (:class:`Participant`, one per quiz and user).
2. An attempt draws :data:`QUESTIONS_PER_ATTEMPT` questions, :data:`POINTS_PER_QUESTION` each
   (:class:`AttemptQuestion`, unique per attempt and position; score within 0..50 by a check).
3. One attempt a day, one more when someone opens the member's share link: the day's counter row
   (:class:`DailyAllowance`, unique per participant and Shanghai day, ``started <= 1 + bonus`` by a
   check) is locked when an attempt starts, and each attempt carries its number of the day, unique
   per participant and day and at most 2 (a second guard that needs no lock).
4. Points add up per calendar month (:class:`MonthScore`, unique per participant and month); the
   ranking key orders by points, then by who reached them first, the same in Redis and in the
   database.
5. The monthly top 100 win phone credit by tier (:class:`PrizeTier`, :class:`Prize`).

Every write with a rule is in :mod:`competitions.quiz.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Member
from union_portal.core.masking import mask_name, mask_phone
from union_portal.core.scoping import ScopedQuerySet
from union_portal.organisations.models import Organisation

#: The published rules (issue 13): not settings, so nobody changes them by accident.
QUESTIONS_PER_ATTEMPT = 5
POINTS_PER_QUESTION = 10
DAILY_ATTEMPTS = 1
SHARE_BONUS_ATTEMPTS = 1
MAX_DAILY_ATTEMPTS = DAILY_ATTEMPTS + SHARE_BONUS_ATTEMPTS
PRIZE_WINNERS = 100
#: An abuse guard, not a published rule: the openings of one person grant at most this many extra
#: attempts a day (to different members), so one account cannot hand bonuses to a whole union.
SHARE_BONUSES_PER_OPENER = 3
MONEY = {"max_digits": 12, "decimal_places": 2}


class QuizStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuizQuerySet(ScopedQuerySet):
    scope_org_lookups = ("organisation",)

    def open(self):
        return self.filter(status=QuizStatus.OPEN)


class Quiz(models.Model):
    """A knowledge quiz run by a federation (the district's, usually) for the members below it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="quizzes"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuizStatus.choices, default=QuizStatus.DRAFT, db_index=True
    )
    attempt_seconds = models.PositiveIntegerField(
        _("time limit (seconds)"),
        default=300,
        validators=[MinValueValidator(30), MaxValueValidator(3600)],
        help_text=_("An attempt submitted later than this after its start scores nothing."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = QuizQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attempt_seconds__gte=30) & Q(attempt_seconds__lte=3600),
                name="quiz_time_limit_range",
                violation_error_message=_("The time limit must be between 30 seconds and an hour."),
            ),
        ]
        permissions = [
            ("view_quiz_figures", _("Can see quiz participation figures")),
            ("export_prize", _("Can export the monthly prize list")),
            ("import_question", _("Can import quiz questions")),
        ]

    def __str__(self) -> str:
        return self.name


# --- the question bank ------------------------------------------------------------------------------


class Topic(models.TextChoices):
    LABOUR_LAW = "labour_law", _("Labour law")
    UNION = "union", _("Union knowledge")
    SAFETY = "safety", _("Work safety")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class QuestionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class QuestionBankQuerySet(ScopedQuerySet):
    scope_org_lookups = ("quiz__organisation",)


class QuestionBank(models.Model):
    """A bank of questions of one quiz; only the questions of active banks are drawn."""

    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="banks")
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = QuestionBankQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["quiz", "name"]

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(ScopedQuerySet):
    scope_org_lookups = ("bank__quiz__organisation",)

    def drawable(self):
        return self.filter(status=QuestionStatus.ACTIVE, bank__is_active=True)


class Question(models.Model):
    """A single or multiple choice question. Retired, never deleted: past attempts keep it."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="questions"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    #: The options as written, in the bank's order (2 to 6).
    options = models.JSONField(_("options"), default=list)
    #: Indexes (0-based, sorted) of the right options in ``options``.
    answer = models.JSONField(_("right options"), default=list)
    explanation = models.TextField(_("explanation"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QuestionStatus.choices,
        default=QuestionStatus.ACTIVE,
        db_index=True,
        editable=False,
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = QuestionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["bank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="retired") | Q(retired_at__isnull=False),
                name="quiz_question_retired_has_date",
                violation_error_message=_("A retired question needs the date it was retired."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


# --- participants -----------------------------------------------------------------------------------


class ParticipantQuerySet(ScopedQuerySet):
    scope_org_lookups = ("union",)
    scope_owner_lookup = "user"


class Participant(models.Model):
    """A member taking part in a quiz: their confirmed mobile and the union they play for."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=11)
    union = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.PROTECT, related_name="quiz_participants"
    )
    next_union = models.ForeignKey(
        Organisation,
        verbose_name=_("union from next month"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("A change of union asked for: it applies from the first day of next month."),
    )
    next_union_from = models.DateField(_("new union from"), null=True, blank=True, editable=False)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["-joined_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user"],
                name="quiz_one_participant_per_user",
                violation_error_message=_("You have already joined this quiz."),
            ),
        ]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def union_id_on(self, day) -> int:
        """The union played for on a day: a change asked for counts from the month after it was asked."""
        if self.next_union_id and self.next_union_from and day >= self.next_union_from:
            return self.next_union_id
        return self.union_id

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)


class DailyAllowanceQuerySet(ScopedQuerySet):
    scope_org_lookups = ("participant__union",)
    scope_owner_lookup = "participant__user"


class DailyAllowance(models.Model):
    """The counter of a participant's attempts on one Shanghai calendar day, locked at each start."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="allowances"
    )
    day = models.DateField(_("day"))
    started = models.PositiveSmallIntegerField(_("attempts started"), default=0)
    bonus_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("share opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bonus_at = models.DateTimeField(_("extra attempt granted at"), null=True, blank=True)
    #: Which of the opener's grants of the day this was (1..SHARE_BONUSES_PER_OPENER), unique per
    #: opener and day: the database holds the limit per opener even when openings race.
    bonus_slot = models.PositiveSmallIntegerField(
        _("opener's grant of the day"), null=True, blank=True, editable=False
    )

    objects = DailyAllowanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("daily allowance")
        verbose_name_plural = _("daily allowances")
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "day"],
                name="quiz_one_allowance_per_day",
                violation_error_message=_("There is already a counter for this day."),
            ),
            models.CheckConstraint(
                condition=Q(started__lte=DAILY_ATTEMPTS)
                | (Q(started__lte=MAX_DAILY_ATTEMPTS) & Q(bonus_at__isnull=False)),
                name="quiz_allowance_within_limit",
                violation_error_message=_("No attempts left today."),
            ),
            models.UniqueConstraint(
                fields=["bonus_by", "day", "bonus_slot"],
                name="quiz_opener_grants_once_per_slot",
                violation_error_message=_("This person has given as many extra attempts as they may today."),
            ),
            models.CheckConstraint(
                condition=Q(bonus_slot__isnull=True)
                | (Q(bonus_slot__gte=1) & Q(bonus_slot__lte=SHARE_BONUSES_PER_OPENER)),
                name="quiz_opener_grants_per_day",
                violation_error_message=_("This person has given as many extra attempts as they may today."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.day}"

    @property
    def allowed(self) -> int:
        return DAILY_ATTEMPTS + (SHARE_BONUS_ATTEMPTS if self.bonus_at else 0)

    @property
    def left(self) -> int:
        return max(self.allowed - self.started, 0)


# --- attempts ---------------------------------------------------------------------------------------


class AttemptState(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Time ran out")


class AttemptQuerySet(ScopedQuerySet):
    scope_org_lookups = ("union",)
    scope_owner_lookup = "participant__user"


class Attempt(models.Model):
    """One go at the quiz: five questions drawn at the start, scored once on the server."""

    # Neither foreign key has an index of its own: each leads a composite index below (every write of
    # an attempt, the submit's included, pays for each index of the table).
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="attempts",
        db_index=False,  # quiz_attempt_number_per_day (participant, day, number)
    )
    #: The union the participant played for when the attempt started (participation by union).
    union = models.ForeignKey(
        Organisation,
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # quiz_attempt_union_month (union, month)
    )
    day = models.DateField(_("day"), editable=False)
    month = models.DateField(_("month"), editable=False, help_text=_("The first day of the month."))
    number = models.PositiveSmallIntegerField(_("attempt of the day"), editable=False)
    started_at = models.DateTimeField(_("started at"), editable=False)
    deadline = models.DateTimeField(_("deadline"), editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=AttemptState.choices, default=AttemptState.OPEN, editable=False
    )
    correct = models.PositiveSmallIntegerField(_("right answers"), default=0, editable=False)
    score = models.PositiveSmallIntegerField(_("points"), default=0, editable=False)

    objects = AttemptQuerySet.as_manager()
    # The history is read by attempt (its id and date are indexed), never by participant or union.
    history = HistoricalRecords(no_db_index=["participant", "union"])

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "day", "number"],
                name="quiz_attempt_number_per_day",
                violation_error_message=_("No attempts left today."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=MAX_DAILY_ATTEMPTS),
                name="quiz_attempt_at_most_two_a_day",
                violation_error_message=_("No attempts left today."),
            ),
            models.CheckConstraint(
                condition=Q(score__lte=QUESTIONS_PER_ATTEMPT * POINTS_PER_QUESTION),
                name="quiz_attempt_score_range",
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(submitted_at__isnull=False),
                name="quiz_attempt_closed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["union", "month"], name="quiz_attempt_union_month"),
            models.Index(fields=["month", "state"], name="quiz_attempt_month_state"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.day} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.OPEN


class AttemptQuestion(models.Model):
    """A question drawn for an attempt, its options in the order shown, and the answer given."""

    attempt = models.ForeignKey(
        Attempt,
        verbose_name=_("attempt"),
        on_delete=models.PROTECT,
        related_name="questions",
        db_index=False,  # quiz_drawn_position_unique (attempt, position)
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    #: Indexes of the question's options in the order shown (shuffled per attempt).
    order = models.JSONField(_("option order"), default=list)
    #: Indexes of the question's options the participant chose (null: not answered).
    chosen = models.JSONField(_("chosen options"), null=True, blank=True)
    is_correct = models.BooleanField(_("right"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("drawn question")
        verbose_name_plural = _("drawn questions")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="quiz_drawn_position_unique"),
            models.UniqueConstraint(fields=["attempt", "question"], name="quiz_drawn_question_unique"),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=QUESTIONS_PER_ATTEMPT),
                name="quiz_drawn_position_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.position}"


# --- the monthly ranking ----------------------------------------------------------------------------


class MonthScoreQuerySet(ScopedQuerySet):
    scope_org_lookups = ("participant__union",)
    scope_owner_lookup = "participant__user"


class MonthScore(models.Model):
    """A participant's points in one month. ``rank_key`` orders the ranking (smaller is better): more
    points first, then whoever reached them first (milliseconds since the month began); it is the
    score of the participant in the month's Redis sorted set, so both give the same order."""

    # Neither foreign key has an index of its own: each leads a composite index below.
    quiz = models.ForeignKey(
        Quiz,
        verbose_name=_("quiz"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # quiz_score_ranking (quiz, month, rank_key, participant)
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="month_scores",
        db_index=False,  # quiz_one_score_per_month (participant, month)
    )
    month = models.DateField(_("month"))
    points = models.PositiveIntegerField(_("points"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    reached_at = models.DateTimeField(_("points reached at"))
    rank_key = models.BigIntegerField(_("ranking key"), editable=False)

    objects = MonthScoreQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=["quiz", "participant"])  # read by score, as the attempts'

    class Meta:
        verbose_name = _("monthly score")
        verbose_name_plural = _("monthly scores")
        ordering = ["quiz", "month", "rank_key", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "month"],
                name="quiz_one_score_per_month",
                violation_error_message=_("There is already a score for this month."),
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "month", "rank_key", "participant"], name="quiz_score_ranking"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.month:%Y-%m} {self.points}"


# --- months and prizes ------------------------------------------------------------------------------


class MonthState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Prize list drawn up")


class QuizMonthQuerySet(ScopedQuerySet):
    scope_org_lookups = ("quiz__organisation",)


class QuizMonth(models.Model):
    """A month of a quiz, its prize tiers and, once closed, its prize list."""

    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="months")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    state = models.CharField(
        _("state"), max_length=10, choices=MonthState.choices, default=MonthState.OPEN, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = QuizMonthQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quiz month")
        verbose_name_plural = _("quiz months")
        ordering = ["quiz", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "month"],
                name="quiz_one_row_per_month",
                violation_error_message=_("This month exists already."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="quiz_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} {self.month:%Y-%m}"


class PrizeTierQuerySet(ScopedQuerySet):
    scope_org_lookups = ("quiz_month__quiz__organisation",)


class PrizeTier(models.Model):
    """Phone credit for the ranks ``rank_from``..``rank_to`` of a month (30 to 100 yuan)."""

    quiz_month = models.ForeignKey(
        QuizMonth, verbose_name=_("month"), on_delete=models.PROTECT, related_name="tiers"
    )
    rank_from = models.PositiveSmallIntegerField(_("from rank"), validators=[MinValueValidator(1)])
    rank_to = models.PositiveSmallIntegerField(_("to rank"), validators=[MaxValueValidator(PRIZE_WINNERS)])
    amount = models.DecimalField(
        _("phone credit (yuan)"),
        validators=[MinValueValidator(30), MaxValueValidator(100)],
        **MONEY,
    )

    objects = PrizeTierQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prize tier")
        verbose_name_plural = _("prize tiers")
        ordering = ["quiz_month", "rank_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rank_from__gte=1)
                & Q(rank_to__gte=models.F("rank_from"))
                & Q(rank_to__lte=PRIZE_WINNERS),
                name="quiz_tier_ranks",
                violation_error_message=_("Ranks run from 1 to 100, the first not after the last."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=30) & Q(amount__lte=100),
                name="quiz_tier_amount_range",
                violation_error_message=_("Phone credit is between 30 and 100 yuan."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank_from}-{self.rank_to}: {self.amount}"


class PrizeQuerySet(ScopedQuerySet):
    scope_org_lookups = ("participant__union",)
    scope_owner_lookup = "participant__user"


class Prize(models.Model):
    """A winner of a month: their rank, points and phone credit, fixed when the month is closed; then
    paid (the credit topped up), recorded once with who and the payment reference."""

    quiz_month = models.ForeignKey(
        QuizMonth, verbose_name=_("month"), on_delete=models.PROTECT, related_name="prizes"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="prizes"
    )
    points = models.PositiveIntegerField(_("points"))
    amount = models.DecimalField(_("phone credit (yuan)"), **MONEY)
    mobile = models.CharField(_("mobile number"), max_length=11)
    union = models.ForeignKey(
        Organisation,
        verbose_name=_("union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("The union the winner played for in the month."),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, editable=False)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    payment_reference = models.CharField(
        _("payment reference"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("The top-up order or batch number, to find the payment again."),
    )

    objects = PrizeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["quiz_month", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["quiz_month", "rank"], name="quiz_prize_rank_unique"),
            models.UniqueConstraint(fields=["quiz_month", "participant"], name="quiz_prize_one_per_winner"),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=PRIZE_WINNERS), name="quiz_prize_top_100"
            ),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(paid_by__isnull=False),
                name="quiz_prize_paid_by_someone",
                violation_error_message=_("A payment is recorded by someone."),
            ),
        ]
        permissions = [("pay_prize", _("Can record prize payments"))]

    def __str__(self) -> str:
        return f"{self.quiz_month} #{self.rank}"

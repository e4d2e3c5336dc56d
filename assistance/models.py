"""Hardship aid: help centres, hardship files, campaigns, the mutual-aid scheme, applications,
their steps, payments, documents, visits and one-to-one pairings.

Every write with a rule is in :mod:`assistance.services`; the workflow fields of an application
are not editable in any form. The database guards what must hold even when two staff click at
once: a campaign's approved total within its budget, one live application and one payment per
member and campaign, an approved amount within its limit unless overridden with a reason.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Member
from union_portal.core.crypto import EncryptedTextField
from union_portal.core.scoping import ScopedQuerySet, sees_everything, user_scope_path
from union_portal.organisations.models import Organisation

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}


def private_storage() -> FileSystemStorage:
    """Uploaded documents live under ``MEDIA_ROOT/private``; no URL serves them, only a view that checks."""
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "private", base_url=None)


def member_label(member: Member) -> str:
    """How the aid lists show a member: :meth:`members.models.Member.choice_label`."""
    return member.choice_label()


# --- help centres -------------------------------------------------------------------------------


class HelpCentreQuerySet(ScopedQuerySet):
    scope_org_lookups = ("organisation",)


class HelpCentre(models.Model):
    """A hardship help centre (困难职工帮扶中心) at district or town level."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="help_centres"
    )
    address = models.CharField(_("address"), max_length=200)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = HelpCentreQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("help centre")
        verbose_name_plural = _("help centres")
        ordering = ["organisation__path", "name"]

    def __str__(self) -> str:
        return self.name


# --- hardship files ------------------------------------------------------------------------------


class Cause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    DISASTER = "disaster", _("Disaster or accident")
    SCHOOLING = "schooling", _("Children's schooling")
    OTHER = "other", _("Other")


class HardshipLevel(models.TextChoices):
    SEVERE = "severe", _("Severe hardship")
    RELATIVE = "relative", _("Relative hardship")
    SUDDEN = "sudden", _("Sudden hardship (accident)")


class FileStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    OUT = "out", _("Out of hardship")
    CLOSED = "closed", _("Closed")


class HardshipFileQuerySet(ScopedQuerySet):
    scope_org_lookups = ("member__union",)
    scope_owner_lookup = "member__user"

    def active(self):
        return self.filter(status=FileStatus.ACTIVE)


class HardshipFile(models.Model):
    """A hardship file (困难职工档案): the household of a member in difficulty, re-checked every year."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="hardship_files"
    )
    centre = models.ForeignKey(
        HelpCentre,
        verbose_name=_("help centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
    )
    causes = models.JSONField(_("causes"), default=list, blank=True)
    level = models.CharField(_("hardship level"), max_length=10, choices=HardshipLevel.choices)
    household_size = models.PositiveSmallIntegerField(_("household size"), default=0, editable=False)
    household_income = models.DecimalField(
        _("household monthly income"), default=ZERO, editable=False, **MONEY
    )
    income_per_head = models.DecimalField(_("monthly income per head"), default=ZERO, editable=False, **MONEY)
    opened_on = models.DateField(_("opened on"), editable=False)
    next_recheck_on = models.DateField(_("next re-check"), db_index=True)
    last_checked_on = models.DateField(_("last checked on"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FileStatus.choices,
        default=FileStatus.ACTIVE,
        db_index=True,
        editable=False,
    )
    exited_on = models.DateField(_("out of hardship on"), null=True, blank=True, editable=False)
    exit_reason = models.CharField(_("reason"), max_length=300, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HardshipFileQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="active"),
                name="hardship_one_active_file_per_member",
                violation_error_message=_("This member already has an active hardship file."),
            ),
            models.CheckConstraint(
                condition=~Q(status="out") | Q(exited_on__isnull=False),
                name="hardship_out_has_date",
                violation_error_message=_("A file out of hardship needs the date."),
            ),
            models.CheckConstraint(
                condition=Q(household_income__gte=0) & Q(income_per_head__gte=0),
                name="hardship_income_not_negative",
            ),
        ]
        permissions = [
            ("view_household", _("Can see household details and incomes of hardship files")),
            ("import_hardshipfile", _("Can import hardship files")),
        ]

    def __str__(self) -> str:
        return _("Hardship file of %(name)s") % {"name": member_label(self.member)}

    @property
    def cause_labels(self) -> list[str]:
        return [str(Cause(c).label) for c in self.causes if c in Cause.values]


class Relation(models.TextChoices):
    SELF = "self", _("The member")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")
    DISABLED = "disabled", _("Disabled")


class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    UNABLE = "unable", _("Unable to work")
    CHILD = "child", _("Child under school age")


class HouseholdMemberQuerySet(ScopedQuerySet):
    scope_org_lookups = ("file__member__union",)
    scope_owner_lookup = "file__member__user"


class HouseholdMember(models.Model):
    """One person of a hardship household, with their monthly income."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="household"
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    age = models.PositiveSmallIntegerField(_("age"), validators=[MaxValueValidator(130)])
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    work = models.CharField(_("work"), max_length=12, choices=WorkStatus.choices, default=WorkStatus.EMPLOYED)
    monthly_income = models.DecimalField(
        _("monthly income"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )

    objects = HouseholdMemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["file", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="household_income_not_negative"),
            models.CheckConstraint(condition=Q(age__lte=130), name="household_age_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}"


# --- campaigns and the mutual-aid scheme ---------------------------------------------------------


class CampaignKind(models.TextChoices):
    FESTIVAL = "festival", _("Festival condolence")
    EDUCATION = "education", _("Education aid")


class Festival(models.TextChoices):
    NONE = "", _("None")
    NEW_YEAR = "new_year", _("New Year")
    SPRING = "spring", _("Spring Festival")


class CampaignQuerySet(ScopedQuerySet):
    """Campaigns are run by a federation and concern everyone below it: staff see those of their
    node's ancestors and of its subtree; members see them through the portal's open list."""

    scope_org_lookups = ("organisation",)

    def org_q(self, path: str) -> Q:
        steplen = Organisation.steplen
        ancestors = [path[:i] for i in range(steplen, len(path) + 1, steplen)]
        return Q(organisation__path__in=ancestors) | Q(organisation__path__startswith=path)

    def open_on(self, day):
        return self.filter(opens_on__lte=day, closes_on__gte=day)


class Campaign(models.Model):
    """A festival condolence (送温暖) or education aid (金秋助学) campaign with a budget and a standard."""

    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices)
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    festival = models.CharField(
        _("festival"), max_length=10, choices=Festival.choices, blank=True, default=""
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="aid_campaigns"
    )
    budget = models.DecimalField(_("budget"), validators=[MinValueValidator(ZERO)], **MONEY)
    standard_amount = models.DecimalField(
        _("standard amount"),
        validators=[MinValueValidator(ZERO)],
        help_text=_("Per household (festival condolence) or per student (education aid)."),
        **MONEY,
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    approved_total = models.DecimalField(_("approved total"), default=ZERO, editable=False, **MONEY)
    paid_total = models.DecimalField(_("paid total"), default=ZERO, editable=False, **MONEY)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_total__lte=F("budget")),
                name="campaign_approved_within_budget",
                violation_error_message=_("The approved total cannot exceed the budget."),
            ),
            models.CheckConstraint(
                condition=Q(approved_total__gte=0)
                & Q(paid_total__gte=0)
                & Q(paid_total__lte=F("approved_total")),
                name="campaign_totals_consistent",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="campaign_window",
                violation_error_message=_("A campaign cannot close before it opens."),
            ),
            models.CheckConstraint(
                condition=Q(standard_amount__gte=0) & Q(budget__gte=0), name="campaign_money_positive"
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "year", "festival"],
                name="campaign_unique_per_year",
                violation_error_message=_("This campaign already exists for that year."),
            ),
        ]
        permissions = [("export_payment", _("Can export the payment list of a campaign"))]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self):
        return self.budget - self.approved_total

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on


class MutualAidSchemeQuerySet(CampaignQuerySet):
    pass


class MutualAidScheme(models.Model):
    """The workers' medical mutual-aid scheme (职工医疗互助) of one year and its reimbursement rule."""

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="mutual_aid_schemes"
    )
    fee = models.DecimalField(
        _("yearly fee per member"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )
    deductible = models.DecimalField(
        _("deductible"),
        validators=[MinValueValidator(ZERO)],
        help_text=_("Expenses up to this amount are not reimbursed."),
        **MONEY,
    )
    ratio = models.DecimalField(
        _("reimbursement ratio"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(1))],
        help_text=_("Share of the expenses above the deductible that is reimbursed, e.g. 0.5."),
    )
    annual_cap = models.DecimalField(
        _("annual cap per member"), validators=[MinValueValidator(ZERO)], **MONEY
    )
    enrol_opens_on = models.DateField(_("enrolment opens on"))
    enrol_closes_on = models.DateField(_("enrolment closes on"))

    objects = MutualAidSchemeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mutual-aid scheme")
        verbose_name_plural = _("mutual-aid schemes")
        ordering = ["-year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio__gte=0) & Q(ratio__lte=1), name="scheme_ratio_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=Q(deductible__gte=0) & Q(annual_cap__gte=0), name="scheme_money_positive"
            ),
            models.UniqueConstraint(fields=["organisation", "year"], name="scheme_one_per_year"),
        ]

    def __str__(self) -> str:
        return self.name


class EnrolmentQuerySet(ScopedQuerySet):
    scope_org_lookups = ("member__union",)
    scope_owner_lookup = "member__user"


class MutualAidEnrolment(models.Model):
    """A member enrolled in the scheme of one year; claims are capped per enrolment."""

    scheme = models.ForeignKey(
        MutualAidScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="enrolments"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="mutual_aid_enrolments"
    )
    enrolled_on = models.DateField(_("enrolled on"))
    reimbursed_total = models.DecimalField(_("reimbursed this year"), default=ZERO, editable=False, **MONEY)

    objects = EnrolmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mutual-aid enrolment")
        verbose_name_plural = _("mutual-aid enrolments")
        ordering = ["-enrolled_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "member"], name="enrolment_once_per_scheme"),
            models.CheckConstraint(
                condition=Q(reimbursed_total__gte=0), name="enrolment_reimbursed_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {member_label(self.member)}"


# --- applications ---------------------------------------------------------------------------------


class AidKind(models.TextChoices):
    FESTIVAL = "festival", _("Festival condolence")
    EDUCATION = "education", _("Education aid")
    MEDICAL = "medical", _("Medical aid")
    MUTUAL_AID = "mutual_aid", _("Mutual-aid claim")
    EMPLOYMENT = "employment", _("Employment help")
    RELIEF = "relief", _("Temporary relief")


#: The campaign kind an application kind belongs to.
CAMPAIGN_KIND_OF = {AidKind.FESTIVAL: CampaignKind.FESTIVAL, AidKind.EDUCATION: CampaignKind.EDUCATION}


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Checked by the union")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: States in which an application holds its place in a campaign.
LIVE_STATES = (State.SUBMITTED, State.CHECKED, State.APPROVED, State.PAID, State.CLOSED)
#: States that waiting for staff means.
WAITING_STATES = (State.SUBMITTED, State.CHECKED)
#: States with an approved amount.
GRANTED_STATES = (State.APPROVED, State.PAID, State.CLOSED)


class AidApplicationQuerySet(ScopedQuerySet):
    """Staff see the applications of their subtree. A member sees their own; a proxy agent, only
    what they filed for members still in their area (never every application of the area)."""

    scope_org_lookups = ("member__union",)
    scope_owner_lookup = "member__user"

    def owner_q(self, user) -> Q:
        q = Q(member__user=user)
        path = user_scope_path(user)
        if path:
            q |= Q(filed_by=user, member__union__path__startswith=path)
        return q

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user) or user.is_staff:
            return super().visible_to(user)
        return self.filter(self.owner_q(user))

    def waiting(self):
        return self.filter(state__in=WAITING_STATES)


class AidApplication(models.Model):
    """An application for aid, from submission to payment and closure (or rejection, withdrawal)."""

    kind = models.CharField(_("kind"), max_length=12, choices=AidKind.choices)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="aid_applications"
    )
    hardship_file = models.ForeignKey(
        HardshipFile,
        verbose_name=_("hardship file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        editable=False,
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    enrolment = models.ForeignKey(
        MutualAidEnrolment,
        verbose_name=_("mutual-aid enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        editable=False,
    )
    reason = models.TextField(_("situation"), help_text=_("What happened and what help is needed."))
    student_name = models.CharField(_("student's name"), max_length=50, blank=True)
    university = models.CharField(_("university"), max_length=100, blank=True)
    admission_year = models.PositiveSmallIntegerField(_("admission year"), null=True, blank=True)
    medical_expenses = models.DecimalField(
        _("medical expenses (own share)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        **MONEY,
    )
    amount_requested = models.DecimalField(
        _("amount requested"), null=True, blank=True, validators=[MinValueValidator(ZERO)], **MONEY
    )
    # --- the workflow: written by the services only -------------------------------------------------
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=State.choices,
        default=State.SUBMITTED,
        db_index=True,
        editable=False,
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), editable=False, db_index=True)
    state_changed_at = models.DateTimeField(_("state changed at"), editable=False, db_index=True)
    amount_limit = models.DecimalField(
        _("limit by the rules"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The campaign standard, the scheme's computation or the amount requested, at approval."),
        **MONEY,
    )
    amount_approved = models.DecimalField(
        _("amount approved"), null=True, blank=True, editable=False, **MONEY
    )
    override_reason = models.CharField(
        _("reason for exceeding the limit"), max_length=300, blank=True, editable=False
    )
    computation = models.JSONField(_("computation"), default=list, blank=True, editable=False)
    # Where the money goes by bank transfer: given with the application or by staff before payment
    # (services.application_payee_set); the account is encrypted like the ID number, masked on screen.
    payee_bank = models.CharField(_("payee's bank"), max_length=100, blank=True, default="", editable=False)
    payee_account = EncryptedTextField(_("payee's account number"), blank=True, default="", editable=False)
    rejection_reason = models.CharField(_("rejection reason"), max_length=300, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AidApplicationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("aid application")
        verbose_name_plural = _("aid applications")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(state__in=["submitted", "checked", "approved", "paid", "closed"]),
                name="aid_one_live_application_per_campaign",
                violation_error_message=_("This member already has an application in this campaign."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "paid", "closed"])
                | (Q(amount_approved__isnull=False) & Q(amount_limit__isnull=False)),
                name="aid_granted_has_amount",
                violation_error_message=_("An approved application needs its amount."),
            ),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True)
                | Q(amount_approved__lte=F("amount_limit"))
                | ~Q(override_reason=""),
                name="aid_amount_within_limit_or_overridden",
                violation_error_message=_("An amount above the limit needs a written reason."),
            ),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_approved__gt=0),
                name="aid_amount_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["festival", "education"]) | Q(campaign__isnull=False),
                name="aid_campaign_kinds_have_campaign",
            ),
            models.CheckConstraint(
                condition=~Q(kind="mutual_aid") | Q(enrolment__isnull=False), name="aid_claim_has_enrolment"
            ),
        ]
        indexes = [models.Index(fields=["state", "state_changed_at"], name="aid_state_waiting")]
        permissions = [
            ("check_aidapplication", _("Can check aid applications (grassroots review)")),
            ("approve_aidapplication", _("Can approve or reject checked aid applications (district)")),
            ("override_aid_amount", _("Can approve an amount above the limit, with a reason")),
            ("pay_aidapplication", _("Can record payments and close aid applications")),
            ("view_aid_figures", _("Can read aggregate figures of hardship aid")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {member_label(self.member)} · #{self.pk}"

    @property
    def member_display(self) -> str:
        """The member as staff and proxy agents see them: ``member_label`` (masked, told apart)."""
        return member_label(self.member)

    @property
    def masked_payee_account(self) -> str:
        account = self.payee_account or ""
        return (
            account[:4] + "*" * (len(account) - 8) + account[-4:] if len(account) > 8 else "*" * len(account)
        )

    @property
    def is_withdrawable(self) -> bool:
        return self.state in WAITING_STATES


class AidStep(models.Model):
    """One step of an application: who moved it from which state to which, when, and the note."""

    application = models.ForeignKey(
        AidApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="steps"
    )
    from_state = models.CharField(_("from"), max_length=10, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=10, choices=State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.application_id} {self.from_state or '-'} → {self.to_state}"


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    GOODS = "goods", _("Goods")


class PaymentQuerySet(ScopedQuerySet):
    scope_org_lookups = ("member__union",)
    scope_owner_lookup = "member__user"


class Payment(models.Model):
    """Money paid on an approved application. Campaign and member are copied from the application so
    that the database itself says "at most once per member and campaign"."""

    application = models.OneToOneField(
        AidApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="payment"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="aid_payments"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member"],
                name="payment_once_per_campaign_member",
                violation_error_message=_("This member has already been paid in this campaign."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{member_label(self.member)} ¥{self.amount} ({self.paid_on})"


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("ID card or household register")
    INCOME = "income", _("Proof of income")
    MEDICAL = "medical", _("Medical records and bills")
    ADMISSION = "admission", _("University admission letter")
    OTHER = "other", _("Other")


class DocumentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(application__in=AidApplication.objects.visible_to(user))


def document_path(instance, filename: str) -> str:
    # Never the uploader's file name on disk: a random name with the checked extension.
    return f"aid/{instance.application_id}/{instance.token}.{instance.extension}"


class Document(models.Model):
    """A file uploaded with an application, stored privately and served only through a checking view."""

    application = models.ForeignKey(
        AidApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    file = models.FileField(_("file"), upload_to=document_path, storage=private_storage, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=4, editable=False)
    content_type = models.CharField(_("type"), max_length=40, editable=False)
    original_name = models.CharField(_("file name"), max_length=200, editable=False)
    size = models.PositiveIntegerField(_("size"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.original_name


class VisitQuerySet(ScopedQuerySet):
    scope_org_lookups = ("file__member__union",)


class Visit(models.Model):
    """A visit to a hardship household (走访慰问)."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visitors"), max_length=200)
    gift_value = models.DecimalField(
        _("value of gifts"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.file} · {self.visited_on}"


class PairingQuerySet(ScopedQuerySet):
    scope_org_lookups = ("file__member__union",)


class Pairing(models.Model):
    """A one-to-one pairing (一帮一) of a helper with a hardship family."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="pairings"
    )
    helper_name = models.CharField(_("helper"), max_length=50)
    helper_unit = models.CharField(_("helper's unit"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = PairingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("one-to-one pairing")
        verbose_name_plural = _("one-to-one pairings")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pairing_dates_in_order",
                violation_error_message=_("A pairing cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper_name} → {self.file}"

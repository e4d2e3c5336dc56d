"""Members and member benefits (the organisation tree is ``union_portal.organisations``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from union_portal.core.crypto import EncryptedTextField
from union_portal.core.masking import mask_id_number, mask_name, mask_phone
from union_portal.core.scoping import ScopedQuerySet
from union_portal.core.validators import validate_mobile
from union_portal.organisations.models import Enterprise, Organisation


class MemberQuerySet(ScopedQuerySet):
    scope_org_lookups = ("union",)
    scope_owner_lookup = "user"
    scope_filer_lookup = "filed_by"

    def open(self):
        return self.filter(status__in=MemberStatus.OPEN)

    def active(self):
        return self.filter(status=MemberStatus.ACTIVE)


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("Applied, awaiting approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Application rejected")
    LAPSED = "lapsed", _("Lapsed")
    WITHDRAWN = "withdrawn", pgettext_lazy("membership status", "Withdrawn")
    DECEASED = "deceased", _("Deceased")


MemberStatus.OPEN = (MemberStatus.PENDING, MemberStatus.ACTIVE)
MemberStatus.ENDED = (MemberStatus.LAPSED, MemberStatus.WITHDRAWN, MemberStatus.DECEASED)


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class HouseholdType(models.TextChoices):
    LOCAL = "local", _("Local household")
    NON_LOCAL = "non_local", _("Non-local household")


class SkillGrade(models.TextChoices):
    NONE = "", _("None")
    JUNIOR = "junior", _("Junior worker")
    INTERMEDIATE = "intermediate", _("Intermediate worker")
    SENIOR = "senior", _("Senior worker")
    TECHNICIAN = "technician", _("Technician")
    SENIOR_TECHNICIAN = "senior_technician", _("Senior technician")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Self-service portal")
    OFFICER = "officer", _("Registered by a union officer")
    PROXY = "proxy", _("Filed by a proxy agent")
    IMPORT = "import", _("Bulk import")
    API = "api", _("Partner API")


class Member(models.Model):
    """One membership of one person, from application to its end. A person who
    leaves and joins again gets a new row; a transfer keeps the row and records
    an event. The resident ID number is stored encrypted; its blind index
    guarantees, in the database, that a person has at most one open membership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, db_index=True)
    name_pinyin = models.CharField(
        _("name in pinyin"), max_length=200, blank=True, db_index=True, editable=False
    )
    name_initials = models.CharField(_("initials"), max_length=20, blank=True, db_index=True, editable=False)
    # The common reading of a name whose surname reads otherwise (区 ou / qu): searched too.
    name_pinyin_alt = models.CharField(
        _("name in pinyin, common reading"), max_length=200, blank=True, default="", editable=False
    )
    name_initials_alt = models.CharField(
        _("initials, common reading"), max_length=20, blank=True, default="", editable=False
    )
    id_number = EncryptedTextField(_("resident ID number"))
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    mobile = models.CharField(_("mobile number"), max_length=11, validators=[validate_mobile], db_index=True)
    household_type = models.CharField(
        _("household type"), max_length=10, choices=HouseholdType.choices, default=HouseholdType.LOCAL
    )
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    employer = models.ForeignKey(
        Enterprise,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    union = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.PROTECT, related_name="members"
    )
    job = models.CharField(_("job"), max_length=100, blank=True)
    skill_grade = models.CharField(
        _("skill grade"), max_length=20, choices=SkillGrade.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.PENDING, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.OFFICER)
    card_number = models.CharField(
        _("card number"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    join_date = models.DateField(_("joined on"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=300, blank=True, editable=False)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    end_reason = models.CharField(_("end reason"), max_length=300, blank=True, editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # What the proxy agent confirmed when filing for the worker (the statement as shown, and when).
    consent_statement = models.CharField(
        _("worker's consent"), max_length=500, blank=True, default="", editable=False
    )
    consent_confirmed_at = models.DateTimeField(
        _("consent confirmed at"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()
    # The history is read by member (``id``), never searched by these columns: their indexes (each a
    # b-tree and a ``varchar_pattern_ops`` twin; the foreign keys' b-trees) would only cost every import
    # one more entry apiece (the five foreign keys' took a third of the history COPY, issue 9.18).
    history = HistoricalRecords(
        excluded_fields=[
            "name_pinyin",
            "name_initials",
            "name_pinyin_alt",
            "name_initials_alt",
            "updated_at",
        ],
        no_db_index=[
            "name",
            "id_number_hash",
            "mobile",
            "status",
            "card_number",
            "union",
            "employer",
            "user",
            "decided_by",
            "filed_by",
        ],  # fmt: skip
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(status__in=["pending", "active"]),
                name="member_one_open_membership",
                violation_error_message=_("This person already has an open membership or application."),
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(card_number__isnull=False),
                name="member_active_has_card",
                violation_error_message=_("An active member needs a card number."),
            ),
        ]
        indexes = [
            models.Index(fields=["union", "status"], name="member_union_status"),
            # Few names have a second reading: index only those (an import writes no entry for the rest).
            models.Index(
                fields=["name_pinyin_alt"],
                name="member_pinyin_alt",
                condition=~Q(name_pinyin_alt=""),
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials_alt"],
                name="member_initials_alt",
                condition=~Q(name_initials_alt=""),
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        permissions = [
            ("approve_member", _("Can approve or reject membership applications")),
            ("transfer_member", _("Can transfer members between unions")),
            ("end_member", _("Can record a lapse, withdrawal or death")),
            ("reveal_member", _("Can reveal a member's full ID number and phone")),
            ("import_member", _("Can import members")),
            ("export_member", _("Can export members (masked)")),
            ("export_unmasked_member", _("Can export members unmasked")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def choice_label(self) -> str:
        """The masked name with what tells two members apart when their masks are the same (陈晓明 and
        陈小明 are both 陈*明): the last four digits of the card number, or of the ID number before
        there is a card. Never more than the masked forms show. Lists, queues and the admin's member
        pickers show a member by it (``union_portal.core.admin``)."""
        if self.card_number:
            return _("%(name)s (card …%(tail)s)") % {"name": self.masked_name, "tail": self.card_number[-4:]}
        if self.id_number:
            return _("%(name)s (ID …%(tail)s)") % {"name": self.masked_name, "tail": self.id_number[-4:]}
        return self.masked_name

    @property
    def is_open(self) -> bool:
        return self.status in MemberStatus.OPEN


class MembershipEventQuerySet(ScopedQuerySet):
    scope_org_lookups = ("member__union",)
    scope_owner_lookup = "member__user"
    scope_filer_lookup = "member__filed_by"


class MembershipEvent(models.Model):
    """One step of a membership: who did what, when and why."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REGISTERED = "registered", _("Registered by an officer")
        IMPORTED = "imported", _("Imported")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        TRANSFERRED = "transferred", _("Transferred")
        UPDATED = "updated", _("Details changed")
        LAPSED = "lapsed", _("Lapsed")
        WITHDRAWN = "withdrawn", _("Withdrew")
        DECEASED = "deceased", _("Died")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    from_union = models.ForeignKey(
        Organisation,
        verbose_name=_("from union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_union = models.ForeignKey(
        Organisation,
        verbose_name=_("to union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = MembershipEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()}"


class TransferRequestQuerySet(ScopedQuerySet):
    """Both sides see a transfer: the unions it leaves and the one it joins (and the member, their own)."""

    scope_org_lookups = ("from_union", "to_union")
    scope_owner_lookup = "member__user"

    def pending(self):
        return self.filter(state=TransferRequest.State.PENDING)

    def direction(self, user, value: str):
        """``in``: transfers into the user's subtree (theirs to decide); ``out``: the others they see."""
        from union_portal.core.scoping import user_scope_path

        path = user_scope_path(user)
        if value not in ("in", "out") or user.is_superuser or not path:
            return self
        inside = Q(to_union__path__startswith=path)
        return self.filter(inside if value == "in" else ~inside)

    def to_decide_by(self, user):
        """Pending requests into the user's subtree: theirs to accept or decline."""
        from union_portal.core.scoping import user_scope_path

        path = user_scope_path(user)
        queryset = self.visible_to(user).pending()
        if user is not None and user.is_superuser:
            return queryset
        return queryset.filter(to_union__path__startswith=path) if path else queryset.none()


class TransferRequest(models.Model):
    """A member's move to a union outside the requester's area (会员组织关系转接): the receiving union
    accepts or declines it. A move within the requester's own area is recorded here too, accepted at once,
    so every transfer has one record of who asked and who decided."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving union")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Withdrawn by the sender")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="transfer_requests"
    )
    from_union = models.ForeignKey(
        Organisation, verbose_name=_("from union"), on_delete=models.PROTECT, related_name="+"
    )
    to_union = models.ForeignKey(
        Organisation, verbose_name=_("to union"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    objects = TransferRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-requested_at", "-pk"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state="pending"),
                name="transfer_one_pending_per_member",
                violation_error_message=_("This member already has a transfer waiting for a decision."),
            ),
            models.CheckConstraint(
                condition=~Q(from_union=models.F("to_union")),
                name="transfer_to_another_union",
                violation_error_message=_("The member already belongs to this union."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.from_union} → {self.to_union}"


class BenefitMerchantQuerySet(ScopedQuerySet):
    scope_org_lookups = ("town",)

    def current(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(is_active=True, valid_from__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


class BenefitMerchant(models.Model):
    """A partner merchant (特惠商家) that gives card holders a discount."""

    name = models.CharField(_("name"), max_length=100)
    discount = models.CharField(
        _("discount"),
        max_length=200,
        # xgettext:no-python-format
        help_text=_("What card holders get, e.g. 10% off."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    town = models.ForeignKey(
        Organisation,
        verbose_name=_("town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merchants",
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BenefitMerchantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("benefit merchant")
        verbose_name_plural = _("benefit merchants")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="merchant_valid_range",
                violation_error_message=_("The end of validity cannot be before its start."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class MemberChange(models.Model):
    """Where each member stands in the change feed: one row per member, moved to the end of the feed
    by a database trigger on every insert or update of the member (bulk writes and COPY included).

    ``txid`` is the writing transaction (PostgreSQL; 0 on SQLite) and ``seq`` the order of writes: the
    feed reads rows ordered by ``(txid, seq)`` and only those of transactions older than every
    transaction still running, so a page never skips a write that commits later nor repeats one.
    """

    member = models.OneToOneField(
        Member, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    seq = models.BigIntegerField()
    txid = models.BigIntegerField()

    class Meta:
        verbose_name = _("member change")
        verbose_name_plural = _("member changes")
        indexes = [
            models.Index(fields=["txid", "seq"], name="memberchange_feed"),
            models.Index(fields=["seq"], name="memberchange_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.txid}.{self.seq}"


class MemberDepartureQuerySet(ScopedQuerySet):
    """A departure is seen by the area the member left (and, for a proxy agent, only for members they
    filed); :func:`members.selectors.member_changes` keeps those of the viewers the member left."""

    scope_org_lookups = ("from_union",)
    scope_filer_lookup = "member__filed_by"


class MemberDeparture(models.Model):
    """A member's move out of a union, as the change feed tells it to the areas the member left: a
    tombstone (``{"id": …, "removed": true, "reason": "transferred_out"}``) for each caller who saw the
    member before the transfer and does not see them after it.

    Written by the transfer itself (``members.services._move``) in its transaction, with the feed
    position the move gave the member's :class:`MemberChange` row: the same ``(txid, seq)``, so the
    tombstone sits in the feed where the move happened and a cursor needs nothing new. (The member's own
    row is at that position too, but no caller sees both: one sees the member after the move, the other
    does not.) One row per transfer; nothing is ever deleted.
    """

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    from_union = models.ForeignKey(
        Organisation, verbose_name=_("from union"), on_delete=models.PROTECT, related_name="+"
    )
    to_union = models.ForeignKey(
        Organisation, verbose_name=_("to union"), on_delete=models.PROTECT, related_name="+"
    )
    seq = models.BigIntegerField()
    txid = models.BigIntegerField()
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = MemberDepartureQuerySet.as_manager()

    class Meta:
        verbose_name = _("member departure")
        verbose_name_plural = _("member departures")
        default_permissions = ()
        indexes = [models.Index(fields=["txid", "seq"], name="memberdeparture_feed")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_union_id} → {self.to_union_id}@{self.txid}.{self.seq}"

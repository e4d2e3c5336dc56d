"""The organisation tree and the enterprises unions live in: the platform's, not one app's.

Every app scopes its rows by a path into this tree (``union_portal.core.scoping``). The tables kept
the names they had when the tree lived in ``members`` (``members_organisation``,
``members_enterprise``), so moving it here changed no data.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from union_portal.core.scoping import ScopedQuerySet
from union_portal.core.validators import validate_uscc


class OrganisationKind(models.TextChoices):
    DISTRICT = "district", _("District federation")
    TOWN = "town", _("Town or street federation")
    INDUSTRY = "industry", _("Industry union federation")
    GRASSROOTS = "grassroots", _("Grassroots union")
    BRANCH = "branch", _("Union branch")
    GROUP = "group", _("Union group")


#: Which kinds may sit directly below which.
ALLOWED_CHILDREN = {
    OrganisationKind.DISTRICT: {
        OrganisationKind.TOWN,
        OrganisationKind.INDUSTRY,
        OrganisationKind.GRASSROOTS,
    },
    OrganisationKind.TOWN: {OrganisationKind.GRASSROOTS, OrganisationKind.INDUSTRY},
    OrganisationKind.INDUSTRY: {OrganisationKind.GRASSROOTS},
    OrganisationKind.GRASSROOTS: {OrganisationKind.BRANCH, OrganisationKind.GROUP},
    OrganisationKind.BRANCH: {OrganisationKind.GROUP},
    OrganisationKind.GROUP: set(),
}
#: Kinds a member can belong to.
MEMBER_UNION_KINDS = (OrganisationKind.GRASSROOTS, OrganisationKind.BRANCH, OrganisationKind.GROUP)


class OrganisationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_org_lookups = ("",)


class OrganisationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)


class Organisation(MP_Node):
    """A node of the union tree: district federation, town or industry federation,
    grassroots union, branch or group. Staff attached to a node see its subtree."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    enterprise = models.ForeignKey(
        "Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unions",
        help_text=_("The enterprise or public body of a grassroots union."),
    )
    chair_name = models.CharField(_("chair"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationManager()
    history = HistoricalRecords(table_name="members_historicalorganisation")

    class Meta:
        db_table = "members_organisation"
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_member_union(self) -> bool:
        return self.kind in MEMBER_UNION_KINDS


class EnterpriseQuerySet(ScopedQuerySet):
    scope_org_lookups = ("town",)

    def org_q(self, path: str) -> Q:
        # Seen by the staff of its town, and by the officers of a union it has.
        unions = Organisation.objects.filter(enterprise=OuterRef("pk"), path__startswith=path)
        return Q(town__path__startswith=path) | Q(Exists(unions))


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CERAMICS = "ceramics", _("Ceramics and building materials")
    TEXTILES = "textiles", _("Textiles and clothing")
    FOOD = "food", _("Food and beverages")
    FURNITURE = "furniture", _("Furniture")
    ELECTRONICS = "electronics", _("Electrical and electronics")
    LOGISTICS = "logistics", _("Transport and logistics")
    CONSTRUCTION = "construction", _("Construction")
    RETAIL = "retail", _("Retail and hospitality")
    SERVICES = "services", _("Services")
    PUBLIC = "public", _("Public sector")
    OTHER = "other", _("Other")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    PRIVATE = "private", _("Private (non-public)")
    FOREIGN = "foreign", _("Foreign or Hong Kong/Macao/Taiwan invested")
    COLLECTIVE = "collective", _("Collective")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")


class Enterprise(models.Model):
    """An enterprise or public body (单位) where members work."""

    name = models.CharField(_("name"), max_length=150)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    industry = models.CharField(
        _("industry"), max_length=20, choices=Industry.choices, default=Industry.OTHER
    )
    ownership = models.CharField(
        _("ownership"), max_length=20, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    town = models.ForeignKey(
        Organisation,
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={
            "kind__in": [OrganisationKind.TOWN, OrganisationKind.DISTRICT, OrganisationKind.INDUSTRY]
        },
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = EnterpriseQuerySet.as_manager()
    history = HistoricalRecords(table_name="members_historicalenterprise")

    class Meta:
        db_table = "members_enterprise"
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]
        permissions = [
            ("import_enterprise", _("Can import enterprises")),
            ("export_enterprise", _("Can export enterprises")),
        ]

    def __str__(self) -> str:
        return self.name

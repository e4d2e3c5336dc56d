"""Users of the portal: staff, lawyers, judges, proxy agents, members."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from union_portal.core.scoping import ScopedQuerySet
from union_portal.core.validators import normalize_mobile, validate_mobile


class UserQuerySet(ScopedQuerySet):
    """Users are scoped like everything else: the subtree of the viewer's node, and the viewer."""

    scope_org_lookups = ("organisation",)

    def owner_q(self, user) -> Q:
        return Q(pk=user.pk)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: username})


class User(AbstractUser):
    """A person who logs in. Staff and proxy agents are attached to one organisation node
    and see its subtree; everyone else sees only their own records."""

    mobile = models.CharField(
        _("mobile number"), max_length=11, unique=True, null=True, blank=True, validators=[validate_mobile]
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Staff see this node and everything below it."),
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    objects = PortalUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [("view_audit", _("Can read the audit and access logs"))]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.mobile:
            self.mobile = normalize_mobile(self.mobile)
        if self.mobile == "":
            self.mobile = None

    @property
    def has_org_scope(self) -> bool:
        """Staff, proxy agents and partner systems see their organisation's subtree; others only their own records."""
        if self.organisation_id is None:
            return False
        if self.is_staff:
            return True
        from .roles import ORG_SCOPED_ROLES

        return any(self.has_role(role) for role in ORG_SCOPED_ROLES)

    @property
    def files_for_others_only(self) -> bool:
        """A proxy agent who is not staff: of the records people file, they see only what they filed."""
        from .roles import Role

        return not self.is_staff and self.has_role(Role.PROXY_AGENT)

    def has_role(self, role: str) -> bool:
        cache = getattr(self, "_role_names", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            self._role_names = cache
        return role in cache

"""Roles are groups with permissions. Each app declares what its roles may do in its own
``roles.py`` (``PERMISSIONS``); ``sync_roles`` runs after every migrate and gives each group
exactly the union of them, so a new app's permissions reach the roles without a data migration
and without a line here."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    DISTRICT_STAFF = "district_staff", _("District federation staff")
    TOWN_STAFF = "town_staff", _("Town federation staff")
    UNION_OFFICER = "union_officer", _("Grassroots union officer")
    LAWYER = "lawyer", _("Contracted lawyer")
    JUDGE = "judge", _("Contest judge")
    PROXY_AGENT = "proxy_agent", _("Proxy agent")
    VOLUNTEER_LEADER = "volunteer_leader", _("Volunteer team leader")
    MEMBER = "member", _("Member")
    AUDITOR = "auditor", _("Auditor")
    PARTNER = "partner", _("Partner system (API key)")


STAFF_ROLES = {Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.UNION_OFFICER, Role.AUDITOR}

#: This app's part (discovered like every app's ``roles.PERMISSIONS``).
PERMISSIONS: dict[str, list[str]] = {
    Role.DISTRICT_STAFF: ["accounts.view_user"],
    Role.TOWN_STAFF: ["accounts.view_user"],
    Role.AUDITOR: ["accounts.view_audit", "core.view_accesslog"],
}

#: Roles that see their organisation's subtree without being staff (no admin access).
ORG_SCOPED_ROLES = {Role.PROXY_AGENT, Role.PARTNER}


def role_permissions() -> dict[str, list[str]]:
    """Every role's permissions: the union of each app's ``roles.PERMISSIONS`` (discovered)."""
    from union_portal.core.registry import declared

    merged: dict[str, list[str]] = {role: [] for role in Role}
    for _config, permissions in declared("roles", "PERMISSIONS"):
        for role, perms in permissions.items():
            merged[role] += [p for p in perms if p not in merged[role]]
    return merged


def sync_roles(sender=None, using="default", **kwargs) -> None:
    """Create the role groups and give each exactly its declared permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    role_perms = role_permissions()
    wanted = {p for perms in role_perms.values() for p in perms}
    found = {
        f"{app}.{code}": pk
        for pk, app, code in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    if not wanted.issubset(found):
        return  # not every app is migrated yet; the last post_migrate call completes it
    for role, perms in role_perms.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([found[p] for p in perms])

"""Roles are groups with permissions. Each app declares what its roles may do;
``sync_roles`` runs after every migrate, so a new app's permissions reach the
roles without a data migration."""

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


STAFF_ROLES = {Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.UNION_OFFICER, Role.AUDITOR}

_MEMBER_ADMIN = [
    "members.view_organisation", "members.add_organisation", "members.change_organisation",
    "members.view_enterprise", "members.add_enterprise", "members.change_enterprise",
    "members.view_member", "members.add_member", "members.change_member",
    "members.approve_member", "members.transfer_member", "members.end_member",
    "members.view_membershipevent",
    "members.view_importjob", "members.import_member", "members.export_member",
    "members.import_enterprise", "members.export_enterprise",
    "members.view_benefitmerchant",
]  # fmt: skip

#: Permissions of each role, as "app_label.codename". Later apps append to these lists.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DISTRICT_STAFF: [
        *_MEMBER_ADMIN,
        "members.add_benefitmerchant", "members.change_benefitmerchant",
        "members.reveal_member", "members.export_unmasked_member",
        "accounts.view_user",
    ],
    Role.TOWN_STAFF: [*_MEMBER_ADMIN, "members.reveal_member", "accounts.view_user"],
    Role.UNION_OFFICER: [
        "members.view_organisation", "members.view_enterprise",
        "members.view_member", "members.add_member", "members.change_member",
        "members.approve_member", "members.transfer_member", "members.end_member",
        "members.view_membershipevent", "members.export_member",
    ],
    Role.AUDITOR: ["accounts.view_audit", "core.view_accesslog", "members.view_member", "members.view_organisation"],
    Role.LAWYER: [],
    Role.JUDGE: [],
    Role.PROXY_AGENT: ["members.view_member", "members.add_member"],
    Role.VOLUNTEER_LEADER: [],
    Role.MEMBER: [],
}  # fmt: skip


def sync_roles(sender=None, using="default", **kwargs) -> None:
    """Create the role groups and give each exactly its declared permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    wanted = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    found = {
        f"{app}.{code}": pk
        for pk, app, code in Permission.objects.using(using).values_list("pk", "content_type__app_label", "codename")
    }
    if not wanted.issubset(found):
        return  # not every app is migrated yet; the last post_migrate call completes it
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([found[p] for p in perms])

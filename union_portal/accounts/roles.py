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
    PARTNER = "partner", _("Partner system (API key)")


STAFF_ROLES = {Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.UNION_OFFICER, Role.AUDITOR}

_MEMBER_ADMIN = [
    "organisations.view_organisation", "organisations.add_organisation", "organisations.change_organisation",
    "organisations.view_enterprise", "organisations.add_enterprise", "organisations.change_enterprise",
    "members.view_member", "members.add_member", "members.change_member",
    "members.approve_member", "members.transfer_member", "members.end_member",
    "members.view_membershipevent",
    "members.view_importjob", "members.import_member", "members.export_member",
    "organisations.import_enterprise", "organisations.export_enterprise",
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
        "organisations.view_organisation", "organisations.view_enterprise",
        "members.view_member", "members.add_member", "members.change_member",
        "members.approve_member", "members.transfer_member", "members.end_member",
        "members.view_membershipevent", "members.export_member",
    ],
    Role.AUDITOR: ["accounts.view_audit", "core.view_accesslog", "members.view_member", "organisations.view_organisation"],
    Role.LAWYER: [],
    Role.JUDGE: [],
    Role.PROXY_AGENT: ["members.view_member", "members.add_member"],
    Role.VOLUNTEER_LEADER: [],
    Role.MEMBER: [],
    # A partner system's service user: reads what its organisation node covers, through an API key.
    Role.PARTNER: ["organisations.view_organisation", "organisations.view_enterprise", "members.view_member"],
}  # fmt: skip

#: Roles that see their organisation's subtree without being staff (no admin access).
ORG_SCOPED_ROLES = {Role.PROXY_AGENT, Role.PARTNER}


# --- hardship aid (assistance/) -------------------------------------------------------------------
_AID_READ = [
    "assistance.view_helpcentre", "assistance.view_hardshipfile", "assistance.view_householdmember",
    "assistance.view_campaign", "assistance.view_mutualaidscheme", "assistance.view_mutualaidenrolment",
    "assistance.view_aidapplication", "assistance.view_aidstep", "assistance.view_payment",
    "assistance.view_document", "assistance.view_visit", "assistance.view_pairing",
]  # fmt: skip
_AID_FILES = [
    "assistance.add_hardshipfile", "assistance.change_hardshipfile", "assistance.view_household",
    "assistance.add_householdmember", "assistance.change_householdmember", "assistance.delete_householdmember",
    "assistance.add_visit", "assistance.change_visit", "assistance.add_pairing", "assistance.change_pairing",
    "assistance.add_mutualaidenrolment", "assistance.add_aidapplication", "assistance.check_aidapplication",
]  # fmt: skip
ROLE_PERMISSIONS[Role.DISTRICT_STAFF] += [
    *_AID_READ, *_AID_FILES,
    "assistance.add_helpcentre", "assistance.change_helpcentre",
    "assistance.add_campaign", "assistance.change_campaign", "assistance.export_payment",
    "assistance.add_mutualaidscheme", "assistance.change_mutualaidscheme",
    "assistance.approve_aidapplication", "assistance.override_aid_amount", "assistance.pay_aidapplication",
    "assistance.import_hardshipfile", "assistance.view_aid_figures",
]  # fmt: skip
ROLE_PERMISSIONS[Role.TOWN_STAFF] += [*_AID_READ, *_AID_FILES, "assistance.view_aid_figures"]
ROLE_PERMISSIONS[Role.UNION_OFFICER] += [
    "assistance.view_helpcentre", "assistance.view_hardshipfile", "assistance.view_campaign",
    "assistance.view_mutualaidscheme", "assistance.view_mutualaidenrolment", "assistance.view_aidapplication",
    "assistance.view_aidstep", "assistance.view_payment", "assistance.view_document",
    "assistance.add_aidapplication", "assistance.check_aidapplication", "assistance.add_mutualaidenrolment",
]  # fmt: skip
ROLE_PERMISSIONS[Role.AUDITOR] += ["assistance.view_aid_figures"]
ROLE_PERMISSIONS[Role.PROXY_AGENT] += ["assistance.add_aidapplication", "assistance.view_aidapplication"]
ROLE_PERMISSIONS[Role.PARTNER] += ["assistance.view_aid_figures"]  # aggregates only, no personal data


def sync_roles(sender=None, using="default", **kwargs) -> None:
    """Create the role groups and give each exactly its declared permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    wanted = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    found = {
        f"{app}.{code}": pk
        for pk, app, code in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    if not wanted.issubset(found):
        return  # not every app is migrated yet; the last post_migrate call completes it
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([found[p] for p in perms])

"""What each role may do with the organisation tree and enterprises (discovered by ``sync_roles``)."""

from union_portal.accounts.roles import Role

_TREE_ADMIN = [
    "organisations.view_organisation", "organisations.add_organisation", "organisations.change_organisation",
    "organisations.view_enterprise", "organisations.add_enterprise", "organisations.change_enterprise",
    "organisations.import_enterprise", "organisations.export_enterprise",
]  # fmt: skip

PERMISSIONS = {
    Role.DISTRICT_STAFF: _TREE_ADMIN,
    Role.TOWN_STAFF: _TREE_ADMIN,
    Role.UNION_OFFICER: ["organisations.view_organisation", "organisations.view_enterprise"],
    Role.AUDITOR: ["organisations.view_organisation"],
    Role.PARTNER: ["organisations.view_organisation", "organisations.view_enterprise"],
}

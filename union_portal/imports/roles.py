"""Who may see the list of import jobs (discovered by ``sync_roles``); uploading and confirming need
each kind's own permission (``ImportKind.permission``)."""

from union_portal.accounts.roles import Role

PERMISSIONS = {
    Role.DISTRICT_STAFF: ["imports.view_importjob"],
    Role.TOWN_STAFF: ["imports.view_importjob"],
}

"""Who may ask for and read reports (read by the platform after every migrate). Which areas a user
may include follows the figures' own permissions (``<app>/figures.py``)."""

from union_portal.accounts.roles import Role

PERMISSIONS = {
    Role.DISTRICT_STAFF: ["reports.view_reportrun", "reports.add_reportrun"],
    Role.TOWN_STAFF: ["reports.view_reportrun", "reports.add_reportrun"],
    Role.UNION_OFFICER: ["reports.view_reportrun", "reports.add_reportrun"],
    Role.AUDITOR: ["reports.view_reportrun"],
}

"""What the roles may do with messages (discovered like every app's ``roles.PERMISSIONS``)."""

from union_portal.accounts.roles import Role

_STAFF = [
    "notifications.view_notification",
    "notifications.retry_notification",
    "notifications.view_notificationpreference",
    "notifications.add_notificationpreference",
    "notifications.change_notificationpreference",
]

PERMISSIONS: dict[str, list[str]] = {
    Role.DISTRICT_STAFF: _STAFF,
    Role.TOWN_STAFF: _STAFF,
}

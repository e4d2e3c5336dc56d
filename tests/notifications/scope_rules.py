"""Scope-walk rules of message settings (discovered by ``tests/scope/rules.py``); the inbox's own
rules and the Notification victim are in ``tests/assistance/scope_rules.py``."""

from __future__ import annotations


def _preference(w):
    """Town B's victim member's own choice for a kind of message, made through the service."""
    from union_portal.notifications.services import preference_save

    return preference_save(user=w.victim_user, kind="legal.cases", channels={"email"}, by=w.victim_user)


def register(rules) -> None:
    from union_portal.notifications.models import NotificationPreference

    rules.VICTIMS[NotificationPreference] = _preference
    rules.PORTAL_URLS["notifications:settings"] = ("own", "the viewer's own message settings")

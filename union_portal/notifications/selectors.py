"""Reads of the inbox."""

from __future__ import annotations

from .models import Notification


def inbox(*, user):
    """The user's own messages, except those of kinds whose inbox they switched off."""
    return Notification.objects.visible_to(user).filter(recipient=user, in_inbox=True)


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user=user).unread().count()

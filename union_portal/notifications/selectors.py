"""Reads of the inbox."""

from __future__ import annotations

from .models import Notification


def inbox(*, user):
    return Notification.objects.visible_to(user).filter(recipient=user)


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user=user).unread().count()

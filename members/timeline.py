"""Membership's events on a member's timeline: applied, approved, transferred, ended..."""

from __future__ import annotations

from django.urls import reverse

from union_portal.core.timeline import TimelineEvent

from .models import Member, MembershipEvent


def member_events(*, member, viewer) -> list[TimelineEvent]:
    """One query; nothing when ``viewer`` may not see the member."""
    if not Member.objects.visible_to(viewer).filter(pk=member.pk).exists():
        return []
    link = reverse("admin:members_member_change", args=[member.pk]) if viewer.is_staff else ""
    events = MembershipEvent.objects.filter(member_id=member.pk).select_related("from_union", "to_union")
    rows = []
    for event in events.order_by("at", "pk"):
        detail = event.note
        if event.kind == MembershipEvent.Kind.TRANSFERRED and event.to_union_id:
            moved = f"{event.from_union} → {event.to_union}"
            detail = f"{moved} · {event.note}" if event.note else moved
        rows.append(
            TimelineEvent(
                at=event.at,
                app="members",
                kind=f"membership.{event.kind}",
                title=event.get_kind_display(),
                detail=detail,
                link=link,
            )
        )
    return rows

"""What a membership step tells people (issue 9.7): the member, and the proxy agent who filed for them.

Each function is called by the service of the step, inside its transaction; ``notify()`` waits for
the commit and sends once per key. The words are templates of this app,
``members/templates/notifications/<event>/{title,body,sms}.txt``.

A worker for whom a proxy agent filed usually has no portal login yet (they activate one later):
such a worker is told by SMS at the mobile on file (:func:`_sms_to_mobile`), so an application
filed in someone's name never goes unnoticed by them. Members registered by an officer, through
the API or by an import have been dealt with in person or by their union: without a login they
get nothing here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from union_portal.core.masking import mask_id_number
from union_portal.notifications.services import notify

from .models import Channel, Member, MembershipEvent, MemberStatus, TransferRequest

#: Longest an SMS-only message's key is remembered (it is sent once per key).
SMS_KEY_TTL = 60 * 60 * 24 * 30


def _context(member: Member, **extra) -> dict:
    return {
        "name": member.name,
        "masked_id_number": mask_id_number(member.id_number),
        "union": member.union.name,
        "has_login": member.user_id is not None,
        **extra,
    }


def _proxy_filer(member: Member):
    """The proxy agent who filed this application, to be kept informed of it."""
    return member.filed_by if member.channel == Channel.PROXY and member.filed_by_id else None


def _tell_member(
    member: Member, *, event: str, key: str, context: dict, link: str, urgent: bool = False
) -> None:
    if member.user_id:
        notify(user=member.user, event=event, key=key, context=context, link=link, urgent=urgent)
    elif member.channel == Channel.PROXY:
        _sms_to_mobile(mobile=member.mobile, event=event, key=key, context=context)


def _sms_to_mobile(*, mobile: str, event: str, key: str, context: dict) -> None:
    """The event's SMS to a mobile number without a login, after the commit, once per key."""
    context = dict(context)

    def enqueue():
        from union_portal.notifications.services import render_event

        from .tasks import member_sms_task

        with translation.override(settings.LANGUAGE_CODE):
            text = render_event(event, context)["sms"]
        member_sms_task.delay(mobile=mobile, text=text, key=key)

    transaction.on_commit(enqueue)


# --- the steps ------------------------------------------------------------------------------------------


def applied(member: Member) -> None:
    """An application was made: the applicant is told it arrived; a proxy agent, what they filed."""
    status_link = reverse("portal:status")
    if member.channel == Channel.PORTAL:
        _tell_member(
            member,
            event="members.applied",
            key=f"members.applied:{member.pk}",
            context=_context(member),
            link=status_link,
        )
        return
    filer = _proxy_filer(member)
    if filer is None:
        return
    context = _context(member, agent=filer.display_name or filer.username)
    _tell_member(
        member,
        event="members.filed_for_you",
        key=f"members.filed_for_you:{member.pk}",
        context=context,
        link=status_link,
    )
    notify(
        user=filer,
        event="members.filed",
        key=f"members.filed:{member.pk}",
        context=context,
        link=reverse("portal:proxy_detail", args=[member.pk]),
    )


def approved(member: Member) -> None:
    """The member gets their card (the link opens it); the proxy agent learns the outcome."""
    context = _context(member, card_number=member.card_number)
    _tell_member(
        member,
        event="members.approved",
        key=f"members.approved:{member.pk}",
        context=context,
        link=reverse("portal:card") if member.user_id else reverse("portal:activate"),
    )
    filer = _proxy_filer(member)
    if filer is not None:
        notify(
            user=filer,
            event="members.filed_approved",
            key=f"members.filed_approved:{member.pk}",
            context=context,
            link=reverse("portal:proxy_detail", args=[member.pk]),
        )


def rejected(member: Member) -> None:
    """The applicant reads why; the proxy agent too."""
    context = _context(member, reason=member.rejection_reason)
    _tell_member(
        member,
        event="members.rejected",
        key=f"members.rejected:{member.pk}",
        context=context,
        link=reverse("portal:status"),
    )
    filer = _proxy_filer(member)
    if filer is not None:
        notify(
            user=filer,
            event="members.filed_rejected",
            key=f"members.filed_rejected:{member.pk}",
            context=context,
            link=reverse("portal:proxy_detail", args=[member.pk]),
        )


def transferred(member: Member, event: MembershipEvent) -> None:
    """The membership moved to another union (会员关系转接)."""
    if not member.user_id:
        return
    notify(
        user=member.user,
        event="members.transferred",
        key=f"members.transferred:{event.pk}",
        context=_context(
            member, from_union=event.from_union.name, to_union=event.to_union.name, reason=event.note
        ),
        link=reverse("portal:status"),
    )


def ended(member: Member, event: MembershipEvent) -> None:
    """A lapse or a withdrawal is told to the member; a death is not told to the deceased's login."""
    if not member.user_id or member.status == MemberStatus.DECEASED:
        return
    notify(
        user=member.user,
        event="members.ended",
        key=f"members.ended:{event.pk}",
        context=_context(  # the label is lazy: it is rendered in the portal's language, as the templates are
            member,
            how=MemberStatus(member.status).label,
            on=member.ended_on.isoformat(),
            reason=member.end_reason,
        ),
        link=reverse("portal:status"),
    )


def _deciders(union):
    """Who decides on a transfer into ``union``: active staff attached to it or above it (below the
    district, which sees everything and is not told of every town's transfers), who may transfer."""
    from django.contrib.auth import get_user_model

    step = type(union).steplen
    paths = [union.path[:end] for end in range(2 * step, len(union.path) + 1, step)]  # the town down to it
    users = get_user_model().objects.filter(is_active=True, is_staff=True, organisation__path__in=paths)
    return [user for user in users.order_by("pk") if user.has_perm("members.transfer_member")]


def _transfer_context(transfer: TransferRequest) -> dict:
    requester = transfer.requested_by
    return _context(
        transfer.member,
        from_union=transfer.from_union.name,
        to_union=transfer.to_union.name,
        reason=transfer.reason,
        requested_by=requester.display_name or requester.username,
        decision=TransferRequest.State(transfer.state).label,
        note=transfer.decision_note,
    )


def transfer_requested(transfer: TransferRequest) -> None:
    """The receiving union's staff learn that a member asks to join them (the decision is theirs)."""
    context = _transfer_context(transfer)
    link = reverse("admin:members_transferrequest_change", args=[transfer.pk])
    for user in _deciders(transfer.to_union):
        notify(
            user=user,
            event="members.transfer_requested",
            key=f"members.transfer_requested:{transfer.pk}:{user.pk}",
            context=context,
            link=link,
        )


def transfer_decided(transfer: TransferRequest) -> None:
    """The requester learns the decision; a declined member is told they stay (an accepted one is told of
    the move by :func:`transferred`)."""
    context = _transfer_context(transfer)
    notify(
        user=transfer.requested_by,
        event=f"members.transfer_{transfer.state}",
        key=f"members.transfer_{transfer.state}:{transfer.pk}",
        context=context,
        link=reverse("admin:members_transferrequest_change", args=[transfer.pk]),
    )
    if transfer.state == TransferRequest.State.DECLINED and transfer.member.user_id:
        notify(
            user=transfer.member.user,
            event="members.transfer_declined_member",
            key=f"members.transfer_declined_member:{transfer.pk}",
            context=context,
            link=reverse("portal:status"),
        )

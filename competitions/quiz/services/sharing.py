"""Rule 3's extra attempt: a member's signed share link opened by someone else.

Abuse guard (not a published rule): the openings of one person grant at most
``SHARE_BONUSES_PER_OPENER`` extra attempts a Shanghai day. Each grant takes a numbered slot of the
opener's day, unique in the database, so openings that race cannot exceed it either.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from union_portal.core.errors import NotFoundError
from union_portal.notifications.services import notify

from ..models import SHARE_BONUSES_PER_OPENER, DailyAllowance, Participant
from .attempts import _locked_allowance
from .common import SHARE_SALT, _now, _portal_link, local_day


class ShareOutcome(NamedTuple):
    """What opening a share link did. ``reason``: ``granted``, ``own`` (the sharer's own link),
    ``anonymous`` (not signed in), ``already`` (the sharer got today's extra attempt already) or
    ``opener_limit`` (the opener has given as many today as one person may)."""

    sharer: Participant
    granted: bool
    reason: str


def share_token(participant: Participant) -> str:
    """The signed token of a participant's share link (it names them; nobody can forge another's)."""
    return signing.dumps(participant.pk, salt=SHARE_SALT)


def _sharer(token: str) -> Participant:
    try:
        pk = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        raise NotFoundError(_("This share link is not valid.")) from None
    participant = Participant.objects.filter(pk=pk).select_related("quiz", "user").first()
    if participant is None:
        raise NotFoundError(_("This share link is not valid."))
    return participant


@transaction.atomic
def share_open(*, token: str, by, now: dt.datetime | None = None) -> ShareOutcome:
    """Rule 3: someone other than the member opened their link: one more attempt today, once a day,
    and at most ``SHARE_BONUSES_PER_OPENER`` grants a day by one opener."""
    sharer = _sharer(token)
    if by is None or not by.is_authenticated:
        return ShareOutcome(sharer, False, "anonymous")
    if by.pk == sharer.user_id:
        return ShareOutcome(sharer, False, "own")
    now = _now(now)
    day = local_day(now)
    allowance = _locked_allowance(sharer, day)
    if allowance.bonus_at is not None:
        return ShareOutcome(sharer, False, "already")
    taken = set(DailyAllowance.objects.filter(bonus_by=by, day=day).values_list("bonus_slot", flat=True))
    for slot in range(1, SHARE_BONUSES_PER_OPENER + 1):
        if slot in taken:
            continue
        allowance.bonus_at, allowance.bonus_by, allowance.bonus_slot = now, by, slot
        try:
            with transaction.atomic():
                allowance.save(update_fields=["bonus_at", "bonus_by", "bonus_slot"])
        except IntegrityError:
            continue  # the same person's opening of another link took this slot at the same instant
        notify(
            user=sharer.user,
            event="quiz.share_bonus",
            key=f"quiz.share_bonus:{sharer.pk}:{allowance.day:%Y%m%d}",
            context={"quiz": sharer.quiz.name},
            link=_portal_link(sharer.quiz),
        )
        return ShareOutcome(sharer, True, "granted")
    return ShareOutcome(sharer, False, "opener_limit")

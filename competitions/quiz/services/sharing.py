"""Rule 3's extra attempt: a member's signed share link opened by someone else."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from union_portal.core.errors import NotFoundError
from union_portal.notifications.services import (
    notify,
)

from ..models import (
    Participant,
)
from .attempts import _locked_allowance
from .common import SHARE_SALT, _now, _portal_link, local_day

# --- sharing ----------------------------------------------------------------------------------------


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
def share_open(*, token: str, by, now: dt.datetime | None = None) -> tuple[Participant, bool]:
    """Rule 3: someone other than the member opened their link: one more attempt today, once a day.
    Returns the sharer and whether this opening granted the extra attempt."""
    sharer = _sharer(token)
    if by is None or not by.is_authenticated or by.pk == sharer.user_id:
        return sharer, False
    now = _now(now)
    allowance = _locked_allowance(sharer, local_day(now))
    if allowance.bonus_at is not None:
        return sharer, False
    allowance.bonus_at = now
    allowance.bonus_by = by
    allowance.save(update_fields=["bonus_at", "bonus_by"])
    notify(
        user=sharer.user,
        event="quiz.share_bonus",
        key=f"quiz.share_bonus:{sharer.pk}:{allowance.day:%Y%m%d}",
        context={"quiz": sharer.quiz.name},
        link=_portal_link(sharer.quiz),
    )
    return sharer, True

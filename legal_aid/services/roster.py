"""Duty shifts: adding and staffing them, confirming, swaps between lawyers, absence and cover,
and the reminder the evening before.

A lawyer is never in two overlapping shifts. Every write that gives a lawyer a time slot locks the
lawyer's row first (``select_for_update``; two lawyers in pk order), then checks for an overlapping
live shift, then writes: so twenty concurrent assignments of one lawyer to overlapping shifts
leave exactly one. On PostgreSQL the exclusion constraint ``shift_no_overlap_per_lawyer`` says
the same in the database; its violation becomes the same friendly error.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.workdays import is_working_day
from union_portal.notifications.services import notify

from ..models import (
    LIVE_SHIFT_STATES,
    OVERLAP_CONSTRAINT,
    Lawyer,
    LawyerStatus,
    Leave,
    Shift,
    ShiftStatus,
    Station,
    SwapRequest,
    SwapStatus,
)
from .common import invalid, is_lawyer_of, link, staff_with, text


def _lock_lawyers(*lawyers: Lawyer) -> list[Lawyer]:
    pks = sorted({lawyer.pk for lawyer in lawyers})
    locked = {
        lawyer.pk: lawyer for lawyer in Lawyer.objects.select_for_update(of=("self",)).filter(pk__in=pks)
    }
    return [locked[lawyer.pk] for lawyer in lawyers]


def _lock_shift(shift: Shift) -> Shift:
    return Shift.objects.select_for_update(of=("self",)).select_related("station", "lawyer").get(pk=shift.pk)


def _overlap_error(lawyer: Lawyer) -> ApplicationError:
    return invalid(
        _("%(name)s is already on duty at that time.") % {"name": lawyer.name}, "lawyer", "overlap"
    )


def ensure_free(
    lawyer: Lawyer, start: dt.datetime, end: dt.datetime, *, exclude: Shift | None = None
) -> None:
    """Refuse when the lawyer has a live shift overlapping ``[start, end)`` (call with the lawyer locked)."""
    clash = Shift.objects.live().filter(lawyer=lawyer).overlapping(start, end)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise _overlap_error(lawyer)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in Asia/Shanghai, aware."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def on_leave(lawyer: Lawyer, day: dt.date) -> bool:
    return Leave.objects.filter(lawyer=lawyer, starts_on__lte=day, ends_on__gte=day).exists()


def _check_lawyer_can_sit(lawyer: Lawyer, start: dt.datetime) -> None:
    day = timezone.localtime(start).date()
    if lawyer.status != LawyerStatus.ACTIVE or not lawyer.term_starts_on <= day <= lawyer.term_ends_on:
        raise invalid(
            _("%(name)s is not on the panel on that day.") % {"name": lawyer.name}, "lawyer", "not_active"
        )
    if on_leave(lawyer, day):
        raise invalid(_("%(name)s is on leave that day.") % {"name": lawyer.name}, "lawyer", "on_leave")


def _save_guarded(shift: Shift, lawyer: Lawyer | None, **kwargs) -> None:
    """Save under the database's overlap guard, turning its refusal into the friendly error."""
    try:
        with transaction.atomic():
            shift.save(**kwargs)
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT in str(exc) and lawyer is not None:
            raise _overlap_error(lawyer) from None
        raise


@transaction.atomic
def shift_add(
    *,
    station: Station,
    start: dt.datetime,
    end: dt.datetime,
    by,
    lawyer: Lawyer | None = None,
    status: str = ShiftStatus.PLANNED,
) -> Shift:
    """Add a shift at a station, with or without a lawyer yet."""
    require_perm(by, "legal_aid.add_shift")
    require_visible(by, station)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise invalid(_("Enter the start and end with their time zone."), "start")
    if end <= start:
        raise invalid(_("A shift must end after it starts."), "end")
    if end - start > dt.timedelta(hours=14):
        raise invalid(_("A shift lasts at most 14 hours."), "end")
    if status not in (ShiftStatus.PLANNED, ShiftStatus.CONFIRMED):
        raise invalid(_("A new shift is planned or confirmed."), "status")
    if lawyer is None and status != ShiftStatus.PLANNED:
        raise invalid(_("Only a planned shift can be without a lawyer."), "lawyer", "required")
    if lawyer is not None:
        (lawyer,) = _lock_lawyers(lawyer)
        _check_lawyer_can_sit(lawyer, start)
        ensure_free(lawyer, start, end)
    shift = Shift(station=station, lawyer=lawyer, start=start, end=end, status=status, created_by=by)
    _save_guarded(shift, lawyer)
    if lawyer is not None:
        _tell_lawyer_of_shift(shift, lawyer)
    return shift


def when(shift: Shift) -> dict[str, str]:
    """The day and times of a shift as a message shows them (Asia/Shanghai)."""
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    return {"day": start.strftime("%Y-%m-%d"), "from": start.strftime("%H:%M"), "to": end.strftime("%H:%M")}


def _tell_lawyer_of_shift(shift: Shift, lawyer: Lawyer) -> None:
    notify(
        user=lawyer.user,
        event="legal.shift_assigned",
        key=f"legal.shift_assigned:{shift.pk}:{lawyer.pk}",
        context={"station": shift.station.name, **when(shift)},
        link=link("legal:shift", shift.pk),
    )


@transaction.atomic
def shift_assign(*, shift: Shift, lawyer: Lawyer, by) -> Shift:
    """Staff put a lawyer on a shift that has none (or change the lawyer of a planned shift)."""
    require_perm(by, "legal_aid.change_shift")
    require_visible(by, shift)
    (lawyer,) = _lock_lawyers(lawyer)
    shift = _lock_shift(shift)
    if shift.lawyer_id == lawyer.pk:
        return shift
    if shift.status != ShiftStatus.PLANNED:
        raise invalid(
            _("Only a planned shift can be given to another lawyer (this one is %(status)s).")
            % {"status": shift.get_status_display()},
            "lawyer",
            "wrong_state",
        )
    _check_lawyer_can_sit(lawyer, shift.start)
    ensure_free(lawyer, shift.start, shift.end, exclude=shift)
    shift.lawyer = lawyer
    _save_guarded(shift, lawyer, update_fields=["lawyer"])
    _tell_lawyer_of_shift(shift, lawyer)
    return shift


@transaction.atomic
def shift_confirm(*, shift: Shift, by) -> Shift:
    """The lawyer (or staff) confirms a planned shift."""
    shift = _lock_shift(shift)
    if not is_lawyer_of(by, shift.lawyer):
        require_perm(by, "legal_aid.change_shift")
        require_visible(by, shift)
    if shift.status == ShiftStatus.CONFIRMED:
        return shift
    if shift.status != ShiftStatus.PLANNED or shift.lawyer_id is None:
        raise invalid(_("Only a planned shift with a lawyer can be confirmed."), code="wrong_state")
    shift.status = ShiftStatus.CONFIRMED
    shift.save(update_fields=["status"])
    return shift


# --- swaps -------------------------------------------------------------------------------------------


@transaction.atomic
def swap_request(*, shift: Shift, to_lawyer: Lawyer, by, note: str = "") -> SwapRequest:
    """The lawyer on a shift asks another lawyer of the panel to take it."""
    shift = _lock_shift(shift)
    if not is_lawyer_of(by, shift.lawyer):
        raise PermissionDeniedError(_("Only the lawyer on this shift can ask for a swap."))
    if shift.status not in (ShiftStatus.PLANNED, ShiftStatus.CONFIRMED, ShiftStatus.SWAPPED):
        raise invalid(_("This shift can no longer be swapped."), code="wrong_state")
    if shift.start <= timezone.now():
        raise invalid(_("This shift has already started."), code="started")
    if to_lawyer.pk == shift.lawyer_id:
        raise invalid(_("Ask another lawyer."), "to_lawyer")
    if to_lawyer.status != LawyerStatus.ACTIVE or to_lawyer.organisation_id != shift.lawyer.organisation_id:
        raise invalid(_("Ask a lawyer of the same panel."), "to_lawyer")
    if SwapRequest.objects.filter(shift=shift, status=SwapStatus.REQUESTED).exists():
        raise invalid(_("This shift already has an open swap request."), code="duplicate")
    swap = SwapRequest.objects.create(
        shift=shift,
        from_lawyer=shift.lawyer,
        to_lawyer=to_lawyer,
        note=text(note, "note", limit=300, required=False),
    )
    notify(
        user=to_lawyer.user,
        event="legal.swap_requested",
        key=f"legal.swap_requested:{swap.pk}",
        context={
            "station": shift.station.name,
            **when(shift),
            "asker": shift.lawyer.name,
        },
        link=link("legal:swaps"),
        urgent=True,
    )
    return swap


@transaction.atomic
def swap_accept(*, swap: SwapRequest, by) -> SwapRequest:
    """The lawyer asked takes the shift, if they are free then."""
    swap = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("to_lawyer", "from_lawyer")
        .get(pk=swap.pk)
    )
    if not is_lawyer_of(by, swap.to_lawyer):
        raise PermissionDeniedError(_("Only the lawyer asked can accept."))
    if swap.status == SwapStatus.ACCEPTED:
        return swap
    if swap.status != SwapStatus.REQUESTED:
        raise invalid(_("This request was already answered."), code="wrong_state")
    from_lawyer, to_lawyer = _lock_lawyers(swap.from_lawyer, swap.to_lawyer)
    shift = _lock_shift(swap.shift)
    if shift.lawyer_id != from_lawyer.pk or shift.status not in (
        ShiftStatus.PLANNED,
        ShiftStatus.CONFIRMED,
        ShiftStatus.SWAPPED,
    ):
        raise invalid(
            _("The shift has changed since the request; it can no longer be swapped."), code="stale"
        )
    if shift.start <= timezone.now():
        raise invalid(_("This shift has already started."), code="started")
    _check_lawyer_can_sit(to_lawyer, shift.start)
    ensure_free(to_lawyer, shift.start, shift.end, exclude=shift)
    shift.lawyer, shift.status = to_lawyer, ShiftStatus.SWAPPED
    shift.note = _("Swapped from %(name)s") % {"name": from_lawyer.name}
    _save_guarded(shift, to_lawyer, update_fields=["lawyer", "status", "note"])
    swap.status, swap.answered_at = SwapStatus.ACCEPTED, timezone.now()
    swap.save(update_fields=["status", "answered_at"])
    notify(
        user=from_lawyer.user,
        event="legal.swap_accepted",
        key=f"legal.swap_accepted:{swap.pk}",
        context={"taker": to_lawyer.name, "station": shift.station.name, **when(shift)},
        link=link("legal:home"),
    )
    return swap


@transaction.atomic
def swap_decline(*, swap: SwapRequest, by, note: str = "") -> SwapRequest:
    swap = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("to_lawyer", "from_lawyer")
        .get(pk=swap.pk)
    )
    asked, asker = is_lawyer_of(by, swap.to_lawyer), is_lawyer_of(by, swap.from_lawyer)
    if not (asked or asker):
        raise PermissionDeniedError(_("Only the two lawyers can answer or cancel this request."))
    if swap.status in (SwapStatus.DECLINED, SwapStatus.CANCELLED):
        return swap
    if swap.status != SwapStatus.REQUESTED:
        raise invalid(_("This request was already answered."), code="wrong_state")
    swap.status = SwapStatus.DECLINED if asked else SwapStatus.CANCELLED
    swap.answered_at = timezone.now()
    swap.save(update_fields=["status", "answered_at"])
    if asked:
        notify(
            user=swap.from_lawyer.user,
            event="legal.swap_declined",
            key=f"legal.swap_declined:{swap.pk}",
            context={"taker": swap.to_lawyer.name, "note": note},
            link=link("legal:home"),
        )
    return swap


# --- absence and cover ---------------------------------------------------------------------------------


@transaction.atomic
def shift_report_absence(*, shift: Shift, by, reason: str) -> Shift:
    """The lawyer cannot come: the shift is marked absent and the station's staff are told at once."""
    reason = text(reason, "reason", limit=300)
    shift = _lock_shift(shift)
    if not is_lawyer_of(by, shift.lawyer):
        require_perm(by, "legal_aid.change_shift")
        require_visible(by, shift)
    if shift.status == ShiftStatus.ABSENT:
        return shift
    if shift.status == ShiftStatus.DONE:
        raise invalid(_("This shift is over."), code="wrong_state")
    shift.status, shift.note = ShiftStatus.ABSENT, reason
    shift.save(update_fields=["status", "note"])
    SwapRequest.objects.filter(shift=shift, status=SwapStatus.REQUESTED).update(
        status=SwapStatus.CANCELLED, answered_at=timezone.now()
    )
    for user in staff_with("legal_aid.change_shift", shift.station.organisation.path):
        notify(
            user=user,
            event="legal.absence_reported",
            key=f"legal.absence:{shift.pk}:{user.pk}",
            context={
                "lawyer": shift.lawyer.name,
                "station": shift.station.name,
                "reason": reason,
                **when(shift),
            },
            link=link("admin:legal_aid_shift_cover", shift.pk),
            urgent=True,
        )
    return shift


def free_lawyers_ranked(shift: Shift) -> list[Lawyer]:
    """Lawyers who could cover ``shift``, best first: on the panel that day, not on leave, available on
    that weekday, with no overlapping shift; fewest shifts this month first, then those who prefer
    this station, then by name. Three queries whatever the panel's size."""
    start_local = timezone.localtime(shift.start)
    day = start_local.date()
    month_start = local_midnight(day.replace(day=1))
    month_end = local_midnight(dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1))
    busy = (
        Shift.objects.live().overlapping(shift.start, shift.end).filter(lawyer__isnull=False).values("lawyer")
    )
    leave = Leave.objects.filter(starts_on__lte=day, ends_on__gte=day).values("lawyer")
    organisation_id = shift.lawyer.organisation_id if shift.lawyer_id else None
    candidates = (
        Lawyer.objects.active()
        .filter(term_starts_on__lte=day, term_ends_on__gte=day)
        .exclude(pk__in=busy)
        .exclude(pk__in=leave)
        .annotate(
            month_load=Count(
                "shifts",
                filter=Q(
                    shifts__status__in=LIVE_SHIFT_STATES,
                    shifts__start__gte=month_start,
                    shifts__start__lt=month_end,
                ),
            )
        )
    )
    if organisation_id is not None:
        candidates = candidates.filter(organisation_id=organisation_id)
    ranked = [lawyer for lawyer in candidates if lawyer.is_available_on(day) and lawyer.pk != shift.lawyer_id]
    ranked.sort(key=lambda lw: (lw.month_load, lw.preferred_station_id != shift.station_id, lw.name, lw.pk))
    return ranked


@transaction.atomic
def shift_cover(*, shift: Shift, lawyer: Lawyer, by) -> Shift:
    """Staff give an absent lawyer's shift to another: a new confirmed shift that covers for it."""
    require_perm(by, "legal_aid.change_shift")
    require_visible(by, shift)
    (lawyer,) = _lock_lawyers(lawyer)
    shift = _lock_shift(shift)
    if shift.status != ShiftStatus.ABSENT:
        raise invalid(_("Only the shift of an absent lawyer is covered."), code="wrong_state")
    existing = Shift.objects.live().filter(replaces=shift).first()
    if existing is not None:
        if existing.lawyer_id == lawyer.pk:
            return existing
        raise invalid(_("This shift is already covered."), code="duplicate")
    _check_lawyer_can_sit(lawyer, shift.start)
    ensure_free(lawyer, shift.start, shift.end)
    cover = Shift(
        station=shift.station,
        lawyer=lawyer,
        start=shift.start,
        end=shift.end,
        status=ShiftStatus.CONFIRMED,
        replaces=shift,
        created_by=by,
    )
    _save_guarded(cover, lawyer)
    _tell_lawyer_of_shift(cover, lawyer)
    return cover


# --- reminders ------------------------------------------------------------------------------------------


def shift_reminders_send(*, now: dt.datetime | None = None) -> int:
    """The evening before: remind each lawyer of tomorrow's shifts (once per shift). When tomorrow is
    not a working day (a weekend or a public holiday), the message says so, since a lawyer may not
    expect to sit then. Returns how many reminders were queued."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    start = local_midnight(tomorrow)
    end = start + dt.timedelta(days=1)
    shifts = list(
        Shift.objects.live()
        .filter(start__gte=start, start__lt=end, lawyer__isnull=False, reminded_at__isnull=True)
        .exclude(status=ShiftStatus.DONE)
        .select_related("station", "lawyer__user")
    )
    working = is_working_day(tomorrow)
    for shift in shifts:
        notify(
            user=shift.lawyer.user,
            event="legal.shift_reminder",
            key=f"legal.shift_reminder:{shift.pk}",
            context={
                "station": shift.station.name,
                "address": shift.station.address,
                "working_day": working,
                **when(shift),
            },  # fmt: skip
            link=link("legal:shift", shift.pk),
            urgent=True,
        )
    Shift.objects.filter(pk__in=[s.pk for s in shifts]).update(reminded_at=now)
    return len(shifts)

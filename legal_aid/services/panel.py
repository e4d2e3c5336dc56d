"""The lawyer panel, leave, duty stations, adviser assignments and enterprise events."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.accounts.roles import Role
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import normalize_mobile
from union_portal.notifications.services import notify
from union_portal.organisations.models import MEMBER_UNION_KINDS, Organisation

from ..models import (
    AdviserAssignment,
    AssignmentStatus,
    EnterpriseEvent,
    EventKind,
    Lawyer,
    LawyerStatus,
    Leave,
    Station,
    Topic,
)
from ..models.panel import new_calendar_token
from .common import invalid, is_lawyer_of, link, staff_with, text

_LICENCE = re.compile(r"[0-9]{17}", re.ASCII)


def clean_licence(value, *, today: dt.date | None = None) -> str:
    """A practising licence number (律师执业证号): 17 digits. Digit 1 is the kind of practice
    (1–9), digits 2–5 the issuing region (a province code 11–82 and a city), digits 6–9 the year of
    first licence (1979 to this year), digit 11 the holder's sex (0 or 1)."""
    raw = unicodedata.normalize("NFKC", str(value or "")).strip().replace(" ", "")
    if not _LICENCE.fullmatch(raw):
        raise invalid(
            _("Enter the 17 digits of the practising licence number."), "licence", "licence_invalid"
        )
    year = int(raw[5:9])
    today = today or timezone.localdate()
    if (
        raw[0] == "0"
        or not 11 <= int(raw[1:3]) <= 82
        or not 1979 <= year <= today.year
        or raw[10] not in "01"
    ):
        raise invalid(
            _("%(value)s is not a valid practising licence number.") % {"value": raw},
            "licence",
            "licence_invalid",
        )
    return raw


def clean_specialties(values) -> list[str]:
    if isinstance(values, str):
        values = [v.strip() for v in values.replace("，", ",").split(",")]
    chosen = sorted({v for v in (values or []) if v})
    unknown = [v for v in chosen if v not in Topic.values]
    if unknown:
        raise invalid(_("Unknown specialty: %(v)s") % {"v": ", ".join(unknown)}, "specialties")
    return chosen


def clean_weekdays(values) -> list[int]:
    try:
        days = sorted({int(v) for v in (values or [])})
    except (TypeError, ValueError):
        raise invalid(
            _("Weekdays are numbers from 0 (Monday) to 6 (Sunday)."), "available_weekdays"
        ) from None
    if any(d < 0 or d > 6 for d in days):
        raise invalid(_("Weekdays are numbers from 0 (Monday) to 6 (Sunday)."), "available_weekdays")
    return days


def clean_lawyer_input(data: dict) -> dict:
    """Check what makes a lawyer, wherever it comes from (admin, import, API)."""
    try:
        mobile = normalize_mobile(data.get("mobile"))
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="mobile") from None
    starts, ends = data.get("term_starts_on"), data.get("term_ends_on")
    if starts is None or ends is None:
        raise invalid(_("Enter the term of the contract."), "term_ends_on", "required")
    if ends < starts:
        raise invalid(_("A term cannot end before it starts."), "term_ends_on")
    max_shifts = data.get("max_shifts_per_month", 8)
    if max_shifts is None or not 0 <= int(max_shifts) <= 62:
        raise invalid(_("Enter at most 62 shifts a month."), "max_shifts_per_month")
    return {
        "name": text(data.get("name"), "name", limit=50),
        "firm": text(data.get("firm"), "firm", limit=100),
        "licence": clean_licence(data.get("licence")),
        "mobile": mobile,
        "specialties": clean_specialties(data.get("specialties")),
        "term_starts_on": starts,
        "term_ends_on": ends,
        "available_weekdays": clean_weekdays(data.get("available_weekdays")),
        "max_shifts_per_month": int(max_shifts),
    }


def _lawyer_user(lawyer: Lawyer, password: str | None):
    """The lawyer's portal account: logs in with the mobile number; in the lawyer role, no staff access."""
    user_model = get_user_model()
    if user_model.objects.filter(mobile=lawyer.mobile).exists():
        raise invalid(_("Another account already uses this mobile number."), "mobile", "duplicate")
    user = user_model(username=f"lawyer-{lawyer.licence}", mobile=lawyer.mobile, display_name=lawyer.name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    group, _created = Group.objects.get_or_create(name=Role.LAWYER)
    user.groups.add(group)
    return user


@transaction.atomic
def lawyer_add(
    *, data: dict, organisation: Organisation, by, password: str | None = None, station: Station | None = None
) -> Lawyer:
    """Put a lawyer on the panel, with a portal account of the lawyer role."""
    require_perm(by, "legal_aid.add_lawyer")
    require_visible(by, organisation)
    cleaned = clean_lawyer_input(data)
    if Lawyer.objects.filter(licence=cleaned["licence"]).exists():
        raise invalid(_("A lawyer with this licence number is already on the panel."), "licence", "duplicate")
    lawyer = Lawyer(organisation=organisation, preferred_station=station, **cleaned)
    lawyer.user = _lawyer_user(lawyer, password)
    try:
        with transaction.atomic():
            lawyer.save()
    except IntegrityError:
        raise invalid(
            _("A lawyer with this licence number is already on the panel."), "licence", "duplicate"
        ) from None
    notify(
        user=lawyer.user,
        event="legal.lawyer_added",
        key=f"legal.lawyer_added:{lawyer.pk}",
        context={
            "panel": organisation.name,
            "until": lawyer.term_ends_on.isoformat(),
            "login": lawyer.mobile,
        },
        link=link("legal:home"),
    )
    return lawyer


@transaction.atomic
def lawyer_update(*, lawyer: Lawyer, by, data: dict) -> Lawyer:
    """Change a lawyer's details (the licence number and the account stay)."""
    require_perm(by, "legal_aid.change_lawyer")
    require_visible(by, lawyer)
    lawyer = Lawyer.objects.select_for_update(of=("self",)).get(pk=lawyer.pk)
    merged = {f: getattr(lawyer, f) for f in (
        "name", "firm", "licence", "mobile", "specialties", "term_starts_on", "term_ends_on",
        "available_weekdays", "max_shifts_per_month",
    )}  # fmt: skip
    merged.update({k: v for k, v in data.items() if k != "licence"})
    cleaned = clean_lawyer_input(merged)
    for key, value in cleaned.items():
        setattr(lawyer, key, value)
    if "preferred_station" in data:
        lawyer.preferred_station = data["preferred_station"]
    lawyer.save()
    if lawyer.user_id and lawyer.user.mobile != lawyer.mobile:
        user_model = get_user_model()
        if user_model.objects.filter(mobile=lawyer.mobile).exclude(pk=lawyer.user_id).exists():
            raise invalid(_("Another account already uses this mobile number."), "mobile", "duplicate")
        user_model.objects.filter(pk=lawyer.user_id).update(mobile=lawyer.mobile)
    return lawyer


@transaction.atomic
def lawyer_end(*, lawyer: Lawyer, by, reason: str) -> Lawyer:
    """The lawyer leaves the panel: the account stops working; shifts and cases stay as history."""
    require_perm(by, "legal_aid.change_lawyer")
    require_visible(by, lawyer)
    reason = text(reason, "reason", limit=200)
    lawyer = Lawyer.objects.select_for_update(of=("self",)).get(pk=lawyer.pk)
    if lawyer.status == LawyerStatus.ENDED:
        return lawyer
    lawyer.status = LawyerStatus.ENDED
    lawyer._change_reason = reason
    lawyer.save(update_fields=["status"])
    if lawyer.user_id:
        get_user_model().objects.filter(pk=lawyer.user_id).update(is_active=False)
    AdviserAssignment.objects.filter(lawyer=lawyer, status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.ENDED
    )
    return lawyer


def _may_act_as_lawyer_or(by, lawyer: Lawyer, perm: str) -> None:
    if is_lawyer_of(by, lawyer):
        return
    require_perm(by, perm)
    require_visible(by, lawyer)


@transaction.atomic
def calendar_token_reset(*, lawyer: Lawyer, by) -> Lawyer:
    """Revoke the lawyer's calendar link and give a new one."""
    _may_act_as_lawyer_or(by, lawyer, "legal_aid.change_lawyer")
    lawyer = Lawyer.objects.select_for_update(of=("self",)).get(pk=lawyer.pk)
    lawyer.calendar_token = new_calendar_token()
    lawyer.save(update_fields=["calendar_token"])
    return lawyer


@transaction.atomic
def leave_add(*, lawyer: Lawyer, by, starts_on: dt.date, ends_on: dt.date, reason: str = "") -> Leave:
    """Days the lawyer cannot sit on duty (the lawyer themselves or staff)."""
    _may_act_as_lawyer_or(by, lawyer, "legal_aid.add_leave")
    if ends_on < starts_on:
        raise invalid(_("Leave cannot end before it starts."), "ends_on")
    return Leave.objects.create(
        lawyer=lawyer,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=text(reason, "reason", limit=200, required=False),
    )


# --- stations -----------------------------------------------------------------------------------------

_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)


def clean_opening_hours(value) -> list[list[list[str]]]:
    """Seven lists (Monday first) of ``[from, to]`` periods, each "HH:MM", in order and not overlapping."""
    if not isinstance(value, list) or len(value) != 7:
        raise invalid(_("Give the opening hours of all seven days, Monday first."), "opening_hours")
    week = []
    for periods in value:
        if not isinstance(periods, list):
            raise invalid(_("Give the opening hours of all seven days, Monday first."), "opening_hours")
        day, last_end = [], ""
        for period in periods:
            if (
                not isinstance(period, list | tuple)
                or len(period) != 2
                or not all(isinstance(t, str) and _TIME.fullmatch(t) for t in period)
            ):
                raise invalid(_('Write each period as ["09:00", "12:00"].'), "opening_hours")
            start, end = period
            if end <= start or start < last_end:
                raise invalid(_("Opening periods must be in order and must not overlap."), "opening_hours")
            day.append([start, end])
            last_end = end
        week.append(day)
    return week


@transaction.atomic
def station_save(*, station: Station, by) -> Station:
    require_perm(by, "legal_aid.change_station" if station.pk else "legal_aid.add_station")
    require_visible(by, station.organisation)
    station.name = text(station.name, "name", limit=100)
    station.address = text(station.address, "address", limit=200)
    station.opening_hours = clean_opening_hours(station.opening_hours)
    station.save()
    return station


# --- adviser assignments and enterprise events --------------------------------------------------------


@transaction.atomic
def adviser_assign(
    *, lawyer: Lawyer, union: Organisation, by, starts_on: dt.date, ends_on: dt.date
) -> AdviserAssignment:
    """A lawyer advises an enterprise union for a term; a lawyer advises at most
    ``LEGAL_ADVISER_MAX_ENTERPRISES`` unions at once (checked under a lock on the lawyer)."""
    require_perm(by, "legal_aid.add_adviserassignment")
    require_visible(by, union)
    if union.kind not in MEMBER_UNION_KINDS:
        raise invalid(_("Choose an enterprise union."), "union")
    if ends_on < starts_on:
        raise invalid(_("A term cannot end before it starts."), "ends_on")
    lawyer = Lawyer.objects.select_for_update(of=("self",)).get(pk=lawyer.pk)
    if lawyer.status != LawyerStatus.ACTIVE:
        raise invalid(_("This lawyer is no longer on the panel."), "lawyer", "not_active")
    existing = AdviserAssignment.objects.active().filter(lawyer=lawyer)
    if existing.filter(union=union).exists():
        raise invalid(_("This lawyer already advises this union."), "union", "duplicate")
    cap = settings.LEGAL_ADVISER_MAX_ENTERPRISES
    if existing.count() >= cap:
        raise invalid(
            _("%(name)s already advises %(cap)d enterprises, the most allowed.")
            % {"name": lawyer.name, "cap": cap},
            "lawyer",
            "at_cap",
        )
    assignment = AdviserAssignment.objects.create(
        lawyer=lawyer, union=union, starts_on=starts_on, ends_on=ends_on, assigned_by=by
    )
    notify(
        user=lawyer.user,
        event="legal.adviser_assigned",
        key=f"legal.adviser_assigned:{assignment.pk}",
        context={"union": union.name, "starts_on": str(starts_on), "ends_on": str(ends_on)},
        link=link("legal:home"),
    )
    return assignment


@transaction.atomic
def adviser_end(*, assignment: AdviserAssignment, by) -> AdviserAssignment:
    require_perm(by, "legal_aid.change_adviserassignment")
    require_visible(by, assignment)
    assignment = AdviserAssignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    if assignment.status == AssignmentStatus.ENDED:
        return assignment
    assignment.status = AssignmentStatus.ENDED
    assignment.save(update_fields=["status"])
    return assignment


@transaction.atomic
def enterprise_event_record(
    *,
    kind: str,
    union: Organisation,
    lawyer: Lawyer,
    by,
    held_on: dt.date,
    attendance: int = 0,
    findings: str = "",
) -> EnterpriseEvent:
    """Record a legal check-up or an education event (by the lawyer who held it, or by staff)."""
    if not is_lawyer_of(by, lawyer):
        require_perm(by, "legal_aid.add_enterpriseevent")
        require_visible(by, union)
    if kind not in EventKind.values:
        raise invalid(_("Choose the kind of event."), "kind", "required")
    if held_on > timezone.localdate():
        raise invalid(_("The date cannot be in the future."), "held_on")
    if attendance is None or int(attendance) < 0:
        raise invalid(_("Enter how many attended."), "attendance")
    assignment = AdviserAssignment.objects.active().filter(lawyer=lawyer, union=union).first()
    if is_lawyer_of(by, lawyer) and assignment is None:
        raise PermissionDeniedError(_("You do not advise this union."))
    event = EnterpriseEvent.objects.create(
        kind=kind,
        union=union,
        assignment=assignment,
        lawyer=lawyer,
        held_on=held_on,
        attendance=int(attendance),
        findings=text(findings, "findings", limit=4000, required=False, multiline=True),
        recorded_by=by,
    )
    # The union's own officers are told what was found (not every level above: they see the figures).
    for user in staff_with("legal_aid.view_enterpriseevent", union.path):
        if user.organisation_id == union.pk and user.pk != by.pk:
            notify(
                user=user,
                event="legal.enterprise_event",
                key=f"legal.enterprise_event:{event.pk}:{user.pk}",
                context={"kind": event.get_kind_display(), "lawyer": lawyer.name, "day": held_on.isoformat()},
                link=link("admin:legal_aid_enterpriseevent_change", event.pk),
            )
    return event

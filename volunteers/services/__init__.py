"""Every write of volunteer service that carries a rule.

An activity::

    draft ─publish─▶ open ◀──▶ full  (by sign-ups and cancellations)
      │               │         │
      └─cancel────────┴─────────┴─▶ cancelled         open/full ─first check-in─▶ running ─▶ finished

A sign-up takes a place while there is one, else a turn on the waiting list; a cancelled place goes
to the first on the list (arrival order), who is told. A service record::

    (scan in) open ─scan out─▶ pending ─verify─▶ verified ─unverify─▶ pending
    (leader enters) ──────────▶ pending ─reject─▶ rejected

Locks are taken in one order: the activity, then the volunteer, then the sign-up or record. The
activity lock serialises sign-ups (so two volunteers cannot take the last place); the volunteer lock
serialises everything that changes a volunteer's hours (so records never overlap and a star level is
recorded exactly once). Only verified hours count, in the volunteer's total and star level.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text, normalize_mobile, validate_mobile
from union_portal.notifications.services import notify

from ..models import (
    LIVE_RECORD,
    SIGNUP_STATUSES,
    STAR_THRESHOLDS,
    ZERO,
    Activity,
    ActivityStatus,
    RecordSource,
    RecordStatus,
    ServiceRecord,
    Signup,
    SignupStatus,
    StarChange,
    StarLevelEvent,
    Team,
    TeamMembership,
    TrainingAttendance,
    TrainingSession,
    Volunteer,
    VolunteerStatus,
    star_level_for,
)

CENT = Decimal("0.01")
REASON_MAX = 300
#: The check-in code changes every this many seconds; a code is accepted in its window and the next.
CHECKIN_WINDOW_SECONDS = 30
#: Volunteers may check in this long before the activity starts (their hours count from the start).
CHECKIN_EARLY = dt.timedelta(hours=1)


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _text(value, field: str, *, required: bool = False, limit: int = REASON_MAX, multiline=False) -> str:
    try:
        return clean_text(value, max_length=limit, required=required, multiline=multiline)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field=field) from None


def _lock(model, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def _hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    seconds = Decimal(int((end - start).total_seconds()))
    return (seconds / Decimal(3600)).quantize(CENT, rounding=ROUND_HALF_UP)


def leads(user, team: Team) -> bool:
    return bool(user and user.is_authenticated and team.leaders.filter(pk=user.pk).exists())


def require_team_manager(by, team: Team, perm: str) -> None:
    """The actor has ``perm`` and either leads the team or is staff whose subtree holds it."""
    require_perm(by, perm)
    if not Team.objects.visible_to(by).filter(pk=team.pk).exists():
        raise PermissionDeniedError(_("This team is not yours to manage."))


def volunteer_of(user) -> Volunteer:
    volunteer = Volunteer.objects.filter(user=user).first() if user and user.is_authenticated else None
    if volunteer is None:
        raise _invalid(_("Register as a volunteer first."), code="not_a_volunteer")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise _invalid(_("Your volunteer registration is not active."), code="not_active")
    return volunteer


def _require_self_or(by, volunteer: Volunteer, perm: str) -> None:
    """The volunteer themselves, or someone with ``perm`` who sees the volunteer."""
    if volunteer.user_id is not None and by is not None and volunteer.user_id == by.pk:
        return
    require_perm(by, perm)
    require_visible(by, volunteer)


# --- volunteers and teams ------------------------------------------------------------------------


@transaction.atomic
def volunteer_register(
    *,
    by,
    member: Member | None = None,
    name: str = "",
    mobile: str = "",
    organisation=None,
    skills: str = "",
    availability: str = "",
    emergency_contact: str = "",
    emergency_phone: str = "",
) -> Volunteer:
    """Register a volunteer: a member registers themselves (or staff register them); the volunteer's
    organisation is the member's union. Registering twice returns the existing registration."""
    if member is not None:
        if not (member.user_id and member.user_id == by.pk):
            require_perm(by, "volunteers.add_volunteer")
            require_visible(by, member)
        if member.status != MemberStatus.ACTIVE:
            raise _invalid(_("Only active members can register as volunteers."), "member", "not_active")
        existing = Volunteer.objects.filter(member=member).first()
        if existing is not None:
            return existing
        name, mobile, organisation = member.name, member.mobile, member.union
    else:
        require_perm(by, "volunteers.add_volunteer")
        if organisation is None:
            raise _invalid(_("Choose the organisation."), "organisation", "required")
        require_visible(by, organisation)
    name = _text(name, "name", required=True, limit=50)
    try:
        mobile = normalize_mobile(mobile)
        validate_mobile(mobile)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="mobile") from None
    user = member.user if member is not None else None
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise _invalid(_("This login already belongs to a volunteer."), "member", "duplicate")
    id_hash = member.id_number_hash if member is not None else ""
    if id_hash and Volunteer.objects.filter(id_number_hash=id_hash).exists():
        raise _invalid(
            _("A volunteer with this ID number is already registered."), "member", "duplicate_id_number"
        )
    volunteer = Volunteer(
        member=member,
        user=user,
        name=name,
        mobile=mobile,
        organisation=organisation,
        skills=_text(skills, "skills", limit=200),
        availability=_text(availability, "availability", limit=200),
        emergency_contact=_text(emergency_contact, "emergency_contact", limit=50),
        emergency_phone=_text(emergency_phone, "emergency_phone", limit=20),
        registered_on=timezone.localdate(),
        id_number_hash=id_hash,
    )
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        raise _invalid(
            _("This member is already registered as a volunteer."), "member", "duplicate"
        ) from None
    _registered(volunteer)
    return volunteer


def _registered(volunteer: Volunteer) -> None:
    notify(
        user=volunteer.user,
        event="volunteers.registered",
        key=f"volunteers.registered:{volunteer.pk}",
        context={"name": volunteer.name},
        link=_portal_link("volunteers:my_hours", None),
    )


@transaction.atomic
def volunteer_set_status(*, volunteer: Volunteer, by, status: str, reason: str = "") -> Volunteer:
    require_perm(by, "volunteers.change_volunteer")
    require_visible(by, volunteer)
    if status not in VolunteerStatus.values:
        raise _invalid(_("Choose a status."), "status")
    volunteer = _lock(Volunteer, volunteer.pk)
    volunteer.status = status
    volunteer._change_reason = _text(reason, "reason")
    volunteer.save(update_fields=["status"])
    return volunteer


@transaction.atomic
def team_join(*, team: Team, volunteer: Volunteer, by) -> TeamMembership:
    """Add a volunteer to a team (a volunteer may belong to several). Safe to call twice."""
    if not (volunteer.user_id and volunteer.user_id == by.pk):
        require_team_manager(by, team, "volunteers.add_teammembership")
    if not team.is_active:
        raise _invalid(_("This team is no longer active."), "team", "inactive")
    existing = TeamMembership.objects.filter(team=team, volunteer=volunteer, ended_on__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return TeamMembership.objects.create(
                team=team, volunteer=volunteer, joined_on=timezone.localdate()
            )
    except IntegrityError:
        return TeamMembership.objects.get(team=team, volunteer=volunteer, ended_on__isnull=True)


@transaction.atomic
def team_leave(*, membership: TeamMembership, by) -> TeamMembership:
    if not (membership.volunteer.user_id and membership.volunteer.user_id == by.pk):
        require_team_manager(by, membership.team, "volunteers.change_teammembership")
    membership = _lock(TeamMembership, membership.pk)
    if membership.ended_on is None:
        membership.ended_on = timezone.localdate()
        membership.save(update_fields=["ended_on"])
    return membership


# --- activities ----------------------------------------------------------------------------------


def _check_activity(activity: Activity) -> None:
    if not activity.title or not activity.title.strip():
        raise _invalid(_("Enter a title."), "title", "required")
    activity.title = _text(activity.title, "title", required=True, limit=100)
    activity.place = _text(activity.place, "place", required=True, limit=200)
    activity.description = _text(activity.description, "description", limit=5000, multiline=True)
    if activity.starts_at is None or activity.ends_at is None or activity.ends_at <= activity.starts_at:
        raise _invalid(_("An activity must end after it starts."), "ends_at")
    if activity.ends_at - activity.starts_at > dt.timedelta(hours=24):
        raise _invalid(_("An activity lasts at most 24 hours; split longer service."), "ends_at")
    if not activity.capacity or activity.capacity < 1:
        raise _invalid(_("Enter the number of places."), "capacity", "required")
    if activity.signup_opens_at is None:
        activity.signup_opens_at = timezone.now()
    if activity.signup_closes_at is None:
        activity.signup_closes_at = activity.starts_at
    if activity.signup_closes_at <= activity.signup_opens_at:
        raise _invalid(_("Sign-up must close after it opens."), "signup_closes_at")
    if activity.signup_closes_at > activity.ends_at:
        raise _invalid(_("Sign-up must close before the activity ends."), "signup_closes_at")


@transaction.atomic
def activity_save(*, activity: Activity, by) -> Activity:
    """Create or change an activity. Places cannot go below those already taken."""
    creating = activity.pk is None
    require_team_manager(
        by, activity.team, "volunteers.add_activity" if creating else "volunteers.change_activity"
    )
    _check_activity(activity)
    if creating:
        activity.created_by = by
        activity.checkin_key = secrets.token_hex(16)
        activity.save()
        return activity
    current = _lock(Activity, activity.pk)
    if current.status in (ActivityStatus.FINISHED, ActivityStatus.CANCELLED):
        raise _invalid(_("A finished or cancelled activity cannot be changed."), code="closed")
    if activity.capacity < current.confirmed_count:
        raise _invalid(
            _("%(n)d places are already taken; the activity cannot have fewer.")
            % {"n": current.confirmed_count},
            "capacity",
        )
    activity.status, activity.confirmed_count = current.status, current.confirmed_count
    activity.checkin_key, activity.created_by_id = current.checkin_key, current.created_by_id
    activity.save()
    if activity.capacity > current.capacity:
        _fill_from_waiting_list(activity)
    _set_full_or_open(activity)
    changed = [f for f in CHANGES_TOLD if getattr(activity, f) != getattr(current, f)]
    if changed and activity.status != ActivityStatus.DRAFT:
        _tell_activity_changed(activity)
    return activity


#: Changes of an activity that everyone signed up is told about.
CHANGES_TOLD = ("title", "place", "starts_at", "ends_at")


def _tell_activity_changed(activity: Activity) -> None:
    version = activity.history.count()
    for signup in Signup.objects.live().filter(activity=activity).select_related("volunteer__user"):
        notify(
            user=signup.volunteer.user,
            event="volunteers.activity_changed",
            key=f"volunteers.activity_changed:{activity.pk}:{signup.pk}:{version}",
            context={"activity": activity.title, "start": activity.starts_at, "place": activity.place},
            link=_portal_link("volunteers:activity", activity.pk),
            urgent=activity.starts_at - timezone.now() < dt.timedelta(days=1),
        )


@transaction.atomic
def activity_publish(*, activity: Activity, by) -> Activity:
    require_team_manager(by, activity.team, "volunteers.change_activity")
    activity = _lock(Activity, activity.pk)
    if activity.status != ActivityStatus.DRAFT:
        return activity
    if activity.ends_at <= timezone.now():
        raise _invalid(_("This activity is already over."), code="over")
    activity.status = ActivityStatus.OPEN
    activity.save(update_fields=["status", "updated_at"])
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, by, reason: str) -> Activity:
    """Cancel an activity that has not started; everyone signed up is told."""
    require_team_manager(by, activity.team, "volunteers.change_activity")
    reason = _text(reason, "reason", required=True)
    activity = _lock(Activity, activity.pk)
    if activity.status == ActivityStatus.CANCELLED:
        return activity
    if activity.status in (ActivityStatus.RUNNING, ActivityStatus.FINISHED):
        raise _invalid(_("An activity that has started cannot be cancelled."), code="started")
    signups = list(Signup.objects.live().filter(activity=activity).select_related("volunteer__user"))
    now = timezone.now()
    for signup in signups:
        signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
        signup.save(update_fields=["status", "cancelled_at"])
        notify(
            user=signup.volunteer.user,
            event="volunteers.activity_cancelled",
            key=f"volunteers.activity_cancelled:{activity.pk}:{signup.pk}",
            context={"activity": activity.title, "start": activity.starts_at, "reason": reason},
        )
    activity.status, activity.cancel_reason, activity.confirmed_count = ActivityStatus.CANCELLED, reason, 0
    activity.save(update_fields=["status", "cancel_reason", "confirmed_count", "updated_at"])
    return activity


@transaction.atomic
def activity_finish(*, activity: Activity, by=None) -> Activity:
    """Close an activity after it ended (the nightly task, or the leader). Safe to call twice."""
    if by is not None:
        require_team_manager(by, activity.team, "volunteers.change_activity")
    activity = _lock(Activity, activity.pk)
    if activity.status in (ActivityStatus.FINISHED, ActivityStatus.CANCELLED, ActivityStatus.DRAFT):
        return activity
    if activity.ends_at > timezone.now():
        raise _invalid(_("The activity has not ended yet."), code="not_over")
    activity.status = ActivityStatus.FINISHED
    activity.save(update_fields=["status", "updated_at"])
    return activity


def _set_full_or_open(activity: Activity) -> None:
    if activity.status not in SIGNUP_STATUSES:
        return
    wanted = ActivityStatus.FULL if activity.confirmed_count >= activity.capacity else ActivityStatus.OPEN
    if activity.status != wanted:
        activity.status = wanted
        activity.save(update_fields=["status", "updated_at"])


def _fill_from_waiting_list(activity: Activity) -> list[Signup]:
    """Give free places to the waiting list in arrival order; the activity is locked by the caller."""
    free = activity.capacity - activity.confirmed_count
    if free <= 0 or activity.status not in SIGNUP_STATUSES:
        return []
    waiting = list(
        Signup.objects.select_for_update(of=("self",))
        .filter(activity=activity, status=SignupStatus.WAITING)
        .order_by("pk")[:free]
    )
    now = timezone.now()
    for signup in waiting:
        signup.status, signup.promoted_at = SignupStatus.CONFIRMED, now
        signup.save(update_fields=["status", "promoted_at"])
        volunteer = Volunteer.objects.select_related("user").get(pk=signup.volunteer_id)
        notify(
            user=volunteer.user,
            event="volunteers.promoted",
            key=f"volunteers.promoted:{signup.pk}",
            context={"activity": activity.title, "start": activity.starts_at, "place": activity.place},
            link=_portal_link("volunteers:activity", activity.pk),
        )
    if waiting:
        activity.confirmed_count += len(waiting)
        activity.save(update_fields=["confirmed_count", "updated_at"])
    return waiting


def _portal_link(name: str, pk) -> str:
    try:
        return reverse(name, kwargs={"pk": pk} if pk is not None else None)
    except NoReverseMatch:  # a link is a courtesy: the portal pages may not be mounted
        return ""


# --- sign-ups ------------------------------------------------------------------------------------


@transaction.atomic
def signup_create(*, activity: Activity, volunteer: Volunteer, by) -> Signup:
    """Sign a volunteer up: a place while one is free, else the waiting list. The activity's row lock
    makes concurrent sign-ups take turns, so the last place goes to exactly one of them."""
    _require_self_or(by, volunteer, "volunteers.add_signup")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise _invalid(_("Your volunteer registration is not active."), code="not_active")
    activity = _lock(Activity, activity.pk)
    existing = Signup.objects.live().filter(activity=activity, volunteer=volunteer).first()
    if existing is not None:
        return existing
    now = timezone.now()
    if activity.status not in SIGNUP_STATUSES:
        raise _invalid(_("This activity is not taking sign-ups."), code="not_open")
    if not activity.signup_opens_at <= now <= activity.signup_closes_at:
        raise _invalid(_("Sign-up for this activity is closed."), code="window_closed")
    clash = (
        Signup.objects.filter(volunteer=volunteer, status=SignupStatus.CONFIRMED)
        .exclude(activity=activity)
        .filter(activity__starts_at__lt=activity.ends_at, activity__ends_at__gt=activity.starts_at)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .select_related("activity")
        .first()
    )
    if clash is not None:
        raise _invalid(
            _("You already have a place at %(title)s at that time.") % {"title": clash.activity.title},
            code="overlap",
        )
    confirmed = activity.confirmed_count < activity.capacity
    signup = Signup.objects.create(
        activity=activity,
        volunteer=volunteer,
        status=SignupStatus.CONFIRMED if confirmed else SignupStatus.WAITING,
    )
    if confirmed:
        activity.confirmed_count += 1
        activity.save(update_fields=["confirmed_count", "updated_at"])
        _set_full_or_open(activity)
    notify(
        user=volunteer.user,
        event="volunteers.signup_confirmed" if confirmed else "volunteers.signup_waiting",
        key=f"volunteers.signup:{signup.pk}",
        context={"activity": activity.title, "start": activity.starts_at, "place": activity.place},
        link=_portal_link("volunteers:activity", activity.pk),
    )
    return signup


@transaction.atomic
def signup_cancel(*, signup: Signup, by) -> Signup:
    """Cancel a sign-up before the activity starts; a freed place goes to the first on the waiting list."""
    _require_self_or(by, signup.volunteer, "volunteers.change_signup")
    activity = _lock(Activity, signup.activity_id)
    signup = _lock(Signup, signup.pk)
    if signup.status == SignupStatus.CANCELLED:
        return signup
    if activity.starts_at <= timezone.now() or activity.status not in SIGNUP_STATUSES:
        raise _invalid(_("The activity has started: ask the team leader."), code="started")
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        activity.confirmed_count -= 1
        activity.save(update_fields=["confirmed_count", "updated_at"])
        _fill_from_waiting_list(activity)
        _set_full_or_open(activity)
    return signup


def waiting_position(signup: Signup) -> int | None:
    """1 for the first on the waiting list; None when the sign-up is not waiting."""
    if signup.status != SignupStatus.WAITING:
        return None
    return Signup.objects.filter(
        activity_id=signup.activity_id, status=SignupStatus.WAITING, pk__lte=signup.pk
    ).count()


# --- the rotating check-in code --------------------------------------------------------------------

KIND_IN, KIND_OUT = "in", "out"


def _window(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // CHECKIN_WINDOW_SECONDS)


def _mac(activity: Activity, kind: str, window: int) -> str:
    key = hashlib.sha256(f"volunteers.checkin:{settings.SECRET_KEY}:{activity.checkin_key}".encode()).digest()
    return hmac.new(key, f"{activity.pk}.{kind}.{window}".encode(), hashlib.sha256).hexdigest()[:20]


def checkin_code(*, activity: Activity, kind: str, by, at: float | None = None) -> str:
    """The code the leader's phone shows now: signed for this activity, direction and 30-second window."""
    require_team_manager(by, activity.team, "volunteers.verify_servicerecord")
    if kind not in (KIND_IN, KIND_OUT):
        raise _invalid(_("Unknown check-in direction."), "kind")
    window = _window(at)
    return f"{activity.pk}.{kind}.{window}.{_mac(activity, kind, window)}"


def read_checkin_code(code: str, *, at: float | None = None) -> tuple[Activity, str]:
    """The activity and direction of a scanned code; refused if forged, of an unknown activity, or older
    than its own window and the next one (at most a minute)."""
    expired = _invalid(
        _("This check-in code has expired: scan the code on the leader's phone again."), code="expired"
    )
    forged = _invalid(_("This is not a valid check-in code."), code="invalid_code")
    try:
        pk, kind, window, mac = (code or "").strip().split(".")
        pk, window = int(pk), int(window)
    except ValueError:
        raise forged from None
    activity = Activity.objects.filter(pk=pk).select_related("team").first()
    if activity is None or kind not in (KIND_IN, KIND_OUT):
        raise forged
    if not hmac.compare_digest(mac, _mac(activity, kind, window)):
        raise forged
    now = _window(at)
    if not now - 1 <= window <= now:
        raise expired
    return activity, kind


@transaction.atomic
def checkin_scan(*, code: str, by, expected_activity: Activity | None = None, at: float | None = None):
    """A volunteer scanned the leader's code: check in (an open record) or out (hours, pending)."""
    activity, kind = read_checkin_code(code, at=at)
    if expected_activity is not None and expected_activity.pk != activity.pk:
        raise _invalid(_("This code belongs to another activity."), code="other_activity")
    volunteer = volunteer_of(by)
    return (check_in if kind == KIND_IN else check_out)(activity=activity, volunteer=volunteer, at=at)


def _now_at(at: float | None) -> dt.datetime:
    return timezone.now() if at is None else dt.datetime.fromtimestamp(at, tz=dt.UTC)


def _require_no_overlap(volunteer: Volunteer, start, end, exclude_pk=None) -> None:
    """The volunteer is locked by the caller: their records never overlap in time."""
    others = ServiceRecord.objects.filter(volunteer=volunteer, status__in=LIVE_RECORD).exclude(pk=exclude_pk)
    clash = others.filter(started_at__lt=end).exclude(ended_at__isnull=False, ended_at__lte=start)
    clash = clash.select_related("activity").first()
    if clash is not None:
        raise _invalid(
            _("These hours overlap the hours recorded at %(title)s.") % {"title": clash.activity.title},
            code="overlap",
        )


@transaction.atomic
def check_in(*, activity: Activity, volunteer: Volunteer, at: float | None = None) -> ServiceRecord:
    now = _now_at(at)
    if activity.status not in (*SIGNUP_STATUSES, ActivityStatus.RUNNING):
        raise _invalid(_("This activity is not taking check-ins."), code="not_open")
    if not activity.starts_at - CHECKIN_EARLY <= now < activity.ends_at:
        raise _invalid(_("Check-in is open from an hour before the start until the end."), code="not_now")
    if not Signup.objects.filter(
        activity=activity, volunteer=volunteer, status=SignupStatus.CONFIRMED
    ).exists():
        raise _invalid(_("You have no confirmed place at this activity."), code="no_place")
    volunteer = _lock(Volunteer, volunteer.pk)
    existing = ServiceRecord.objects.filter(
        activity=activity, volunteer=volunteer, status__in=LIVE_RECORD
    ).first()
    if existing is not None:
        return existing  # scanning twice changes nothing
    start = max(now, activity.starts_at)
    _require_no_overlap(volunteer, start, activity.ends_at)
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        activity=activity,
        source=RecordSource.SCAN,
        started_at=start,
        status=RecordStatus.OPEN,
    )
    if activity.status in SIGNUP_STATUSES:
        Activity.objects.filter(pk=activity.pk, status__in=SIGNUP_STATUSES).update(
            status=ActivityStatus.RUNNING
        )
    return record


@transaction.atomic
def check_out(*, activity: Activity, volunteer: Volunteer, at: float | None = None) -> ServiceRecord:
    now = _now_at(at)
    volunteer = _lock(Volunteer, volunteer.pk)
    record = (
        ServiceRecord.objects.select_for_update(of=("self",))
        .filter(activity=activity, volunteer=volunteer, status__in=LIVE_RECORD)
        .first()
    )
    if record is None:
        raise _invalid(_("You have not checked in at this activity."), code="not_checked_in")
    if record.status != RecordStatus.OPEN:
        return record  # already out
    end = min(now, activity.ends_at)
    if end <= record.started_at:
        raise _invalid(_("The activity has not started yet: check out after it starts."), code="too_early")
    record.ended_at, record.hours, record.status = (
        end,
        _hours_between(record.started_at, end),
        RecordStatus.PENDING,
    )
    record.save(update_fields=["ended_at", "hours", "status"])
    return record


# --- hours: entered, corrected, verified -----------------------------------------------------------


def _clean_times(activity: Activity, start, end) -> tuple[dt.datetime, dt.datetime]:
    if start is None or end is None or end <= start:
        raise _invalid(_("Service must end after it starts."), "ended_at")
    if start < activity.starts_at or end > activity.ends_at:
        raise _invalid(
            _("Hours must lie within the activity (%(hours)s hours).") % {"hours": activity.duration_hours},
            "ended_at",
            "beyond_activity",
        )
    return start, end


@transaction.atomic
def record_enter(
    *, activity: Activity, volunteer: Volunteer, by, started_at, ended_at, note: str = ""
) -> ServiceRecord:
    """The leader enters a volunteer's hours (who could not scan); they wait for verification."""
    require_team_manager(by, activity.team, "volunteers.add_servicerecord")
    start, end = _clean_times(activity, started_at, ended_at)
    note = _text(note, "note", required=True)
    volunteer = _lock(Volunteer, volunteer.pk)
    if ServiceRecord.objects.filter(activity=activity, volunteer=volunteer, status__in=LIVE_RECORD).exists():
        raise _invalid(
            _("This volunteer already has hours recorded for this activity."), "volunteer", "duplicate"
        )
    _require_no_overlap(volunteer, start, end)
    return ServiceRecord.objects.create(
        volunteer=volunteer,
        activity=activity,
        source=RecordSource.LEADER,
        started_at=start,
        ended_at=end,
        hours=_hours_between(start, end),
        status=RecordStatus.PENDING,
        note=note,
    )


@transaction.atomic
def record_correct(*, record: ServiceRecord, by, started_at, ended_at, note: str) -> ServiceRecord:
    """The leader corrects the times of an open or pending record, with a note."""
    require_team_manager(by, record.activity.team, "volunteers.verify_servicerecord")
    note = _text(note, "note", required=True)
    start, end = _clean_times(record.activity, started_at, ended_at)
    _lock(Volunteer, record.volunteer_id)
    record = _lock(ServiceRecord, record.pk)
    if record.status not in (RecordStatus.OPEN, RecordStatus.PENDING):
        raise _invalid(_("Only hours waiting for verification can be corrected."), code="not_pending")
    _require_no_overlap(record.volunteer, start, end, exclude_pk=record.pk)
    record.started_at, record.ended_at, record.hours = start, end, _hours_between(start, end)
    record.status, record.note = RecordStatus.PENDING, note
    record.save(update_fields=["started_at", "ended_at", "hours", "status", "note"])
    return record


def _recount(volunteer: Volunteer, *, record: ServiceRecord | None) -> Volunteer:
    """Recompute the locked volunteer's verified hours and star level; record each level crossed, once."""
    total = (
        ServiceRecord.objects.filter(volunteer=volunteer, status=RecordStatus.VERIFIED).aggregate(
            s=Sum("hours")
        )["s"]
        or ZERO
    )
    before, after = volunteer.star_level, star_level_for(total)
    volunteer.verified_hours, volunteer.star_level = total, after
    volunteer.save(update_fields=["verified_hours", "star_level"])
    if after > before:
        levels, change = range(before + 1, after + 1), StarChange.REACHED
    else:
        levels, change = range(before, after, -1), StarChange.LOST
    for level in levels:
        event = StarLevelEvent.objects.create(
            volunteer=volunteer, level=level, change=change, hours=total, record=record
        )
        notify(
            user=volunteer.user,
            event=f"volunteers.star_{change}",
            key=f"volunteers.star:{event.pk}",
            context={"level": level, "hours": total, "threshold": STAR_THRESHOLDS[level - 1]},
        )
    return volunteer


@transaction.atomic
def record_verify(*, record: ServiceRecord, by) -> ServiceRecord:
    """The team leader verifies hours: they count from now on, in the total and the star level."""
    require_team_manager(by, record.activity.team, "volunteers.verify_servicerecord")
    volunteer = _lock(Volunteer, record.volunteer_id)
    record = _lock(ServiceRecord, record.pk)
    if record.status == RecordStatus.VERIFIED:
        return record
    if record.status != RecordStatus.PENDING:
        raise _invalid(_("Only hours waiting for verification can be verified."), code="not_pending")
    record.status, record.reviewed_by, record.reviewed_at, record.reason = (
        RecordStatus.VERIFIED,
        by,
        timezone.now(),
        "",
    )
    record.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    _recount(volunteer, record=record)
    notify(
        user=volunteer.user,
        event="volunteers.hours_verified",
        key=f"volunteers.hours_verified:{record.pk}:{record.history.count()}",
        context={"activity": record.activity.title, "hours": record.hours},
    )
    return record


@transaction.atomic
def record_reject(*, record: ServiceRecord, by, reason: str) -> ServiceRecord:
    require_team_manager(by, record.activity.team, "volunteers.verify_servicerecord")
    reason = _text(reason, "reason", required=True)
    _lock(Volunteer, record.volunteer_id)
    record = _lock(ServiceRecord, record.pk)
    if record.status == RecordStatus.REJECTED:
        return record
    if record.status != RecordStatus.PENDING:
        raise _invalid(_("Only hours waiting for verification can be rejected."), code="not_pending")
    record.status, record.reviewed_by, record.reviewed_at, record.reason = (
        RecordStatus.REJECTED,
        by,
        timezone.now(),
        reason,
    )
    record.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    notify(
        user=record.volunteer.user,
        event="volunteers.hours_rejected",
        key=f"volunteers.hours_rejected:{record.pk}",
        context={"activity": record.activity.title, "hours": record.hours, "reason": reason},
    )
    return record


@transaction.atomic
def record_unverify(*, record: ServiceRecord, by, reason: str) -> ServiceRecord:
    """Take verified hours back to waiting (a mistake found later): the total and the star level
    follow, and a level lost is recorded."""
    require_team_manager(by, record.activity.team, "volunteers.verify_servicerecord")
    reason = _text(reason, "reason", required=True)
    volunteer = _lock(Volunteer, record.volunteer_id)
    record = _lock(ServiceRecord, record.pk)
    if record.status != RecordStatus.VERIFIED:
        return record
    record.status, record.reviewed_by, record.reviewed_at, record.reason = (
        RecordStatus.PENDING,
        by,
        timezone.now(),
        reason,
    )
    record.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    _recount(volunteer, record=record)
    return record


# --- training ------------------------------------------------------------------------------------


@transaction.atomic
def training_attend(*, session: TrainingSession, volunteers, by) -> int:
    """Put volunteers on a session's attendance list; those already on it are skipped. Returns how many were added."""
    require_team_manager(by, session.team, "volunteers.add_trainingattendance")
    added = 0
    for volunteer in volunteers:
        _, created = TrainingAttendance.objects.get_or_create(session=session, volunteer=volunteer)
        added += created
    return added


# --- certificate of service hours --------------------------------------------------------------------


def _district_name(organisation) -> str:
    from union_portal.organisations.models import Organisation

    root = Organisation.objects.filter(path=organisation.path[: Organisation.steplen]).first()
    return root.name if root is not None else organisation.name


def hours_certificate(*, volunteer: Volunteer, by):
    """A certificate of the volunteer's verified hours as they stand (one per total: asking again with the
    same hours returns the same certificate and code)."""
    from django.utils import translation

    from union_portal.certificates.services import certificate_issue

    _require_self_or(by, volunteer, "volunteers.view_volunteer")
    volunteer = Volunteer.objects.select_related("organisation").get(pk=volunteer.pk)
    if volunteer.verified_hours <= 0:
        raise _invalid(_("You have no verified hours yet."), code="no_hours")
    hours = volunteer.verified_hours
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Certificate of volunteer service hours")
        subject = _("%(hours)s hours of volunteer service, verified by the team leaders") % {"hours": hours}
    return certificate_issue(
        by=None,
        kind="volunteers.hours",
        source=("volunteers", "volunteer", f"{volunteer.pk}:{hours}"),
        holder_name=volunteer.name,
        holder_user=volunteer.user,
        holder_is_person=True,
        title=title,
        subject=subject,
        issuer=_district_name(volunteer.organisation),
        organisation=volunteer.organisation,
        context={"hours": str(hours), "star_level": volunteer.star_level},
    )


# --- scheduled work ----------------------------------------------------------------------------------


def activities_finish_ended() -> int:
    """Finish every open, full or running activity that has ended; open check-ins are closed at the end
    (their hours wait for verification). Returns how many activities were finished."""
    now = timezone.now()
    done = 0
    ended = Activity.objects.filter(
        status__in=[*SIGNUP_STATUSES, ActivityStatus.RUNNING], ends_at__lte=now
    ).values_list("pk", flat=True)
    for pk in ended:
        with transaction.atomic():
            activity = _lock(Activity, pk)
            if activity.status not in (*SIGNUP_STATUSES, ActivityStatus.RUNNING):
                continue
            for record in ServiceRecord.objects.select_for_update(of=("self",)).filter(
                activity=activity, status=RecordStatus.OPEN
            ):
                record.ended_at = activity.ends_at
                record.hours = _hours_between(record.started_at, activity.ends_at)
                record.status, record.note = RecordStatus.PENDING, _("No check-out: counted until the end.")
                record.save(update_fields=["ended_at", "hours", "status", "note"])
            activity.status = ActivityStatus.FINISHED
            activity.save(update_fields=["status", "updated_at"])
            done += 1
    return done


def activity_reminders_send() -> int:
    """Tell every volunteer with a place at an activity starting tomorrow (once per sign-up)."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    signups = Signup.objects.filter(
        status=SignupStatus.CONFIRMED,
        activity__status__in=SIGNUP_STATUSES,
        activity__starts_at__date=tomorrow,
    ).select_related("activity", "volunteer__user")
    sent = 0
    with transaction.atomic():
        for signup in signups:
            activity = signup.activity
            notify(
                user=signup.volunteer.user,
                event="volunteers.reminder",
                key=f"volunteers.reminder:{signup.pk}",
                context={"activity": activity.title, "start": activity.starts_at, "place": activity.place},
                link=_portal_link("volunteers:activity", activity.pk),
                urgent=True,
            )
            sent += 1
    return sent


def verification_reminders_send() -> int:
    """Tell each team leader how many hours of their teams wait for verification (once a day)."""
    from django.contrib.auth import get_user_model

    waiting = (
        get_user_model()
        .objects.filter(led_volunteer_teams__activities__records__status=RecordStatus.PENDING)
        .annotate(n=Count("led_volunteer_teams__activities__records", distinct=True))
    )
    today = timezone.localdate().isoformat()
    sent = 0
    with transaction.atomic():
        for leader in waiting:
            notify(
                user=leader,
                event="volunteers.to_verify",
                key=f"volunteers.to_verify:{leader.pk}:{today}",
                context={"count": leader.n},
            )
            sent += 1
    return sent


# --- sub-domains, re-exported (see their modules) ----------------------------------------------------

from .honours import honour_recommend, honour_withdraw, year_hours  # noqa: E402
from .registration import (  # noqa: E402
    REGISTRATION_PURPOSE,
    id_number_refusal,
    parse_person_id,
    volunteer_code_request,
    volunteer_register_person,
)

__all__ = [
    "REGISTRATION_PURPOSE",
    "honour_recommend",
    "honour_withdraw",
    "id_number_refusal",
    "parse_person_id",
    "volunteer_code_request",
    "volunteer_register_person",
    "year_hours",
]

"""The figures of volunteer service: registered and active volunteers, activities, verified hours by
team, category and month, trainee-times. One grouped query each over a subtree (``scope``) and a
``Period``. Only verified hours count; hours count on the day the service started (Asia/Shanghai),
in the organisation of the team that ran the activity; volunteers in their own organisation.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from union_portal.core.figures import Figure, Period, tally

from .models import (
    Activity,
    ActivityStatus,
    Category,
    RecordStatus,
    ServiceRecord,
    TrainingAttendance,
    Volunteer,
)

PERMISSION = "volunteers.view_volunteer_figures"
HOURS = DecimalField(max_digits=14, decimal_places=2)


def _hours(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _one(rows: dict, by_child: bool, name: str, convert=None):
    convert = convert or (lambda value: value)
    if by_child:
        return {path: convert(row[name]) for path, row in rows.items()}
    return convert(rows[name])


def _verified(scope, period: Period):
    return ServiceRecord.objects.filter(
        status=RecordStatus.VERIFIED,
        activity__team__organisation__path__startswith=scope.path,
        started_at__date__gte=period.start,
        started_at__date__lte=period.end,
    )


def volunteers_registered(*, scope, period: Period, by_child: bool = False):
    """Volunteers registered by the end of the period (all statuses)."""
    rows = tally(
        Volunteer.objects.filter(organisation__path__startswith=scope.path, registered_on__lte=period.end),
        scope=scope, lookup="organisation__path", by_child=by_child, n=Count("pk"),
    )  # fmt: skip
    return _one(rows, by_child, "n")


def volunteers_active(*, scope, period: Period, by_child: bool = False):
    """Volunteers with verified hours in the period."""
    rows = tally(
        ServiceRecord.objects.filter(
            status=RecordStatus.VERIFIED, volunteer__organisation__path__startswith=scope.path,
            started_at__date__gte=period.start, started_at__date__lte=period.end,
        ),
        scope=scope, lookup="volunteer__organisation__path", by_child=by_child, n=Count("volunteer", distinct=True),
    )  # fmt: skip
    return _one(rows, by_child, "n")


def activities_held(*, scope, period: Period, by_child: bool = False):
    """Activities that started in the period and were not cancelled."""
    rows = tally(
        Activity.objects.filter(
            team__organisation__path__startswith=scope.path, starts_at__date__gte=period.start,
            starts_at__date__lte=period.end,
        ).exclude(status__in=[ActivityStatus.CANCELLED, ActivityStatus.DRAFT]),
        scope=scope, lookup="team__organisation__path", by_child=by_child, n=Count("pk"),
    )  # fmt: skip
    return _one(rows, by_child, "n")


def verified_hours(*, scope, period: Period, by_child: bool = False):
    """Verified service hours in the period (by the organisation of the team that ran the activity)."""
    rows = tally(
        _verified(scope, period), scope=scope, lookup="activity__team__organisation__path", by_child=by_child,
        v=Coalesce(Sum("hours"), Value(Decimal(0)), output_field=HOURS),
    )  # fmt: skip
    return _one(rows, by_child, "v", _hours)


def hours_by_category(*, scope, period: Period) -> dict[str, Decimal]:
    found = dict(
        _verified(scope, period).values_list("activity__category").annotate(v=Sum("hours")).order_by()
    )
    return {code: _hours(found.get(code)) for code, _label in Category.choices}


def hours_by_month(*, scope, period: Period) -> dict[str, Decimal]:
    rows = (
        _verified(scope, period)
        .annotate(month=TruncMonth("started_at"))
        .values("month")
        .annotate(v=Sum("hours"))
        .order_by("month")
    )
    found = {row["month"].strftime("%Y-%m"): row["v"] for row in rows}
    return {month: _hours(found.get(month)) for month in period.months()}


def trainee_times(*, scope, period: Period, by_child: bool = False):
    """Attendances at training sessions held in the period (one volunteer at one session = one)."""
    rows = tally(
        TrainingAttendance.objects.filter(
            session__team__organisation__path__startswith=scope.path, session__held_on__gte=period.start,
            session__held_on__lte=period.end,
        ),
        scope=scope, lookup="session__team__organisation__path", by_child=by_child, n=Count("pk"),
    )  # fmt: skip
    return _one(rows, by_child, "n")


FIGURES = [
    Figure(key="volunteers.registered", label=_("Registered volunteers"), compute=volunteers_registered,
           by_child=True, permission=PERMISSION),
    Figure(key="volunteers.active", label=_("Active volunteers"), compute=volunteers_active, by_child=True,
           permission=PERMISSION, help_text=_("Volunteers with verified hours in the period.")),
    Figure(key="volunteers.activities", label=_("Volunteer activities held"), compute=activities_held,
           by_child=True, permission=PERMISSION),
    Figure(key="volunteers.hours", label=_("Verified volunteer hours"), compute=verified_hours, unit="hours",
           by_child=True, permission=PERMISSION,
           help_text=_("By the organisation of the team that ran the activity; only verified hours count.")),
    Figure(key="volunteers.hours_by_category", label=_("Verified volunteer hours by category"),
           compute=hours_by_category, unit="hours", breakdown=Category.choices, permission=PERMISSION),
    Figure(key="volunteers.hours_by_month", label=_("Verified volunteer hours per month"), compute=hours_by_month,
           unit="hours", by_month=True, permission=PERMISSION),
    Figure(key="volunteers.trainee_times", label=_("Volunteer trainee-times"), compute=trainee_times,
           by_child=True, permission=PERMISSION),
]  # fmt: skip

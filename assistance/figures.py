"""The figures of hardship aid the federation is judged by: applications received, aid paid by kind
and month, households and students helped, hardship files and the exit rate (解困脱困率), households
visited. Each is one grouped query over a subtree (``scope``) and a ``Period``; the scalar ones can
be split by child node (``by_child=True``) in that same query.

Money counts when it was paid (``Payment.paid_on``), applications when they were submitted (the
day in Asia/Shanghai), in the union the member belongs to now.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from union_portal.core.figures import Figure, Period, rate, tally, yuan

from .models import AidApplication, AidKind, FileStatus, HardshipFile, HardshipLevel, Payment, State, Visit

PERMISSION = "assistance.view_aid_figures"
ZERO = Decimal("0.00")
LOOKUP = "member__union__path"


def _money(expression) -> Coalesce:
    return Coalesce(expression, Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def _one(rows: dict, by_child: bool, name: str, convert=None):
    convert = convert or (lambda value: value)
    if by_child:
        return {path: convert(row[name]) for path, row in rows.items()}
    return convert(rows[name])


def _by(queryset, field: str, choices, value=None) -> dict:
    value = value if value is not None else Count("pk")
    found = dict(queryset.values_list(field).annotate(v=value).order_by(field))
    if isinstance(value, Coalesce):
        return {code: yuan(found.get(code)) for code, _label in choices}
    return {code: found.get(code, 0) for code, _label in choices}


# --- applications -----------------------------------------------------------------------------------


def _received(scope, period: Period):
    return AidApplication.objects.filter(
        member__union__path__startswith=scope.path,
        submitted_at__date__gte=period.start,
        submitted_at__date__lte=period.end,
    )


def applications(*, scope, period: Period, by_child: bool = False):
    """Applications received in the period (withdrawn ones included)."""
    rows = tally(_received(scope, period), scope=scope, lookup=LOOKUP, by_child=by_child, n=Count("pk"))
    return _one(rows, by_child, "n")


def applications_by_kind(*, scope, period: Period) -> dict[str, int]:
    return _by(_received(scope, period), "kind", AidKind.choices)


def applications_by_state(*, scope, period: Period) -> dict[str, int]:
    """Applications received in the period, by the state they are in now."""
    return _by(_received(scope, period), "state", State.choices)


# --- money paid -------------------------------------------------------------------------------------


def _paid(scope, period: Period):
    return Payment.objects.filter(
        member__union__path__startswith=scope.path, paid_on__gte=period.start, paid_on__lte=period.end
    )


def money_paid(*, scope, period: Period, by_child: bool = False):
    """Aid paid in the period (yuan)."""
    rows = tally(_paid(scope, period), scope=scope, lookup=LOOKUP, by_child=by_child, v=_money(Sum("amount")))
    return _one(rows, by_child, "v", yuan)


def money_by_kind(*, scope, period: Period) -> dict[str, Decimal]:
    return _by(_paid(scope, period), "application__kind", AidKind.choices, _money(Sum("amount")))


def money_by_month(*, scope, period: Period) -> dict[str, Decimal]:
    rows = (
        _paid(scope, period)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(v=Sum("amount"))
        .order_by("month")
    )
    found = {row["month"].strftime("%Y-%m"): row["v"] for row in rows}
    return {month: yuan(found.get(month)) for month in period.months()}


def households_helped(*, scope, period: Period, by_child: bool = False):
    """Members (households) paid at least once in the period."""
    rows = tally(
        _paid(scope, period), scope=scope, lookup=LOOKUP, by_child=by_child, n=Count("member", distinct=True)
    )
    return _one(rows, by_child, "n")


def students_helped(*, scope, period: Period, by_child: bool = False):
    """Students paid education aid (金秋助学) in the period."""
    rows = tally(
        _paid(scope, period).filter(application__kind=AidKind.EDUCATION),
        scope=scope,
        lookup=LOOKUP,
        by_child=by_child,
        n=Count("pk"),
    )
    return _one(rows, by_child, "n")


# --- hardship files -------------------------------------------------------------------------------------


def _files_open_during(scope, period: Period):
    """Files open at some time during the period: opened by its end, not out or closed before its start."""
    return (
        HardshipFile.objects.filter(member__union__path__startswith=scope.path, opened_on__lte=period.end)
        .exclude(exited_on__lt=period.start)
        .exclude(closed_on__lt=period.start)
    )


def _exited(period: Period) -> Q:
    return Q(status=FileStatus.OUT, exited_on__gte=period.start, exited_on__lte=period.end)


def files_open(*, scope, period: Period, by_child: bool = False):
    """Hardship files open at some time during the period."""
    rows = tally(
        _files_open_during(scope, period), scope=scope, lookup=LOOKUP, by_child=by_child, n=Count("pk")
    )
    return _one(rows, by_child, "n")


def files_exited(*, scope, period: Period, by_child: bool = False):
    """Families out of hardship (解困脱困) in the period."""
    rows = tally(
        _files_open_during(scope, period),
        scope=scope,
        lookup=LOOKUP,
        by_child=by_child,
        n=Count("pk", filter=_exited(period)),
    )
    return _one(rows, by_child, "n")


def exit_rate(*, scope, period: Period, by_child: bool = False):
    """Files out of hardship in the period over the files open at some time during it."""
    rows = tally(
        _files_open_during(scope, period),
        scope=scope,
        lookup=LOOKUP,
        by_child=by_child,
        open=Count("pk"),
        out=Count("pk", filter=_exited(period)),
    )
    if by_child:
        return {path: rate(row["out"], row["open"]) for path, row in rows.items()}
    return rate(rows["out"], rows["open"])


def active_files_by_level(*, scope, period: Period) -> dict[str, int]:
    """Files still in hardship at the end of the period, by hardship level."""
    active = (
        HardshipFile.objects.filter(member__union__path__startswith=scope.path, opened_on__lte=period.end)
        .exclude(exited_on__lte=period.end)
        .exclude(closed_on__lte=period.end)
    )
    return _by(active, "level", HardshipLevel.choices)


def households_visited(*, scope, period: Period, by_child: bool = False):
    """Hardship households visited (走访慰问) in the period."""
    rows = tally(
        Visit.objects.filter(
            file__member__union__path__startswith=scope.path,
            visited_on__gte=period.start,
            visited_on__lte=period.end,
        ),
        scope=scope,
        lookup="file__member__union__path",
        by_child=by_child,
        n=Count("file", distinct=True),
    )
    return _one(rows, by_child, "n")


FIGURES = [
    Figure(key="aid.applications", label=_("Aid applications received"), compute=applications, by_child=True,
           permission=PERMISSION),
    Figure(key="aid.applications_by_kind", label=_("Aid applications by kind of aid"), compute=applications_by_kind,
           breakdown=AidKind.choices, permission=PERMISSION),
    Figure(key="aid.applications_by_state", label=_("Aid applications by state"), compute=applications_by_state,
           breakdown=State.choices, permission=PERMISSION,
           help_text=_("Applications received in the period, by the state they are in now.")),
    Figure(key="aid.money_paid", label=_("Aid paid"), compute=money_paid, unit="money", by_child=True,
           permission=PERMISSION),
    Figure(key="aid.money_by_kind", label=_("Aid paid by kind of aid"), compute=money_by_kind, unit="money",
           breakdown=AidKind.choices, permission=PERMISSION),
    Figure(key="aid.money_by_month", label=_("Aid paid per month"), compute=money_by_month, unit="money",
           by_month=True, permission=PERMISSION),
    Figure(key="aid.households_helped", label=_("Households helped"), compute=households_helped, by_child=True,
           permission=PERMISSION, help_text=_("Members paid at least once in the period.")),
    Figure(key="aid.students_helped", label=_("Students helped"), compute=students_helped, by_child=True,
           permission=PERMISSION, help_text=_("Students paid education aid in the period.")),
    Figure(key="aid.files_open", label=_("Hardship files"), compute=files_open, by_child=True,
           permission=PERMISSION, help_text=_("Hardship files open at some time during the period.")),
    Figure(key="aid.files_exited", label=_("Families out of hardship"), compute=files_exited, by_child=True,
           permission=PERMISSION),
    Figure(key="aid.exit_rate", label=_("Exit rate from hardship"), compute=exit_rate, unit="rate", by_child=True,
           permission=PERMISSION, help_text=_("Families out of hardship over the files open during the period.")),
    Figure(key="aid.active_files_by_level", label=_("Families in hardship by level"),
           compute=active_files_by_level, breakdown=HardshipLevel.choices, permission=PERMISSION,
           help_text=_("Files still in hardship at the end of the period.")),
    Figure(key="aid.households_visited", label=_("Households visited"), compute=households_visited, by_child=True,
           permission=PERMISSION),
]  # fmt: skip

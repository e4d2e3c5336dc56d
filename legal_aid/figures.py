"""The figures of legal aid: consultations by topic and channel, cases by stage, the mediation
success rate, amounts recovered, shifts covered against planned; each one grouped query over a
subtree and a period, the scalar ones split by child node (per town) in that same query.

Consultations count on the day they were asked, cases when they were opened (stages: as they are
now), amounts recovered when the case was closed, shifts on the day they start.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from union_portal.core.figures import Figure, Period, rate, tally, yuan

from .models import CaseStep, Channel, Consultation, DisputeCase, Shift, ShiftStatus, Stage, Topic

PERMISSION = "legal_aid.view_legal_figures"
ZERO = Decimal("0.00")


def _one(rows: dict, by_child: bool, name: str, convert=None):
    convert = convert or (lambda value: value)
    if by_child:
        return {path: convert(row[name]) for path, row in rows.items()}
    return convert(rows[name])


def _consultations(scope, period: Period):
    return Consultation.objects.filter(
        organisation__path__startswith=scope.path,
        asked_at__date__gte=period.start,
        asked_at__date__lte=period.end,
    )


def consultations(*, scope, period: Period, by_child: bool = False):
    rows = tally(
        _consultations(scope, period),
        scope=scope,
        lookup="organisation__path",
        by_child=by_child,
        n=Count("pk"),
    )
    return _one(rows, by_child, "n")


def consultations_by_topic(*, scope, period: Period) -> dict[str, int]:
    found = dict(_consultations(scope, period).values_list("topic").annotate(n=Count("pk")).order_by("topic"))
    return {code: found.get(code, 0) for code, _label in Topic.choices}


def consultations_by_channel(*, scope, period: Period) -> dict[str, int]:
    found = dict(
        _consultations(scope, period).values_list("channel").annotate(n=Count("pk")).order_by("channel")
    )
    return {code: found.get(code, 0) for code, _label in Channel.choices}


def _opened(scope, period: Period):
    return DisputeCase.objects.filter(
        organisation__path__startswith=scope.path,
        opened_at__date__gte=period.start,
        opened_at__date__lte=period.end,
    )


def cases_by_stage(*, scope, period: Period) -> dict[str, int]:
    """Cases opened in the period, by the stage they are at now."""
    found = dict(_opened(scope, period).values_list("stage").annotate(n=Count("pk")).order_by("stage"))
    return {code: found.get(code, 0) for code, _label in Stage.choices}


def _closed(scope, period: Period):
    return DisputeCase.objects.filter(
        organisation__path__startswith=scope.path,
        stage=Stage.CLOSED,
        closed_at__date__gte=period.start,
        closed_at__date__lte=period.end,
    )


def amount_recovered(*, scope, period: Period, by_child: bool = False):
    rows = tally(
        _closed(scope, period),
        scope=scope,
        lookup="organisation__path",
        by_child=by_child,
        v=Coalesce(
            Sum("amount_recovered"), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
        ),
    )
    return _one(rows, by_child, "v", yuan)


def amount_recovered_by_month(*, scope, period: Period) -> dict[str, Decimal]:
    rows = (
        _closed(scope, period)
        .annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(v=Sum("amount_recovered"))
        .order_by("month")
    )
    found = {row["month"].strftime("%Y-%m"): row["v"] for row in rows}
    return {month: yuan(found.get(month)) for month in period.months()}


def disputes_mediated(*, scope, period: Period, by_child: bool = False):
    """Labour disputes settled by mediation (调解成功) in the period: cases that reached the mediated
    stage on a day of the period, each once."""
    rows = tally(
        CaseStep.objects.filter(
            case__organisation__path__startswith=scope.path,
            to_stage=Stage.MEDIATED,
            at__date__gte=period.start,
            at__date__lte=period.end,
        ),
        scope=scope,
        lookup="case__organisation__path",
        by_child=by_child,
        n=Count("case", distinct=True),
    )
    return _one(rows, by_child, "n")


def mediation_success_rate(*, scope, period: Period, by_child: bool = False):
    """Of the cases whose mediation ended in the period (closed in the period after mediation), the
    share that ended in a mediation agreement. One query: cases that reached a mediation result."""
    mediated = Q(steps__to_stage=Stage.MEDIATED)
    failed = Q(steps__to_stage=Stage.MEDIATION_FAILED)
    queryset = DisputeCase.objects.filter(
        organisation__path__startswith=scope.path,
        steps__to_stage__in=[Stage.MEDIATED, Stage.MEDIATION_FAILED],
        steps__at__date__gte=period.start,
        steps__at__date__lte=period.end,
    )
    rows = tally(
        queryset, scope=scope, lookup="organisation__path", by_child=by_child,
        ok=Count("pk", filter=mediated, distinct=True), ko=Count("pk", filter=failed, distinct=True),
    )  # fmt: skip
    if by_child:
        return {path: rate(row["ok"], row["ok"] + row["ko"]) for path, row in rows.items()}
    return rate(rows["ok"], rows["ok"] + rows["ko"])


def _shifts(scope, period: Period):
    return Shift.objects.filter(
        station__organisation__path__startswith=scope.path,
        start__date__gte=period.start,
        start__date__lte=period.end,
        replaces__isnull=True,
    )


def shift_coverage(*, scope, period: Period, by_child: bool = False):
    """Shifts covered (a lawyer sat: not absent, or absent and covered) over shifts planned."""
    covered = ~Q(status=ShiftStatus.ABSENT) & Q(lawyer__isnull=False) | Q(
        status=ShiftStatus.ABSENT, covers__isnull=False
    )
    rows = tally(
        _shifts(scope, period), scope=scope, lookup="station__organisation__path", by_child=by_child,
        planned=Count("pk", distinct=True), covered=Count("pk", filter=covered, distinct=True),
    )  # fmt: skip
    if by_child:
        return {path: rate(row["covered"], row["planned"]) for path, row in rows.items()}
    return rate(rows["covered"], rows["planned"])


FIGURES = [
    Figure(key="legal.consultations", label=_("Legal consultations"), compute=consultations, by_child=True,
           permission=PERMISSION),
    Figure(key="legal.consultations_by_topic", label=_("Consultations by topic"), compute=consultations_by_topic,
           breakdown=Topic.choices, permission=PERMISSION),
    Figure(key="legal.consultations_by_channel", label=_("Consultations by channel"),
           compute=consultations_by_channel, breakdown=Channel.choices, permission=PERMISSION),
    Figure(key="legal.cases_by_stage", label=_("Labour-dispute cases by stage"), compute=cases_by_stage,
           breakdown=Stage.choices, permission=PERMISSION),
    Figure(key="legal.disputes_mediated", label=_("Labour disputes mediated"), compute=disputes_mediated,
           by_child=True, permission=PERMISSION, help_text=_("Cases settled by mediation in the period.")),
    Figure(key="legal.mediation_success_rate", label=_("Mediation success rate"), compute=mediation_success_rate,
           unit="rate", by_child=True, permission=PERMISSION),
    Figure(key="legal.amount_recovered", label=_("Amounts recovered for workers"), compute=amount_recovered,
           unit="money", by_child=True, permission=PERMISSION),
    Figure(key="legal.amount_recovered_by_month", label=_("Amounts recovered per month"),
           compute=amount_recovered_by_month, unit="money", by_month=True, permission=PERMISSION),
    Figure(key="legal.shift_coverage", label=_("Duty shifts covered of those planned"), compute=shift_coverage,
           unit="rate", by_child=True, permission=PERMISSION),
]  # fmt: skip

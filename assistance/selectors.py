"""Reads of hardship aid shared by the admin, the portal, the API and the reports.

Each list holds its query shape (``select_related``) and its scope (``visible_to``) here, so that a
page costs the same number of queries whatever its length, and a scope fix happens once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from union_portal.organisations.models import Organisation, OrganisationKind

from .models import (
    ZERO,
    AidApplication,
    AidKind,
    AidStep,
    Campaign,
    FileStatus,
    HardshipFile,
    Payment,
)


def application_list(*, viewer):
    return AidApplication.objects.visible_to(viewer).select_related("member__union", "campaign", "filed_by")


def application_timeline(application: AidApplication):
    return AidStep.objects.filter(application=application).select_related("by").order_by("at", "pk")


def file_list(*, viewer):
    return HardshipFile.objects.visible_to(viewer).select_related("member__union", "centre")


def open_campaigns(*, day: dt.date | None = None, kind: str | None = None):
    """Campaigns taking applications today: a public list, the same for every member."""
    campaigns = Campaign.objects.open_on(day or timezone.localdate())
    return campaigns.filter(kind=kind) if kind else campaigns


def campaign_payments(*, campaign: Campaign, viewer):
    return (
        Payment.objects.visible_to(viewer)
        .filter(campaign=campaign)
        .select_related("member__union", "application")
        .order_by("member__union__path", "pk")
    )


# --- figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AidFigures:
    """What the reports need of hardship aid in a period."""

    date_from: dt.date
    date_to: dt.date
    households_helped: int
    students_helped: int
    money_total: Decimal
    money_by_kind: dict[str, Decimal] = field(default_factory=dict)
    money_by_town: dict[str, Decimal] = field(default_factory=dict)
    money_by_month: dict[str, Decimal] = field(default_factory=dict)
    files_open: int = 0
    files_exited: int = 0

    @property
    def exit_rate(self) -> float | None:
        """Files closed as out of hardship over the files open at some time during the period."""
        return round(self.files_exited / self.files_open, 4) if self.files_open else None


def _scope_path(viewer) -> str | None:
    """The subtree the figures cover: the viewer's node, or everything for a partner without one."""
    org = getattr(viewer, "organisation", None)
    return org.path if org is not None else None


def aid_figures(*, viewer, date_from: dt.date, date_to: dt.date) -> AidFigures:
    """Households helped, money by kind, town and month, exit rate, students helped (paid in the period)."""
    path = _scope_path(viewer)
    payments = Payment.objects.filter(paid_on__gte=date_from, paid_on__lte=date_to)
    files = HardshipFile.objects.all()
    if path:
        payments = payments.filter(member__union__path__startswith=path)
        files = files.filter(member__union__path__startswith=path)

    totals = payments.aggregate(
        total=Sum("amount"),
        households=Count("member", distinct=True),
        students=Count("pk", filter=Q(application__kind=AidKind.EDUCATION)),
    )
    by_kind = {
        row["application__kind"]: row["money"]
        for row in payments.values("application__kind")
        .annotate(money=Sum("amount"))
        .order_by("application__kind")
    }
    by_month = {
        row["month"].strftime("%Y-%m"): row["money"]
        for row in payments.annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(money=Sum("amount"))
        .order_by("month")
    }
    towns = {
        t.path: t.name
        for t in Organisation.objects.filter(
            kind__in=[OrganisationKind.TOWN, OrganisationKind.INDUSTRY], depth=2
        )
    }
    by_town: dict[str, Decimal] = {}
    steplen = Organisation.steplen
    for row in payments.values("member__union__path").annotate(money=Sum("amount")).order_by():
        town = towns.get(row["member__union__path"][: 2 * steplen], "—")
        by_town[town] = by_town.get(town, ZERO) + row["money"]

    open_during = (
        files.filter(opened_on__lte=date_to).exclude(exited_on__lt=date_from).exclude(closed_on__lt=date_from)
    )
    counts = open_during.aggregate(
        open=Count("pk"),
        exited=Count("pk", filter=Q(status=FileStatus.OUT, exited_on__gte=date_from, exited_on__lte=date_to)),
    )
    return AidFigures(
        date_from=date_from,
        date_to=date_to,
        households_helped=totals["households"] or 0,
        students_helped=totals["students"] or 0,
        money_total=totals["total"] or ZERO,
        money_by_kind=by_kind,
        money_by_town=dict(sorted(by_town.items())),
        money_by_month=by_month,
        files_open=counts["open"] or 0,
        files_exited=counts["exited"] or 0,
    )

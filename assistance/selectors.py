"""Reads of hardship aid shared by the admin, the portal, the API and the reports.

Each list holds its query shape (``select_related``) and its scope (``visible_to``) here, so that a
page costs the same number of queries whatever its length, and a scope fix happens once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from union_portal.core.figures import Period, figure
from union_portal.organisations.models import Organisation

from .models import (
    ZERO,
    AidApplication,
    AidStep,
    Campaign,
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
    """What the API's aid figures endpoint gives of hardship aid in a period (read from the figures
    registry, ``assistance/figures.py``: the same numbers as the dashboard and the reports)."""

    organisation: Organisation
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
    exit_rate: float | None = None


def aid_figures(*, scope: Organisation, date_from: dt.date, date_to: dt.date) -> AidFigures:
    """The aid figures of the subtree of ``scope`` (the caller checks that they may see it, see
    ``union_portal.core.figures.figures_scope``). ``money_by_town`` is split by the nodes directly
    below ``scope`` (the towns, for the district), by name; money held at ``scope`` itself is "—"."""
    period = Period(date_from, date_to)

    def value(key):
        return figure(key).value(scope=scope, period=period)

    by_child = figure("aid.money_paid").value_by_child(scope=scope, period=period)
    names = dict(Organisation.objects.filter(path__in=list(by_child)).values_list("path", "name"))
    by_town: dict[str, Decimal] = {}
    for path, money in by_child.items():
        name = "—" if path == scope.path else names.get(path, "—")
        by_town[name] = by_town.get(name, ZERO) + money
    return AidFigures(
        organisation=scope,
        date_from=date_from,
        date_to=date_to,
        households_helped=value("aid.households_helped"),
        students_helped=value("aid.students_helped"),
        money_total=value("aid.money_paid"),
        money_by_kind=value("aid.money_by_kind"),
        money_by_town=dict(sorted(by_town.items())),
        money_by_month=value("aid.money_by_month"),
        files_open=value("aid.files_open"),
        files_exited=value("aid.files_exited"),
        exit_rate=value("aid.exit_rate"),
    )

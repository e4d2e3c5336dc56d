"""The figures of membership the federation is judged by: members, new members, who left and why,
migrant workers, and coverage (建会率, the share of enterprises with a union; 入会率, the share of
workers who are members). Each is one grouped query over a subtree (``scope``) and a ``Period``;
each can be split by child node (``by_child=True``) in that same query.

Membership counts at the end of the period: a member counts from the day they joined until the day
their membership ended (lapse, withdrawal, death), in the union they belong to now (a transfer
moves their history with them, as the member's page shows it).

Coverage is read as the tree is today, at the period's end: an enterprise is in the subtree when
its town or one of its unions is; it has a union when an active grassroots union of it was
established by the end of the period (or has no date); its headcount is the latest one recorded.
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from union_portal.core.figures import Figure, Period, child_path, rate, tally
from union_portal.organisations.models import Enterprise, Organisation, OrganisationKind

from .models import Channel, Member, MemberStatus

PERMISSION = "members.view_member"

ENDED = [
    (MemberStatus.LAPSED.value, MemberStatus.LAPSED.label),
    (MemberStatus.WITHDRAWN.value, MemberStatus.WITHDRAWN.label),
    (MemberStatus.DECEASED.value, MemberStatus.DECEASED.label),
]


def _members(scope) -> object:
    return Member.objects.filter(union__path__startswith=scope.path)


def member_on(day) -> Q:
    """Members on ``day``: joined by then and not ended by then."""
    return Q(join_date__lte=day) & (
        Q(status=MemberStatus.ACTIVE) | Q(status__in=MemberStatus.ENDED, ended_on__gt=day)
    )


def _joined(period: Period) -> Q:
    return Q(join_date__gte=period.start, join_date__lte=period.end) & ~Q(
        status__in=(MemberStatus.PENDING, MemberStatus.REJECTED)
    )


def _count(queryset, scope, by_child, condition: Q | None = None):
    counted = tally(
        queryset,
        scope=scope,
        lookup="union__path",
        by_child=by_child,
        n=Count("pk", filter=condition) if condition is not None else Count("pk"),
    )
    if by_child:
        return {path: row["n"] for path, row in counted.items()}
    return counted["n"]


def members(*, scope, period: Period, by_child: bool = False):
    """Members at the end of the period."""
    return _count(_members(scope).filter(member_on(period.end)), scope, by_child)


def new_members(*, scope, period: Period, by_child: bool = False):
    """Members who joined in the period (and are, or were, members: not pending or rejected)."""
    return _count(_members(scope).filter(_joined(period)), scope, by_child)


def migrant_workers(*, scope, period: Period, by_child: bool = False):
    """Migrant workers (农民工) among the members at the end of the period."""
    return _count(_members(scope).filter(member_on(period.end), is_migrant_worker=True), scope, by_child)


def new_migrant_workers(*, scope, period: Period, by_child: bool = False):
    """Migrant workers who joined in the period (the 集中入会 campaigns' target)."""
    return _count(_members(scope).filter(_joined(period), is_migrant_worker=True), scope, by_child)


def _by(queryset, field: str, choices) -> dict[str, int]:
    counts = dict(queryset.values_list(field).annotate(n=Count("pk")).order_by(field))
    return {value: counts.get(value, 0) for value, _label in choices}


def new_members_by_channel(*, scope, period: Period) -> dict[str, int]:
    """How the new members of the period came in: portal, officer, proxy agent, bulk import, partner API."""
    return _by(_members(scope).filter(_joined(period)), "channel", Channel.choices)


def members_left_by_reason(*, scope, period: Period) -> dict[str, int]:
    """Memberships that ended in the period: lapsed, withdrawn, deceased."""
    ended = _members(scope).filter(
        status__in=MemberStatus.ENDED, ended_on__gte=period.start, ended_on__lte=period.end
    )
    return _by(ended, "status", ENDED)


def new_members_by_month(*, scope, period: Period) -> dict[str, int]:
    rows = (
        _members(scope)
        .filter(_joined(period))
        .annotate(month=TruncMonth("join_date"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    found = {row["month"].strftime("%Y-%m"): row["n"] for row in rows}
    return {month: found.get(month, 0) for month in period.months()}


# --- coverage: 建会率 and 入会率 ----------------------------------------------------------------------


def _union_under(scope):
    """The path of an organisation under ``scope`` that belongs to the enterprise (its union), if any."""
    return (
        Organisation.objects.filter(enterprise=OuterRef("pk"), path__startswith=scope.path)
        .order_by("path")
        .values("path")[:1]
    )


def _enterprises(scope):
    """Active enterprises of the subtree, each with ``_at``: where in the tree it is counted (its
    union under ``scope`` when it has one, else its town)."""
    return (
        Enterprise.objects.filter(is_active=True)
        .annotate(_at=Coalesce(Subquery(_union_under(scope)), "town__path"))
        .filter(_at__startswith=scope.path)
    )


def _has_union(period: Period) -> Q:
    unions = Organisation.objects.filter(
        enterprise=OuterRef("pk"), is_active=True, kind=OrganisationKind.GRASSROOTS
    ).filter(Q(established_on__isnull=True) | Q(established_on__lte=period.end))
    return Q(Exists(unions))


def _enterprise_tally(scope, period: Period, by_child: bool) -> dict:
    return tally(
        _enterprises(scope),
        scope=scope,
        lookup="_at",
        by_child=by_child,
        total=Count("pk"),
        unionised=Count("pk", filter=_has_union(period)),
        headcount=Coalesce(Sum("headcount"), Value(0), output_field=IntegerField()),
    )


def _pick(rows: dict, by_child: bool, compute):
    if by_child:
        return {path: compute(row) for path, row in rows.items()}
    return compute(rows)


def enterprises(*, scope, period: Period, by_child: bool = False):
    """Active enterprises and public bodies of the subtree."""
    return _pick(_enterprise_tally(scope, period, by_child), by_child, lambda row: row["total"] or 0)


def unionised_enterprises(*, scope, period: Period, by_child: bool = False):
    """Of them, those with an active grassroots union established by the end of the period."""
    return _pick(_enterprise_tally(scope, period, by_child), by_child, lambda row: row["unionised"] or 0)


def union_rate(*, scope, period: Period, by_child: bool = False):
    """建会率: enterprises with a union over the active enterprises of the subtree."""
    return _pick(
        _enterprise_tally(scope, period, by_child),
        by_child,
        lambda row: rate(row["unionised"] or 0, row["total"] or 0),
    )


def headcount(*, scope, period: Period, by_child: bool = False):
    """Workers of the subtree's active enterprises (their latest recorded headcount)."""
    return _pick(_enterprise_tally(scope, period, by_child), by_child, lambda row: row["headcount"] or 0)


def membership_rate(*, scope, period: Period, by_child: bool = False):
    """入会率: members at the end of the period over the workers of the subtree's enterprises.

    One query: the member count and the headcount are two grouped selects joined by ``UNION ALL``
    (a handful of rows: one per child node), added up here."""
    counted = _members(scope).filter(member_on(period.end))
    workers = _enterprises(scope)
    zero = Value(0, output_field=IntegerField())
    member_key = child_path("union__path", scope) if by_child else Value("*")
    worker_key = child_path("_at", scope) if by_child else Value("*")
    left = counted.annotate(_child=member_key).values("_child").annotate(members=Count("pk"), workers=zero)
    right = (
        workers.annotate(_child=worker_key)
        .values("_child")
        .annotate(members=zero, workers=Coalesce(Sum("headcount"), zero))
    )
    totals: dict[str, list[int]] = {}
    for child, member_count, worker_count in (
        left.order_by().union(right.order_by(), all=True).values_list("_child", "members", "workers")
    ):
        entry = totals.setdefault(child, [0, 0])
        entry[0] += member_count or 0
        entry[1] += worker_count or 0
    if by_child:
        return {child: rate(m, w) for child, (m, w) in totals.items()}
    m, w = totals.get("*", [0, 0])
    return rate(m, w)


FIGURES = [
    Figure(key="members.members", label=_("Members"), compute=members, by_child=True, permission=PERMISSION,
           help_text=_("Members at the end of the period.")),
    Figure(key="members.new_members", label=_("New members"), compute=new_members, by_child=True,
           permission=PERMISSION, help_text=_("Members who joined in the period.")),
    Figure(key="members.new_members_by_month", label=_("New members per month"), compute=new_members_by_month,
           by_month=True, permission=PERMISSION),
    Figure(key="members.new_members_by_channel", label=_("New members by way of joining"),
           compute=new_members_by_channel, breakdown=Channel.choices, permission=PERMISSION),
    Figure(key="members.members_left_by_reason", label=_("Memberships ended, by reason"),
           compute=members_left_by_reason, breakdown=ENDED, permission=PERMISSION),
    Figure(key="members.migrant_workers", label=_("Migrant workers among the members"), compute=migrant_workers,
           by_child=True, permission=PERMISSION, help_text=_("Members at the end of the period who are migrant workers.")),
    Figure(key="members.new_migrant_workers", label=_("Migrant workers who joined"), compute=new_migrant_workers,
           by_child=True, permission=PERMISSION),
    Figure(key="members.enterprises", label=_("Enterprises"), compute=enterprises, by_child=True,
           permission=PERMISSION, help_text=_("Active enterprises and public bodies of the subtree.")),
    Figure(key="members.unionised_enterprises", label=_("Enterprises with a union"), compute=unionised_enterprises,
           by_child=True, permission=PERMISSION),
    Figure(key="members.union_rate", label=_("Share of enterprises with a union"), compute=union_rate, unit="rate",
           by_child=True, permission=PERMISSION, help_text=_("Enterprises with a union over all active enterprises.")),
    Figure(key="members.headcount", label=_("Workers"), compute=headcount, by_child=True, permission=PERMISSION,
           help_text=_("The headcount of the subtree's enterprises.")),
    Figure(key="members.membership_rate", label=_("Share of workers who are members"), compute=membership_rate,
           unit="rate", by_child=True, permission=PERMISSION,
           help_text=_("Members over the workers of the subtree's enterprises.")),
]  # fmt: skip

"""Reads shared by the admin, the API, the portal and the reports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Length, Substr

from union_portal.core.validators import parse_id_number
from union_portal.organisations.models import Organisation

from .models import Member, MemberStatus


def organisation_list(*, viewer):
    """Organisations the viewer may see, each with its parent's id (one correlated subquery on the
    indexed path instead of a ``get_parent()`` query per row)."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organisation.steplen)
    parents = Organisation.objects.filter(path=parent_path).order_by().values("pk")[:1]
    return Organisation.objects.visible_to(viewer).annotate(parent_pk=Subquery(parents))


def member_list(*, viewer):
    """Members the viewer may see, shaped for lists (one query for the page, whatever its length)."""
    return Member.objects.visible_to(viewer).select_related("union", "employer")


def member_search(queryset, term: str):
    """Search by name (characters, pinyin or initials), exact ID number, mobile or card number."""
    from .services import id_number_key

    term = (term or "").strip()
    if not term:
        return queryset
    compact = term.replace(" ", "")
    if len(compact) in (15, 18) and compact[:-1].isdigit():
        try:
            number = parse_id_number(compact).number
        except Exception:  # noqa: BLE001 - a wrong number simply finds nothing
            return queryset.none()
        return queryset.filter(id_number_hash=id_number_key(number))
    if compact.isdigit():
        if len(compact) == 11:
            return queryset.filter(Q(mobile=compact) | Q(card_number=compact))
        return queryset.filter(Q(card_number=compact) | Q(mobile__startswith=compact))
    if compact.isascii():
        lowered = compact.lower()
        return queryset.filter(
            Q(name_initials__startswith=lowered)
            | Q(name_pinyin__startswith=lowered)
            # The common reading of a surname read otherwise (区 ou, also qu). The "not empty" lets
            # PostgreSQL use the partial indexes, which hold only the names that have one.
            | (~Q(name_pinyin_alt="") & Q(name_pinyin_alt__startswith=lowered))
            | (~Q(name_initials_alt="") & Q(name_initials_alt__startswith=lowered))
        )
    if len(compact) == 2 and connections[queryset.db].vendor == "postgresql":
        return queryset.filter(_has_bigram(compact))
    return queryset.filter(name__contains=compact)


#: The PostgreSQL function of migration 0007: the character bigrams of a name, GIN-indexed.
BIGRAMS_FUNCTION = "members_name_bigrams"


def _has_bigram(fragment: str):
    """Names containing the two characters ``fragment``, through the GIN index of their bigrams.

    pg_trgm finds no trigram in a two-character ``LIKE`` pattern and scans the table (8.5× slower at
    a million members than at a thousand, see the benchmark). ``members_name_bigrams(name)`` is an
    expression index, not a column: nothing has to keep it up to date, a bulk import included.
    """
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import F, Func, TextField

    bigrams = Func(F("name"), function=BIGRAMS_FUNCTION, output_field=ArrayField(TextField()))
    contains = bigrams.output_field.get_lookup("contains")  # ``@>``, the operator the GIN index serves
    return contains(bigrams, [fragment])


def current_membership(user):
    """The user's open membership (or latest application), for the portal."""
    if not user.is_authenticated:
        return None
    return (
        Member.objects.filter(user=user)
        .select_related("union", "employer")
        .annotate(closed=Case(When(status__in=MemberStatus.OPEN, then=Value(0)), default=Value(1)))
        .order_by("closed", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Coverage:
    """建会率 and 入会率 of a subtree."""

    enterprises: int
    unionised_enterprises: int
    headcount: int
    members: int

    @property
    def union_rate(self) -> float | None:
        return self.unionised_enterprises / self.enterprises if self.enterprises else None

    @property
    def membership_rate(self) -> float | None:
        return self.members / self.headcount if self.headcount else None


def coverage(*, organisation: Organisation, on=None) -> Coverage:
    """Share of enterprises with a union and of workers who are members, below one node, on a day
    (today by default). Read from the figures registry (``members/figures.py``), so that the admin,
    the API, the dashboard and the reports show the same numbers."""
    from django.utils import timezone

    from union_portal.core.figures import Period, figure

    day = on or timezone.localdate()
    period = Period(day, day)

    def value(key: str) -> int:
        return figure(key).value(scope=organisation, period=period)

    return Coverage(
        enterprises=value("members.enterprises"),
        unionised_enterprises=value("members.unionised_enterprises"),
        headcount=value("members.headcount"),
        members=value("members.members"),
    )


# --- the change feed ---------------------------------------------------------------------------------

FEED_PAGE_MAX = 1000


def encode_feed_cursor(txid: int, seq: int) -> str:
    return f"{txid}.{seq}"


def decode_feed_cursor(cursor: str) -> tuple[int, int] | None:
    """``(txid, seq)`` of the last change a partner read; None for a malformed cursor."""
    txid, _sep, seq = (cursor or "").partition(".")
    if not (txid.isdigit() and seq.isdigit()) or len(cursor) > 40:
        return None
    return int(txid), int(seq)


@dataclass(frozen=True)
class Departure:
    """A tombstone of the change feed: the member left the viewer's area (``reason`` says how)."""

    id: int
    reason: str = "transferred_out"
    removed: bool = True


def member_changes(
    *, viewer, after: tuple[int, int] | None, limit: int
) -> tuple[list, tuple[int, int] | None, bool]:
    """Members the viewer may see that changed after the cursor, in the order of their last change, and
    a :class:`Departure` where a member was transferred out of the viewer's area.

    Returns ``(items, next_cursor, has_more)``. Two queries per page whatever its length: the keyset
    page of changes and departures (one ``UNION ALL`` ordered on ``(txid, seq)``), then the members
    shaped for lists. On PostgreSQL only changes of transactions older than every running transaction
    are read (``txid < xmin`` of the current snapshot): a write still in flight cannot later appear
    behind the cursor. A departure carries the position of the move that made it, so it is read by the
    same rule; the viewers it is for are those of the union the member left who do not see the union the
    member joined.
    """
    from django.db import connection
    from django.db.models import BooleanField, IntegerField
    from django.db.models.expressions import RawSQL

    from union_portal.core.scoping import sees_everything, user_scope_path

    from .models import MemberChange, MemberDeparture

    def after_cursor(queryset):
        if connection.vendor == "postgresql":
            # ... and the reader's own transaction's, which cannot commit behind it (a test's, or a sync job's).
            queryset = queryset.filter(
                Q(txid__lt=RawSQL("txid_snapshot_xmin(txid_current_snapshot())", []))
                | Q(txid=RawSQL("txid_current_if_assigned()", []))
            )
        if after is not None:
            # A row comparison, which the (txid, seq) index starts from: "txid > t OR (txid = t AND
            # seq > s)" made PostgreSQL read every change before the cursor (page 9,000: 100 ms).
            table = connection.ops.quote_name(queryset.model._meta.db_table)
            queryset = queryset.filter(
                RawSQL(f"({table}.txid, {table}.seq) > (%s, %s)", list(after), output_field=BooleanField())  # noqa: S611 - names from model metadata, values as parameters
            )
        return queryset

    visible = Member.objects.visible_to(viewer).values("pk")
    # Each part ordered and cut to the page on its own: PostgreSQL then walks the (txid, seq) index
    # of each and stops after a page (0.5 ms at a million members), where ordering the union as a
    # whole read every change there is (1.3 s). The two parts are merged here.
    changes = (
        after_cursor(MemberChange.objects.filter(member_id__in=visible))
        .annotate(departed=Value(0, output_field=IntegerField()))
        .values_list("member_id", "txid", "seq", "departed")
        .order_by("txid", "seq")[: limit + 1]
    )
    path = user_scope_path(viewer)
    if path and not sees_everything(viewer):
        departures = (
            after_cursor(MemberDeparture.objects.visible_to(viewer).exclude(to_union__path__startswith=path))
            .annotate(departed=Value(1, output_field=IntegerField()))
            .values_list("member_id", "txid", "seq", "departed")
            .order_by("txid", "seq")[: limit + 1]
        )
        if connection.features.supports_slicing_ordering_in_compound:
            changes = changes.union(departures, all=True)
        else:  # SQLite: a part of a UNION cannot be ordered or cut, so each is read on its own
            changes = [*changes, *departures]
    rows = sorted(changes, key=lambda row: (row[1], row[2]))[: limit + 1]
    has_more = len(rows) > limit
    rows = rows[:limit]
    wanted = [row[0] for row in rows if not row[3]]
    by_pk = {m.pk: m for m in member_list(viewer=viewer).filter(pk__in=wanted)} if wanted else {}
    items = [Departure(row[0]) if row[3] else by_pk[row[0]] for row in rows if row[3] or row[0] in by_pk]
    next_cursor = (rows[-1][1], rows[-1][2]) if rows else after
    return items, next_cursor, has_more

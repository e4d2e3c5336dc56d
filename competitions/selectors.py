"""Reads of contests and honours shared by the admin, the portal, the API and the reports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q

from .models import (
    CareRecord,
    Contest,
    ContestStatus,
    Entry,
    Honour,
    HonourStatus,
    Mark,
    MentorPair,
    Nomination,
    NominationRound,
    NominationState,
    RoundStatus,
    ScoreSheet,
    Studio,
)


def contest_list(*, viewer):
    return Contest.objects.visible_to(viewer).select_related("organisation")


def open_contests_for(member, *, day: dt.date):
    """Contests ``member`` may enter today: open, run by a federation above (or at) their union."""
    if member is None:
        return Contest.objects.none()
    from union_portal.organisations.models import Organisation

    path, steplen = member.union.path, Organisation.steplen
    ancestors = [path[:i] for i in range(steplen, len(path) + 1, steplen)]
    return (
        Contest.objects.open_for_entries(day)
        .filter(organisation__path__in=ancestors)
        .select_related("organisation")
        .order_by("registration_closes_on", "pk")
    )


def entry_list(*, viewer):
    return Entry.objects.visible_to(viewer).select_related("contest", "member", "union").order_by("-pk")


def sheet_list(*, viewer):
    return (
        ScoreSheet.objects.visible_to(viewer)
        .select_related("entry__contest", "entry__member", "judge")
        .prefetch_related(Prefetch("marks", queryset=Mark.objects.order_by("criterion_id")))
        .order_by("entry__contest_id", "entry__number", "pk")
    )


def judge_sheets(*, user):
    """The sheets of the judge ``user`` (their own only), open ones first."""
    return (
        sheet_list(viewer=user)
        .filter(judge__user=user)
        .order_by("state", "entry__contest_id", "entry__number")
    )


def nomination_list(*, viewer):
    return Nomination.objects.visible_to(viewer).select_related("round", "title", "union").order_by("-pk")


def round_list(*, viewer):
    return NominationRound.objects.visible_to(viewer).select_related("organisation").order_by("-pk")


def care_list(*, viewer):
    return CareRecord.objects.visible_to(viewer).select_related("honour").order_by("-on", "-pk")


def studio_list(*, viewer):
    return (
        Studio.objects.visible_to(viewer)
        .select_related("organisation")
        .annotate(project_count=Count("projects"))
        .order_by("name", "pk")
    )


def mentor_pair_list(*, viewer):
    return (
        MentorPair.objects.visible_to(viewer)
        .select_related("organisation", "mentor", "apprentice")
        .order_by("-starts_on", "pk")
    )


def honour_list(*, viewer):
    return (
        Honour.objects.visible_to(viewer)
        .select_related("title", "organisation")
        .order_by("-conferred_on", "-pk")
    )


def member_honours(*, user):
    return Honour.objects.filter(member__user=user).held().select_related("title", "organisation")


def public_register():
    """Conferred honours that are held, for the public page (names of people masked by the serializer)."""
    return (
        Honour.objects.filter(status=HonourStatus.ACTIVE)
        .select_related("title", "organisation")
        .order_by("-conferred_on", "-pk")
    )


def public_notice(*, day: dt.date):
    """Shortlisted nominations of rounds whose public notice runs on ``day``."""
    return (
        Nomination.objects.filter(
            round__status=RoundStatus.PUBLICITY,
            round__publicity_starts_on__lte=day,
            round__publicity_ends_on__gte=day,
            state=NominationState.SHORTLISTED,
        )
        .select_related("round", "title", "union")
        .order_by("round_id", "title_id", "pk")
    )


def published_results(contest_id: int):
    """The published results of a contest, best first (names masked in the page)."""
    return (
        Entry.objects.filter(contest_id=contest_id, contest__status=ContestStatus.PUBLISHED)
        .live()
        .filter(Q(rank__isnull=False) | ~Q(grade=""))
        .select_related("member", "union", "contest")
        .order_by("rank", "number")
    )

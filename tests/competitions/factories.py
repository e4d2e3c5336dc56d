"""Contests and honours made through the services, as the application makes them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from competitions import services
from competitions.models import (
    Contest,
    ContestKind,
    EntryKind,
    HolderKind,
    HonourTitle,
    Judge,
    Level,
    NominationRound,
)
from union_portal.accounts.roles import Role

from ..accounts.factories import make_user
from ..members.factories import make_member

SCHEME = [
    {"kind": "theory", "weight": "30", "criteria": [{"name": "安全知识", "max_marks": "100"}]},
    {
        "kind": "practical",
        "weight": "70",
        "criteria": [{"name": "操作规范", "max_marks": "60"}, {"name": "完成质量", "max_marks": "40"}],
    },
]


def make_contest(org, by, *, scheme=SCHEME, status="open", **kwargs) -> Contest:
    """A contest of ``org`` with the scheme above, moved to ``status`` (draft, open or judging)."""
    today = timezone.localdate()
    contest = Contest(
        name=kwargs.pop("name", f"叉车司机职业技能竞赛{Contest.objects.count() + 1}"),
        occupation=kwargs.pop("occupation", "叉车司机"),
        level=kwargs.pop("level", Level.DISTRICT),
        kind=kwargs.pop("kind", ContestKind.SKILLS),
        entry_kind=kwargs.pop("entry_kind", EntryKind.INDIVIDUAL),
        year=today.year,
        organisation=org,
        registration_opens_on=kwargs.pop("registration_opens_on", today - dt.timedelta(days=5)),
        registration_closes_on=kwargs.pop("registration_closes_on", today + dt.timedelta(days=5)),
        **kwargs,
    )
    contest = services.contest_save(contest=contest, by=by)
    services.scheme_set(contest=contest, by=by, parts=scheme)
    if status in ("open", "judging"):
        contest = services.contest_open(contest=contest, by=by)
    if status == "judging":
        contest = services.contest_close_registration(contest=contest, by=by)
    return contest


def make_judge(org, by, *, enterprise=None, name=None, username=None) -> Judge:
    user = make_user(Role.JUDGE, None, username=username or f"judge{Judge.objects.count() + 1}")
    return services.judge_save(
        judge=Judge(
            user=user,
            name=name or f"裁判{Judge.objects.count() + 1}",
            organisation=org,
            enterprise=enterprise,
        ),
        by=by,
    )


def criteria(contest: Contest) -> list:
    from competitions.models import Criterion

    return list(Criterion.objects.filter(part__contest=contest).order_by("part__kind", "order"))


def mark_all(sheet, marks: dict, *, submit=True):
    """``marks`` by criterion name."""
    by_name = {c.name: c.pk for c in criteria(sheet.entry.contest)}
    return services.sheet_mark(
        sheet=sheet, by=sheet.judge.user, marks={by_name[k]: v for k, v in marks.items()}, submit=submit
    )


def make_title(
    org, by, *, name="区劳动模范", holder_kind=HolderKind.PERSON, model_worker=True
) -> HonourTitle:
    return services.title_save(
        title=HonourTitle(
            name=name,
            level=Level.DISTRICT,
            holder_kind=holder_kind,
            organisation=org,
            is_model_worker=model_worker,
        ),
        by=by,
    )


def make_round(org, by, **kwargs) -> NominationRound:
    today = timezone.localdate()
    return services.round_save(
        round_=NominationRound(
            name=kwargs.pop("name", f"{today.year}年度评选"),
            year=today.year,
            organisation=org,
            nominations_close_on=kwargs.pop("nominations_close_on", today + dt.timedelta(days=10)),
            **kwargs,
        ),
        by=by,
    )


__all__ = ["make_member", "make_user"]

"""Scope-walk rules of contests and honours (discovered by ``tests/scope/rules.py``)."""

from __future__ import annotations


def _world(w):
    """Town B's contest and honour records, made once per world through the services."""
    cached = w.__dict__.get("_competitions")
    if cached is not None:
        return cached
    import datetime as dt

    from django.utils import timezone

    from competitions import services
    from competitions.models import MentorPair, NominationRound, ScoreSheet, Studio

    from ..members.factories import make_member
    from .factories import make_contest, make_judge, make_round, make_title

    staff, today = w.people.district_staff, timezone.localdate()
    contest = make_contest(w.tree.town_b, staff, name="乐平秘密焊工竞赛")
    entry = services.entry_register(contest=contest, member=w.victim_member, by=staff)
    judge = make_judge(w.tree.town_b, staff, name="乐平秘密裁判", username="walk-judge-b")
    sheet = services.judge_assign(entry=entry, judge=judge, by=staff)
    title = make_title(w.tree.town_b, staff, name="乐平秘密称号")
    round_ = make_round(w.tree.town_b, staff, name="乐平秘密评选")
    nomination = services.nomination_submit(
        round_=round_,
        title=title,
        union=w.tree.union_b,
        by=staff,
        member=w.victim_member,
        deeds="乐平秘密事迹",
    )
    services.nomination_review(nomination=nomination, by=staff, shortlist=True)
    services.round_start_publicity(round_=round_, by=staff)
    round_ = NominationRound.objects.get(pk=round_.pk)
    objection = services.objection_record(
        nomination=nomination, by=staff, content="乐平秘密异议", received_on=round_.publicity_starts_on
    ) if round_.publicity_starts_on <= today else None  # fmt: skip
    honour = services.honour_record(
        title=title,
        by=staff,
        organisation=w.tree.union_b,
        member=w.victim_member,
        conferred_on=dt.date(2020, 5, 1),
    )
    care = services.care_record(honour=honour, by=staff, kind="visit", on=today, note="乐平秘密慰问")
    studio = services.studio_save(
        studio=Studio(
            name="乐平秘密创新工作室", kind="model_worker", namesake_name="乐平秘密劳模", organisation=w.tree.union_b,
            founded_on=today,
        ),
        by=staff,
    )  # fmt: skip
    apprentice = make_member(w.tree.union_b, name="乐平秘密徒弟")
    pair = services.mentor_pair_save(
        pair=MentorPair(
            organisation=w.tree.union_b, mentor=w.victim_member, apprentice=apprentice, occupation="焊工",
            goals="乐平秘密目标", starts_on=today, ends_on=today + dt.timedelta(days=365),
        ),
        by=staff,
    )  # fmt: skip
    cached = {
        "contest": contest, "entry": entry, "judge": judge, "sheet": ScoreSheet.objects.get(pk=sheet.pk),
        "title": title, "round": round_, "nomination": nomination, "objection": objection, "honour": honour,
        "care": care, "studio": studio, "pair": pair,
    }  # fmt: skip
    w.__dict__["_competitions"] = cached
    return cached


def _objection(w):
    found = _world(w)["objection"]
    if found is not None:
        return found
    from competitions.models import Objection

    # the notice starts on the next working day: record the objection as the service would then
    return Objection.objects.create(
        nomination=_world(w)["nomination"],
        received_on=_world(w)["round"].publicity_starts_on,
        content="乐平秘密异议",
        recorded_by=w.people.district_staff,
    )


def register(rules) -> None:
    from competitions import models as c

    rules.VICTIMS.update({
        c.Contest: lambda w: _world(w)["contest"],
        c.Entry: lambda w: _world(w)["entry"],
        c.Judge: lambda w: _world(w)["judge"],
        c.ScoreSheet: lambda w: _world(w)["sheet"],
        c.HonourTitle: lambda w: _world(w)["title"],
        c.NominationRound: lambda w: _world(w)["round"],
        c.Nomination: lambda w: _world(w)["nomination"],
        c.Objection: _objection,
        c.Honour: lambda w: _world(w)["honour"],
        c.CareRecord: lambda w: _world(w)["care"],
        c.Studio: lambda w: _world(w)["studio"],
        c.MentorPair: lambda w: _world(w)["pair"],
    })  # fmt: skip
    _register_api_and_portal(rules)


# --- fresh victims for the commands (each in the state its command starts from) --------------------------


def _fresh_contest(w, status: str):
    from .factories import make_contest

    return make_contest(w.tree.town_b, w.people.district_staff, name=f"乐平新竞赛{status}", status=status)


def _fresh_entry(w, *, status="open", member=None):
    from competitions import services

    from ..members.factories import make_member

    contest = _fresh_contest(w, "open")
    entry = services.entry_register(
        contest=contest,
        member=member or make_member(w.tree.union_b, name="乐平新选手"),
        by=w.people.district_staff,
    )
    if status == "judging":
        services.contest_close_registration(contest=contest, by=w.people.district_staff)
    return entry


def _fresh_sheet(w, *, submitted: bool):
    from competitions import services
    from competitions.models import Entry

    from .factories import make_contest, mark_all

    staff = w.people.district_staff
    contest = make_contest(w.tree.town_b, staff, name="乐平评分竞赛")
    entry = services.entry_register(contest=contest, member=w.victim_member, by=staff)
    sheet = services.judge_assign(entry=Entry.objects.get(pk=entry.pk), judge=_world(w)["judge"], by=staff)
    services.contest_close_registration(contest=contest, by=staff)
    if submitted:
        mark_all(sheet, {"安全知识": "90", "操作规范": "50", "完成质量": "30"})
    return sheet


def _computed_contest(w, *, computed: bool):
    from competitions import services

    sheet = _fresh_sheet(w, submitted=True)
    contest = sheet.entry.contest
    if computed:
        services.contest_compute_results(contest=contest, by=w.people.district_staff)
    return contest


def _fresh_nomination(w):
    from competitions import services

    from ..members.factories import make_member
    from .factories import make_round

    round_ = make_round(w.tree.town_b, w.people.district_staff, name="乐平新评选")
    return services.nomination_submit(
        round_=round_, title=_world(w)["title"], union=w.tree.union_b, by=w.people.district_staff,
        member=make_member(w.tree.union_b, name="乐平被提名人"), deeds="事迹",
    )  # fmt: skip


def _fresh_project(w):
    """An entry of a town-B innovation contest being judged (to be graded)."""
    from competitions import services

    from ..members.factories import make_member
    from .factories import make_contest

    staff = w.people.district_staff
    scheme = [{"kind": "project", "weight": "100", "criteria": [{"name": "创新性", "max_marks": "100"}]}]
    contest = make_contest(w.tree.town_b, staff, name="乐平创新竞赛", kind="innovation", scheme=scheme)
    entry = services.entry_register(
        contest=contest,
        member=make_member(w.tree.union_b, name="乐平创新者"),
        by=staff,
        project_title="节能改造",
    )
    services.contest_close_registration(contest=contest, by=staff)
    return entry


def _fresh_round(w, *, publicity: bool):
    """A town-B round with one shortlisted nomination; with ``publicity`` its notice ran in the past."""
    from competitions import services
    from competitions.models import NominationRound

    staff = w.people.district_staff
    nomination = _fresh_nomination(w)
    services.nomination_review(nomination=nomination, by=staff, shortlist=True)
    round_ = nomination.round
    if publicity:
        services.round_start_publicity(round_=round_, by=staff)
        import datetime as dt

        NominationRound.objects.filter(pk=round_.pk).update(
            publicity_starts_on=dt.date(2025, 9, 1), publicity_ends_on=dt.date(2025, 9, 5)
        )
    return NominationRound.objects.get(pk=round_.pk)


def _fresh_pair(w):
    """A town-B mentor pair under way (to be concluded)."""
    import datetime as dt

    from competitions import services
    from competitions.models import MentorPair

    from ..members.factories import make_member

    return services.mentor_pair_save(
        pair=MentorPair(
            organisation=w.tree.union_b, mentor=make_member(w.tree.union_b, name="乐平新师傅"),
            apprentice=make_member(w.tree.union_b, name="乐平新徒弟"), occupation="焊工", goals="目标",
            starts_on=_today(), ends_on=_today() + dt.timedelta(days=365),
        ),
        by=w.people.district_staff,
    )  # fmt: skip


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _fresh_noticed(w):
    """A shortlisted town-B nomination whose public notice runs today (a weekend moves the start, so the
    window is set around today)."""
    import datetime as dt

    from competitions.models import NominationRound

    round_ = _fresh_round(w, publicity=True)
    NominationRound.objects.filter(pk=round_.pk).update(
        publicity_starts_on=_today() - dt.timedelta(days=1), publicity_ends_on=_today() + dt.timedelta(days=3)
    )
    return round_.nominations.get()


def _register_api_and_portal(rules) -> None:
    from competitions import models as c

    rules.PORTAL_URLS.update({
        "contests:home": ("own", "the viewer's own entries and honours, and contests open to them"),
        "contests:enter": (c.Contest, "pk"),
        "contests:results": (c.Contest, "pk"),
        "contests:entry": (c.Entry, "pk"),
        "contests:judge_home": ("own", "the judge's own sheets"),
        "contests:sheet": (c.ScoreSheet, "pk"),
        "contests:honours": ("public", "the register of conferred honours, names of people masked"),
        "contests:notice": ("public", "the shortlists under public notice, names of people masked"),
        "contests:object": (c.Nomination, "pk"),
    })  # fmt: skip
    rules.API_COMMAND_URLS.update({
        "v1:honour-public-register": "public register of conferred honours, names of people masked",
        "v1:honour-public-notice": "public notice (公示) of shortlists, names of people masked",
        "v1:honour-public-notice-object": "anyone signed in objects to a nomination under public notice "
        "(public by design; the objection is kept with the account)",
    })  # fmt: skip
    rules.COMMANDS.update({
        "v1:contest-open": lambda w: {},
        "v1:contest-judge": lambda w: {},
        "v1:contest-compute": lambda w: {},
        "v1:contest-publish": lambda w: {},
        "v1:contest-entry-list": lambda w: {"contest": _world(w)["contest"].pk, "member": w.victim_member.pk},
        "v1:contest-entry-assign": lambda w: {"judge": _world(w)["judge"].pk},
        "v1:contest-entry-withdraw": lambda w: {"note": "撤回"},
        "v1:contest-entry-disqualify": lambda w: {"reason": "违规"},
        "v1:contest-sheet-mark": lambda w: {"marks": {}, "submit": False},
        "v1:contest-sheet-reopen": lambda w: {"reason": "复核"},
        "v1:honour-nomination-review": lambda w: {"shortlist": True},
        "v1:honour-nomination-object": lambda w: {"content": "异议", "received_on": str(_today())},
        "v1:honour-objection-resolve": lambda w: {"upheld": False, "resolution": "不成立"},
        "v1:contest-entry-grade": lambda w: {"grade": "second"},
        "v1:honour-nomination-list": lambda w: {
            "round": _world(w)["round"].pk, "title": _world(w)["title"].pk, "union": w.tree.union_b.pk,
            "member": w.victim_member.pk, "deeds": "乐平事迹",
        },
        "v1:honour-nomination-withdraw": lambda w: {"note": "撤回"},
        "v1:honour-round-publicity": lambda w: {},
        "v1:honour-round-conclude": lambda w: {},
        "v1:honour-care-list": lambda w: {"honour": _world(w)["honour"].pk, "kind": "visit", "on": "2026-01-05"},
        "v1:contest-list": lambda w: {
            "name": "越权竞赛", "occupation": "焊工", "year": 2026, "organisation": w.tree.town_b.pk,
            "registration_opens_on": "2026-01-05", "registration_closes_on": "2026-02-05",
        },
        "v1:contest-judge-list": lambda w: {
            "user": w.people.town_b_staff.pk, "name": "越权裁判", "organisation": w.tree.town_b.pk,
        },
        "v1:honour-title-list": lambda w: {
            "name": "越权称号", "level": "district", "holder_kind": "person", "organisation": w.tree.town_b.pk,
        },
        "v1:honour-studio-list": lambda w: {
            "name": "越权工作室", "kind": "model_worker", "namesake_name": "某劳模", "organisation": w.tree.union_b.pk,
            "founded_on": "2026-01-05",
        },
        "v1:honour-mentor-pair-list": lambda w: {
            "organisation": w.tree.union_b.pk, "mentor": w.victim_member.pk,
            "apprentice": _world(w)["pair"].apprentice_id, "occupation": "焊工", "goals": "越权目标",
            "starts_on": "2026-01-05", "ends_on": "2026-12-31",
        },
        "v1:honour-mentor-pair-conclude": lambda w: {"outcome": "已出师"},
    })  # fmt: skip
    rules.COMMAND_VICTIMS.update({
        "v1:contest-open": lambda w: _fresh_contest(w, "draft"),
        "v1:contest-judge": lambda w: _fresh_contest(w, "open"),
        "v1:contest-compute": lambda w: _computed_contest(w, computed=False),
        "v1:contest-publish": lambda w: _computed_contest(w, computed=True),
        "v1:contest-entry-assign": lambda w: _fresh_entry(w),
        "v1:contest-entry-withdraw": lambda w: _fresh_entry(w, member=w.victim_member),
        "v1:contest-entry-disqualify": lambda w: _fresh_entry(w),
        "v1:contest-sheet-mark": lambda w: _fresh_sheet(w, submitted=False),
        "v1:contest-sheet-reopen": lambda w: _fresh_sheet(w, submitted=True),
        "v1:honour-nomination-review": _fresh_nomination,
        "v1:honour-nomination-withdraw": _fresh_nomination,
        "v1:honour-nomination-object": _fresh_noticed,
        "v1:contest-entry-grade": _fresh_project,
        "v1:honour-round-publicity": lambda w: _fresh_round(w, publicity=False),
        "v1:honour-round-conclude": lambda w: _fresh_round(w, publicity=True),
        "v1:honour-mentor-pair-conclude": _fresh_pair,
    })  # fmt: skip
    rules.COMMAND_ACTORS.update({
        "v1:contest-entry-withdraw": lambda w: w.victim_user,
        "v1:contest-sheet-mark": lambda w: _world(w)["judge"].user,
    })  # fmt: skip

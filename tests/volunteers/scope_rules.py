"""Scope-walk rules of volunteer service (discovered by ``tests/scope/rules.py``)."""

from __future__ import annotations


def _vol(w):
    """Town B's volunteer records, made once per world through the services."""
    cached = w.__dict__.get("_vol")
    if cached is not None:
        return cached
    import datetime as dt

    from django.utils import timezone

    from volunteers import services
    from volunteers.models import Activity, HonourRecommendation, StarLevelEvent, Team, TrainingSession

    staff = w.people.district_staff
    team = Team.objects.create(name="乐平秘密志愿队", kind="area", organisation=w.tree.town_b)
    volunteer = services.volunteer_register(member=w.victim_member, by=w.victim_user)
    services.team_join(team=team, volunteer=volunteer, by=staff)
    now = timezone.now()
    activity = services.activity_save(
        activity=Activity(
            team=team, title="乐平秘密巡河", category="patrol", place="乐平秘密河段", starts_at=now + dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=1, hours=3), capacity=5, signup_opens_at=now - dt.timedelta(hours=1),
            signup_closes_at=now + dt.timedelta(days=1),
        ),
        by=staff,
    )  # fmt: skip
    activity = services.activity_publish(activity=activity, by=staff)
    signup = services.signup_create(activity=activity, volunteer=volunteer, by=w.victim_user)
    past = services.activity_save(
        activity=Activity(
            team=team, title="乐平秘密往期活动", category="care", place="乐平秘密敬老院", starts_at=now + dt.timedelta(days=2),
            ends_at=now + dt.timedelta(days=2, hours=4), capacity=5, signup_opens_at=now - dt.timedelta(hours=1),
            signup_closes_at=now + dt.timedelta(days=2),
        ),
        by=staff,
    )  # fmt: skip
    start = now - dt.timedelta(days=3)
    Activity.objects.filter(pk=past.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=4), signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start, status="finished",
    )  # fmt: skip
    past.refresh_from_db()
    record = services.record_enter(
        activity=past,
        volunteer=volunteer,
        by=staff,
        started_at=past.starts_at,
        ended_at=past.ends_at,
        note="补录",
    )
    session = TrainingSession.objects.create(team=team, title="乐平秘密培训", held_on=timezone.localdate())
    star = StarLevelEvent.objects.create(volunteer=volunteer, level=1, change="reached", hours=100)
    recommendation = HonourRecommendation.objects.create(
        volunteer=volunteer, year=now.year, hours=4, rank=1, reason="乐平秘密推荐", recommended_by=staff
    )
    cached = {
        "team": team, "volunteer": volunteer, "activity": activity, "signup": signup, "record": record,
        "session": session, "star": star, "past": past, "recommendation": recommendation,
    }  # fmt: skip
    w.__dict__["_vol"] = cached
    return cached


def _fresh_record(w):
    """A new pending record of town B's volunteer at a new past activity (so a verify can succeed)."""
    import datetime as dt

    from django.utils import timezone

    from volunteers import services
    from volunteers.models import Activity

    v = _vol(w)
    n = w.__dict__["_vol_n"] = w.__dict__.get("_vol_n", 0) + 1
    staff, now = w.people.district_staff, timezone.now()
    activity = services.activity_save(
        activity=Activity(
            team=v["team"], title=f"乐平秘密活动{n}", category="care", place="乐平", starts_at=now + dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=1, hours=2), capacity=5,
        ),
        by=staff,
    )  # fmt: skip
    start = now - dt.timedelta(days=10 + n)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=2), signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start,
    )  # fmt: skip
    activity.refresh_from_db()
    return services.record_enter(
        activity=activity, volunteer=v["volunteer"], by=staff, started_at=activity.starts_at,
        ended_at=activity.ends_at, note="补录",
    )  # fmt: skip


def register(rules) -> None:
    from volunteers import models as v

    rules.VICTIMS.update({
        v.Team: lambda w: _vol(w)["team"],
        v.Volunteer: lambda w: _vol(w)["volunteer"],
        v.Activity: lambda w: _vol(w)["activity"],
        v.Signup: lambda w: _vol(w)["signup"],
        v.ServiceRecord: lambda w: _vol(w)["record"],
        v.StarLevelEvent: lambda w: _vol(w)["star"],
        v.TrainingSession: lambda w: _vol(w)["session"],
        v.HonourRecommendation: lambda w: _vol(w)["recommendation"],
    })  # fmt: skip
    rules.COMMANDS.update({
        "v1:volunteer-signup-cancel": lambda w: {},
        "v1:volunteer-record-verify": lambda w: {},
        "v1:volunteer-record-reject": lambda w: {"reason": "未到场"},
    })  # fmt: skip
    rules.COMMAND_VICTIMS.update({
        "v1:volunteer-record-verify": _fresh_record,
        "v1:volunteer-record-reject": _fresh_record,
    })  # fmt: skip
    rules.API_COMMAND_URLS.update({
        "v1:volunteer-open-activities": "public list of activities taking sign-ups: no personal data",
        "v1:volunteer-signup-self": "the caller signs themselves up for a public activity",
    })  # fmt: skip
    rules.PORTAL_URLS.update({
        "volunteers:home": ("public", "open activities for everyone, and the viewer's own sign-ups"),
        "volunteers:register": ("own", "the viewer registers themselves"),
        "volunteers:join": ("own", "a person who is not a member registers themselves"),
        "volunteers:ranking": ("public", "the honour roll: masked names, organisations and verified hours"),
        "volunteers:activity": ("public", "an activity taking sign-ups is public; a draft is a 404"),
        "volunteers:signup": ("own", "signs the viewer themselves up (POST only)"),
        "volunteers:cancel": (v.Signup, "pk"),
        "volunteers:scan": ("own", "checks the viewer themselves in or out"),
        "volunteers:scan_code": ("own", "checks the viewer themselves in or out with a signed code"),
        "volunteers:my_hours": ("own", "the viewer's own hours"),
        "volunteers:certificate": ("own", "the viewer's own certificate"),
        "volunteers:lead_home": ("own", "the activities of the teams the viewer leads"),
        "volunteers:lead_activity": (v.Activity, "pk"),
        "volunteers:lead_new": ("own", "a new activity of a team the viewer leads (the team list is theirs)"),
        "volunteers:lead_edit": (v.Activity, "pk"),
        "volunteers:lead_publish": (v.Activity, "pk"),
        "volunteers:lead_cancel": (v.Activity, "pk"),
        "volunteers:lead_code": (v.Activity, "pk"),
        "volunteers:lead_verify": (v.ServiceRecord, "pk"),
        "volunteers:lead_reject": (v.ServiceRecord, "pk"),
        "volunteers:lead_correct": (v.ServiceRecord, "pk"),
    })  # fmt: skip
    rules.PORTAL_ARGS.update({
        "volunteers:activity": {"pk": lambda w: _vol(w)["activity"].pk},
        "volunteers:signup": {"pk": lambda w: _vol(w)["activity"].pk},
        "volunteers:scan_code": {"code": lambda w: f"{_vol(w)['activity'].pk}.in.1.forged"},
        "volunteers:lead_code": {"kind": lambda w: "in"},
    })  # fmt: skip

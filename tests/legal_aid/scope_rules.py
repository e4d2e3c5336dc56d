"""Scope-walk rules of legal aid (discovered by ``tests/scope/rules.py``)."""

from __future__ import annotations


def _legal(w):
    """Town B's legal-aid records, made once per world through the services."""
    cached = w.__dict__.get("_legal")
    if cached is not None:
        return cached
    import datetime as dt

    from django.utils import timezone

    from legal_aid import services as legal
    from legal_aid.models import Station

    from .factories import at, make_lawyer, next_weekday

    staff, today = w.people.district_staff, timezone.localdate()
    station = legal.station_save(
        station=Station(
            name="乐平秘密工作站", organisation=w.tree.town_b, address="乐平秘密路1号",
            opening_hours=[[["09:00", "12:00"]]] * 5 + [[], []],
        ),
        by=staff,
    )  # fmt: skip
    lawyer = make_lawyer(w.tree.town_b, staff, name="乐平秘密律师")
    colleague = make_lawyer(w.tree.town_b, staff, name="乐平秘密同事")
    day = next_weekday(0)
    shift = legal.shift_add(
        station=station, start=at(day, "09:00"), end=at(day, "12:00"), lawyer=lawyer, by=staff
    )
    case = legal.case_open(
        by=staff,
        applicant=w.victim_member,
        data={
            "employer": w.tree.union_b.enterprise, "claims": [{"type": "wages", "amount": "8000"}],
            "arose_on": today - dt.timedelta(days=30), "details": "乐平秘密争议细节",
        },
    )  # fmt: skip
    cached = {
        "station": station, "lawyer": lawyer, "shift": shift, "case": case,
        "leave": legal.leave_add(lawyer=lawyer, by=staff, starts_on=today, ends_on=today, reason="乐平秘密假"),
        "swap": legal.swap_request(shift=shift, to_lawyer=colleague, by=lawyer.user),
        "assignment": legal.adviser_assign(
            lawyer=lawyer, union=w.tree.union_b, by=staff, starts_on=today, ends_on=today + dt.timedelta(days=365)
        ),
        "consultation": legal.consultation_record(
            by=staff, channel="visit", topic="wages", question="乐平秘密问题", name="乐平秘密咨询人",
            organisation=w.tree.town_b,
        ),
    }  # fmt: skip
    cached["event"] = legal.enterprise_event_record(
        kind="checkup", union=w.tree.union_b, lawyer=lawyer, by=staff, held_on=today, findings="乐平秘密发现"
    )
    w.__dict__["_legal"] = cached
    return cached


def register(rules) -> None:
    from legal_aid import models as legal

    rules.VICTIMS.update({
        legal.Station: lambda w: _legal(w)["station"],
        legal.Lawyer: lambda w: _legal(w)["lawyer"],
        legal.Leave: lambda w: _legal(w)["leave"],
        legal.Shift: lambda w: _legal(w)["shift"],
        legal.SwapRequest: lambda w: _legal(w)["swap"],
        legal.AdviserAssignment: lambda w: _legal(w)["assignment"],
        legal.EnterpriseEvent: lambda w: _legal(w)["event"],
        legal.Consultation: lambda w: _legal(w)["consultation"],
        legal.DisputeCase: lambda w: _legal(w)["case"],
    })  # fmt: skip
    rules.ADMIN_EXTRA_URLS["legal_aid_shift_cover"] = {"pk": legal.Shift}
    rules.ADMIN_EXTRA_URLS["legal_aid_disputecase_step"] = {"step": "close"}
    register_portal_and_api(rules)


def _fresh_case(w, stage: str = "intake"):
    """A new case of town B, moved by the district to ``stage``, for the commands' positive control."""
    import datetime as dt

    from django.utils import timezone

    from legal_aid import services as legal

    staff = w.people.district_staff
    case = legal.case_open(
        by=staff,
        data={
            "applicant_name": "乐平工人", "employer_name": "乐平某厂", "organisation": w.tree.town_b,
            "claims": [{"type": "wages", "amount": "100"}], "arose_on": timezone.localdate() - dt.timedelta(days=1),
        },
    )  # fmt: skip
    if stage == "lawyer_assigned":
        case = legal.case_assign_lawyer(case=case, lawyer=_legal(w)["lawyer"], by=staff)
    return case


def register_portal_and_api(rules) -> None:
    from legal_aid import models as legal

    rules.PORTAL_URLS.update({
        "legal:home": ("own", "the viewer's own shifts, cases and questions"),
        "legal:shift": (legal.Shift, "pk"),
        "legal:shift_confirm": (legal.Shift, "pk"),
        "legal:shift_swap": (legal.Shift, "pk"),
        "legal:shift_absent": (legal.Shift, "pk"),
        "legal:swaps": ("own", "swaps asked of the viewing lawyer"),
        "legal:swap_accept": (legal.SwapRequest, "pk"),
        "legal:swap_decline": (legal.SwapRequest, "pk"),
        "legal:consultation_new": ("own", "the viewing lawyer records a consultation"),
        "legal:consultation": (legal.Consultation, "pk"),
        "legal:event_new": ("own", "the viewing lawyer records an event at a union they advise (choices: their own)"),
        "legal:ask": ("own", "the viewing member asks for themselves"),
        "legal:request_aid": ("own", "the viewing member asks for themselves"),
        "legal:case": (legal.DisputeCase, "pk"),
        "legal:calendar_renew": ("own", "renews the viewing lawyer's own link"),
        "legal:calendar": ("public", "a lawyer's feed behind an unguessable revocable token; unknown: 404"),
    })  # fmt: skip
    rules.PORTAL_ARGS["legal:calendar"] = {"token": lambda w: "no-such-token-" + "x" * 24}
    rules.API_COMMAND_URLS["v1:legal-stations"] = (
        "public list of stations and opening hours, no personal data"
    )
    rules.COMMANDS.update({
        "v1:legal-case-advance": lambda w: {"to_stage": "mediation", "note": "越权"},
        "v1:legal-case-close": lambda w: {"outcome": "withdrawn", "amount_recovered": "0"},
        "v1:legal-case-refer": lambda w: {"to_office": "arbitration"},
        "v1:legal-case-list": lambda w: {
            "applicant_name": "越权", "employer_name": "某厂", "organisation": w.tree.town_b.pk,
            "claims": [{"type": "wages", "amount": "1"}], "arose_on": "2026-01-01",
        },
    })  # fmt: skip
    rules.COMMAND_VICTIMS.update({
        "v1:legal-case-advance": lambda w: _fresh_case(w, "lawyer_assigned"),
        "v1:legal-case-close": lambda w: _fresh_case(w),
        "v1:legal-case-refer": lambda w: _fresh_case(w),
    })  # fmt: skip

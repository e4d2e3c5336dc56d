"""Every step a person cares about tells them: each service below calls ``notify()``, itself or
through a helper it calls (followed through the project's own functions, a few calls deep). A step
that stops notifying, or is renamed without its message, fails here; what each message says is
tested with its app (``tests/<app>/``) and in ``test_events.py``."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

STEPS = {
    # membership
    "members.services.member_apply": "an application arrived (the applicant, the proxy agent)",
    "members.services.member_approve": "membership approved",
    "members.services.member_reject": "membership refused, with the reason",
    "members.services.member_transfer": "moved to another union",
    "members.services.member_end": "membership ended",
    # hardship aid
    "assistance.services.application_submit": "an aid application was submitted",
    "assistance.services.application_check": "checked by the union",
    "assistance.services.application_approve": "approved, with the amount",
    "assistance.services.application_reject": "rejected, with the reason",
    "assistance.services.application_withdraw": "withdrawn",
    "assistance.services.application_pay": "paid",
    "assistance.services.application_close": "closed",
    "assistance.services.recheck_reminders_send": "staff: files due for the re-check",
    "assistance.services.waiting_reminders_send": "staff: applications waiting",
    # legal aid: duty shifts, consultations, cases, deadlines
    "legal_aid.services.roster.shift_add": "a lawyer given a shift",
    "legal_aid.services.roster.shift_assign": "a lawyer given a shift",
    "legal_aid.services.roster.shift_cover": "a lawyer covering an absence",
    "legal_aid.services.roster.swap_request": "a swap asked of a lawyer",
    "legal_aid.services.roster.swap_accept": "a swap accepted",
    "legal_aid.services.roster.swap_decline": "a swap declined",
    "legal_aid.services.roster.shift_report_absence": "staff: an absence to cover",
    "legal_aid.services.roster.shift_reminders_send": "tomorrow's shift (urgent)",
    "legal_aid.services.cases.consultation_request": "a question for the lawyers",
    "legal_aid.services.cases.consultation_answer": "the member's question answered",
    "legal_aid.services.cases.case_open": "a case opened",
    "legal_aid.services.cases.case_assign_lawyer": "a lawyer assigned to the case",
    "legal_aid.services.cases.case_advance": "the case moved on",
    "legal_aid.services.cases.case_close": "the case closed",
    "legal_aid.services.cases.case_refer": "the case referred",
    "legal_aid.services.cases.limitation_warnings_send": "a limitation date about to pass (urgent)",
    # contests and honours
    "competitions.services.contests.entry_register": "entered a contest",
    "competitions.services.contests.judge_assign": "a judge given entries to mark",
    "competitions.services.contests.sheet_reopen": "a judge's sheet reopened",
    "competitions.services.contests.contest_publish": "the results",
    "competitions.services.contests.contest_cancel": "the contest cancelled",
    "competitions.services.contests.entry_disqualify": "an entry disqualified",
    "competitions.services.honours.nomination_review": "a nomination shortlisted or not",
    "competitions.services.honours.nomination_withdraw": "a nomination withdrawn",
    "competitions.services.honours.round_conclude": "an honour conferred",
    # the quiz
    "competitions.quiz.services.prizes.month_close": "a monthly prize",
    "competitions.quiz.services.sharing.share_open": "an extra attempt for sharing",
    # volunteers
    "volunteers.services.signup_create": "signed up, or on the waiting list",
    "volunteers.services.signup_cancel": "a place freed goes to the next on the waiting list",
    "volunteers.services.activity_cancel": "the activity cancelled",
    "volunteers.services.record_verify": "hours verified, and a star level reached",
    "volunteers.services.record_reject": "hours rejected",
    "volunteers.services.activity_reminders_send": "tomorrow's activity (urgent)",
}

DEPTH = 4


def _project_function(obj) -> bool:
    obj = inspect.unwrap(obj) if callable(obj) else obj
    if not inspect.isfunction(obj):
        return False
    path = Path(inspect.getsourcefile(obj) or "")
    return path.is_relative_to(Path(settings.BASE_DIR)) and ".venv" not in path.parts


def _called(func) -> list:
    """The project functions ``func`` calls by name (``helper(...)``, ``module.helper(...)``)."""
    found = []
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    names = func.__globals__
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Name):
            target = names.get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            target = getattr(names.get(node.func.value.id), node.func.attr, None)
        if target is not None and _project_function(target):
            found.append(inspect.unwrap(target))
    return found


def notifies(func, depth: int = DEPTH, seen: set | None = None) -> bool:
    func = inspect.unwrap(func)
    seen = seen if seen is not None else set()
    if func in seen:
        return False
    seen.add(func)
    from union_portal.notifications.services import notify

    callees = _called(func)
    if notify in callees:
        return True
    return depth > 0 and any(notifies(callee, depth - 1, seen) for callee in callees)


@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_step_a_person_cares_about_notifies(step):
    module, name = step.rsplit(".", 1)
    func = getattr(importlib.import_module(module), name)
    assert notifies(func), f"{step} ({STEPS[step]}) tells nobody: call notify(event=...) in it"


def test_the_check_fails_for_a_step_that_tells_nobody():
    from union_portal.notifications.services import notification_mark_read, preference_save

    assert not notifies(preference_save) and not notifies(notification_mark_read)

"""The demo: contests in every phase (an innovation contest graded and published), honours and
nominations in every state, objections upheld and dismissed, care, studios and mentor pairs."""

from io import StringIO

from django.core.management import call_command

from competitions.models import (
    CareRecord,
    Contest,
    ContestStatus,
    Entry,
    Honour,
    MentorPair,
    Nomination,
    NominationState,
    Objection,
    ObjectionState,
    Studio,
)


def test_the_demo_builds_contests_and_honours_in_every_state(db):
    call_command("seed_demo", members=260, stdout=StringIO())
    statuses = set(Contest.objects.values_list("status", flat=True))
    assert {
        ContestStatus.DRAFT,
        ContestStatus.OPEN,
        ContestStatus.JUDGING,
        ContestStatus.PUBLISHED,
    } <= statuses
    graded = Entry.objects.filter(contest__kind="innovation", contest__status=ContestStatus.PUBLISHED)
    assert graded.count() == 5 and not graded.filter(grade="").exists()
    assert Entry.objects.filter(contest__entry_kind="team").exists()
    states = set(Nomination.objects.values_list("state", flat=True))
    assert states == {
        NominationState.SUBMITTED, NominationState.SHORTLISTED, NominationState.REJECTED,
        NominationState.WITHDRAWN, NominationState.CONFERRED, NominationState.STOPPED,
    }  # fmt: skip
    objection_states = set(Objection.objects.values_list("state", flat=True))
    assert {ObjectionState.UPHELD, ObjectionState.DISMISSED} <= objection_states
    assert Honour.objects.filter(nomination__isnull=False).count() == 2  # conferred by last year's round
    assert CareRecord.objects.exists() and Studio.objects.exists() and MentorPair.objects.exists()

"""Skills contests: registration and eligibility, judges and conflicts of interest, marks and locking,
results with trimming, ties and quotas, publication and certificates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from competitions import services
from competitions.models import (
    ContestStatus,
    Entry,
    EntryKind,
    EntryState,
    Mark,
    Prize,
    ScoreSheet,
    SheetState,
)
from union_portal.certificates.services import certificate_verify, certificates_for
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications.models import Notification

from ..members.factories import make_member
from .factories import make_contest, make_judge, mark_all

# --- registration ------------------------------------------------------------------------------------------


def test_a_member_enters_once(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.entry_register(contest=scene.contest, member=scene.member, by=scene.member.user)
    assert (
        entry.number == 1 and entry.union == scene.member.union and entry.enterprise == scene.member.employer
    )
    with pytest.raises(ApplicationError, match="already entered"):
        services.entry_register(contest=scene.contest, member=scene.member, by=scene.member.user)
    assert (
        Notification.objects.filter(recipient=scene.member.user, kind="contests.entry_registered").count()
        == 1
    )


def test_one_entry_per_person_is_a_database_rule(scene, people):
    entry = services.entry_register(contest=scene.contest, member=scene.member, by=scene.member.user)
    from competitions.models import EntryPerson

    with pytest.raises(IntegrityError), transaction.atomic():
        EntryPerson.objects.create(entry=entry, contest=scene.contest, member=scene.member)


def test_only_members_in_good_standing_of_the_organisers_subtree(scene, tree, people):
    pending = make_member(tree.union_a, active=False, name="待批会员")
    with pytest.raises(ApplicationError, match="good standing"):
        services.entry_register(contest=scene.contest, member=pending, by=people.district_staff)
    town_a_contest = make_contest(tree.town_a, people.town_a_staff)
    with pytest.raises(ApplicationError, match="Only members of unions under"):
        services.entry_register(contest=town_a_contest, member=scene.member_b, by=people.district_staff)
    assert not Entry.objects.exists()


def test_registration_window_and_withdrawal(scene, tree, people):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    closed = make_contest(
        tree.district,
        people.district_staff,
        registration_opens_on=today - dt.timedelta(days=9),
        registration_closes_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(ApplicationError, match="not open"):
        services.entry_register(contest=closed, member=scene.member, by=scene.member.user)
    entry = services.entry_register(contest=scene.contest, member=scene.member, by=scene.member.user)
    services.entry_withdraw(entry=entry, by=scene.member.user, reason="工作安排冲突")
    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN
    again = services.entry_register(contest=scene.contest, member=scene.member, by=scene.member.user)
    assert again.number == 2


def test_someone_else_cannot_enter_a_member(scene, people):
    with pytest.raises(PermissionDeniedError):
        services.entry_register(contest=scene.contest, member=scene.member_b, by=scene.member.user)
    with pytest.raises(PermissionDeniedError):  # town A's staff do not see union B's member
        services.entry_register(contest=scene.contest, member=scene.member_b, by=people.town_a_staff)


def test_a_work_team_is_of_one_enterprise(scene, tree, people):
    contest = make_contest(
        tree.district, people.district_staff, entry_kind=EntryKind.TEAM, name="安康杯班组安全竞赛"
    )
    staff = people.district_staff
    with pytest.raises(ApplicationError, match="same enterprise"):
        services.entry_register(
            contest=contest,
            member=scene.member,
            by=staff,
            team_name="灌装一班",
            team_members=[scene.member_b],
        )
    entry = services.entry_register(
        contest=contest, member=scene.member, by=staff, team_name="灌装一班", team_members=scene.others[:2]
    )
    assert entry.people.count() == 3
    with pytest.raises(ApplicationError, match="already entered"):  # a team member cannot enter twice
        services.entry_register(
            contest=contest,
            member=scene.others[0],
            by=staff,
            team_name="灌装二班",
            team_members=scene.others[2:],
        )


# --- judges and sheets -------------------------------------------------------------------------------------


def test_a_judge_never_scores_their_own_enterprise(scene, judges, people):
    entry = services.entry_register(contest=scene.contest, member=scene.member, by=scene.member.user)
    with pytest.raises(ApplicationError, match="own enterprise"):
        services.judge_assign(entry=entry, judge=judges[0], by=people.district_staff)
    assert not ScoreSheet.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says it too
        ScoreSheet.objects.create(
            entry=entry,
            judge=judges[0],
            judge_enterprise_id=judges[0].enterprise_id,
            entry_enterprise_id=entry.enterprise_id,
            assigned_by=people.district_staff,
        )
    made, skipped = services.judges_assign_all(contest=scene.contest, judges=judges, by=people.district_staff)
    assert (made, skipped) == (4, 1)


def _judged(scene, judges, people, members):
    staff = people.district_staff
    entries = [services.entry_register(contest=scene.contest, member=m, by=staff) for m in members]
    services.judges_assign_all(contest=scene.contest, judges=judges, by=staff)
    services.contest_close_registration(contest=scene.contest, by=staff)
    return entries


def test_marks_are_validated_and_a_submitted_sheet_is_locked(scene, judges, people):
    (entry,) = _judged(scene, judges[1:2], people, [scene.member])
    sheet = ScoreSheet.objects.get(entry=entry)
    with pytest.raises(ApplicationError, match="at most 60"):
        mark_all(sheet, {"操作规范": "61"}, submit=False)
    with pytest.raises(ApplicationError, match="every criterion"):
        mark_all(sheet, {"操作规范": "50"}, submit=True)
    with pytest.raises(PermissionDeniedError):  # another judge
        services.sheet_mark(sheet=sheet, by=judges[2].user, marks={})
    mark_all(sheet, {"安全知识": "90", "操作规范": "50", "完成质量": "35"})
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    with pytest.raises(ApplicationError, match="locked"):
        mark_all(sheet, {"安全知识": "95"})
    mark = Mark.objects.get(sheet=sheet, criterion__name="操作规范")
    mark.marks = Decimal("70")
    with pytest.raises(IntegrityError), transaction.atomic():  # above the maximum, even behind the service
        mark.save()


def test_only_district_staff_reopen_a_sheet_with_a_reason_kept(
    scene, judges, people, django_capture_on_commit_callbacks
):
    (entry,) = _judged(scene, judges[1:2], people, [scene.member])
    sheet = mark_all(
        ScoreSheet.objects.get(entry=entry), {"安全知识": "90", "操作规范": "50", "完成质量": "35"}
    )
    with pytest.raises(PermissionDeniedError):
        services.sheet_reopen(sheet=sheet, by=people.town_a_staff, reason="复核")
    with pytest.raises(ApplicationError):
        services.sheet_reopen(sheet=sheet, by=people.district_staff, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_reopen(sheet=sheet, by=people.district_staff, reason="选手申诉，复核操作分")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.OPEN and sheet.reopen_count == 1
    assert sheet.history.filter(history_change_reason="选手申诉，复核操作分").exists()
    mark_all(sheet, {"操作规范": "55"})
    assert Mark.objects.get(sheet=sheet, criterion__name="操作规范").marks == Decimal("55.00")
    assert Notification.objects.filter(recipient=judges[1].user, kind="contests.sheet_reopened").exists()


# --- results -------------------------------------------------------------------------------------------------

FIVE = [
    {"安全知识": "90", "操作规范": "50", "完成质量": "30"},
    {"安全知识": "80", "操作规范": "55", "完成质量": "30"},
    {"安全知识": "85", "操作规范": "60", "完成质量": "30"},
    {"安全知识": "70", "操作规范": "40", "完成质量": "30"},
    {"安全知识": "99", "操作规范": "52", "完成质量": "30"},
]


def _score_five(scene, judges, people, *, trim=True):
    scene.contest.trim_extremes = trim
    services.contest_save(contest=scene.contest, by=people.district_staff)
    (entry,) = _judged(scene, judges, people, [scene.member_b])  # enterprise B: no judge has a conflict
    for judge, marks in zip(judges, FIVE, strict=True):
        mark_all(ScoreSheet.objects.get(entry=entry, judge=judge), marks)
    services.contest_compute_results(contest=scene.contest, by=people.district_staff)
    entry.refresh_from_db()
    return entry


def test_five_judges_drop_the_highest_and_lowest_mark(scene, judges, people):
    entry = _score_five(scene, judges, people)
    # theory (90+80+85)/3 = 85 → 25.50 of 30; practical ((50+55+52)/3 + 30) = 82.33 of 100 → 57.63 of 70
    assert (entry.theory_score, entry.practical_score, entry.total) == (
        Decimal("25.50"),
        Decimal("57.63"),
        Decimal("83.13"),
    )
    assert entry.rank == 1 and entry.prize == Prize.FIRST


def test_without_trimming_every_mark_counts(scene, judges, people):
    entry = _score_five(scene, judges, people, trim=False)
    # theory 424/5 = 84.8 → 25.44; practical (257/5 + 30) = 81.4 → 56.98
    assert (entry.theory_score, entry.practical_score, entry.total) == (
        Decimal("25.44"),
        Decimal("56.98"),
        Decimal("82.42"),
    )


def test_ties_are_broken_by_the_practical_part_then_by_time(scene, tree, judges, people):
    members = [make_member(tree.union_b, name=f"乐平选手{i}") for i in range(5)]
    a, b, c, d, e = _judged(scene, judges[1:2], people, members)
    marks = {
        a: ("100", "40", "30", 400),  # 30 + 49 = 79, practical 49, 400 s
        b: ("30", "60", "40", None),  # 9 + 70 = 79, practical 70
        c: ("100", "40", "30", 300),  # 79, practical 49, 300 s
        d: ("100", "40", "30", 300),  # the same as c in every respect: the same rank
        e: ("50", "30", "20", 100),  # 15 + 35 = 50
    }
    for entry, (theory, practice, quality, seconds) in marks.items():
        services.entry_set_practical_time(entry=entry, by=people.district_staff, seconds=seconds)
        mark_all(
            ScoreSheet.objects.get(entry=entry),
            {"安全知识": theory, "操作规范": practice, "完成质量": quality},
        )
    services.contest_compute_results(contest=scene.contest, by=people.district_staff)
    ranked = {x.pk: (x.rank, x.prize, x.total) for x in Entry.objects.filter(contest=scene.contest)}
    assert ranked[b.pk] == (1, Prize.FIRST, Decimal("79.00"))
    assert ranked[c.pk] == ranked[d.pk] == (2, Prize.SECOND, Decimal("79.00"))
    assert ranked[a.pk] == (4, Prize.THIRD, Decimal("79.00"))
    assert ranked[e.pk] == (5, Prize.THIRD, Decimal("50.00"))


def test_results_are_written_with_a_history_row_per_entry(scene, judges, people):
    # given an entry ranked once
    entry = _score_five(scene, judges, people)
    computed = entry.history.filter(history_change_reason="results computed")
    assert computed.count() == 1
    assert computed.get().history_user == people.district_staff
    assert (computed.get().total, computed.get().rank) == (Decimal("83.13"), 1)
    # when the results are computed again with nothing changed, no new row is written
    services.contest_compute_results(contest=scene.contest, by=people.district_staff)
    assert entry.history.filter(history_change_reason="results computed").count() == 1


def test_results_take_the_same_queries_for_one_changed_entry_as_for_all(scene, tree, judges, people):
    # given five entries marked by one judge and computed: every result was written, with history
    members = [make_member(tree.union_b, name=f"乐平选手{i}") for i in range(5)]
    entries = _judged(scene, judges[1:2], people, members)
    for n, entry in enumerate(entries):
        mark_all(
            ScoreSheet.objects.get(entry=entry), {"安全知识": str(60 + n), "操作规范": "40", "完成质量": "30"}
        )
    with CaptureQueriesContext(connection) as all_written:
        assert services.contest_compute_results(contest=scene.contest, by=people.district_staff) == 5
    # when the last entry's sheet is reopened and marked lower, only that entry's result changes
    sheet = ScoreSheet.objects.get(entry=entries[0])
    services.sheet_reopen(sheet=sheet, by=people.district_staff, reason="复核")
    mark_all(sheet, {"安全知识": "10", "操作规范": "40", "完成质量": "30"})
    with CaptureQueriesContext(connection) as one_written:
        assert services.contest_compute_results(contest=scene.contest, by=people.district_staff) == 5
    # then the same statements did it, and only that entry has a second history row
    assert len(one_written) == len(all_written)
    computed = {
        e.pk: e.history.filter(history_change_reason="results computed").count()
        for e in Entry.objects.filter(contest=scene.contest)
    }
    assert computed == {entries[0].pk: 2, **{e.pk: 1 for e in entries[1:]}}
    ranks = dict(Entry.objects.filter(contest=scene.contest).values_list("pk", "rank"))
    assert ranks == {e.pk: 5 - n for n, e in enumerate(entries)}


def test_an_entry_without_submitted_marks_loses_its_result(scene, tree, judges, people):
    # given two ranked entries
    members = [make_member(tree.union_b, name=f"乐平选手{i}") for i in range(2)]
    first, second = _judged(scene, judges[1:2], people, members)
    for entry, theory in ((first, "90"), (second, "80")):
        mark_all(
            ScoreSheet.objects.get(entry=entry), {"安全知识": theory, "操作规范": "40", "完成质量": "30"}
        )
    services.contest_compute_results(contest=scene.contest, by=people.district_staff)
    # when the first is disqualified and the results computed again
    services.entry_disqualify(entry=first, by=people.district_staff, reason="冒名顶替")
    assert services.contest_compute_results(contest=scene.contest, by=people.district_staff) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.total, first.rank, first.prize) == (None, None, Prize.NONE)
    assert (second.rank, second.prize) == (1, Prize.FIRST)
    assert first.history.filter(history_change_reason="results computed", total=None).count() == 1


def test_disqualification_is_told_and_kept_in_the_history_of_every_person(
    scene, tree, people, django_capture_on_commit_callbacks
):
    staff = people.district_staff
    entry = services.entry_register(contest=scene.contest, member=scene.member, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_disqualify(entry=entry, by=staff, reason="冒名顶替")
    person = entry.people.get()
    assert person.is_live is False
    assert person.history.filter(is_live=False, history_change_reason="冒名顶替").count() == 1
    assert (
        Notification.objects.filter(recipient=scene.member.user, kind="contests.entry_disqualified").count()
        == 1
    )
    # the person may enter again: the database rule counts live entries only
    again = services.entry_register(contest=scene.contest, member=scene.member, by=staff)
    assert again.number == 2


def test_prizes_follow_the_quotas(scene):
    contest = scene.contest
    contest.quota_first, contest.quota_second, contest.quota_third, contest.quota_excellent = 1, 1, 2, 3
    assert [services.prize_for(contest, r) for r in range(1, 9)] == [
        Prize.FIRST, Prize.SECOND, Prize.THIRD, Prize.THIRD,
        Prize.EXCELLENT, Prize.EXCELLENT, Prize.EXCELLENT, Prize.NONE,
    ]  # fmt: skip


def test_results_wait_for_every_sheet(scene, judges, people):
    _judged(scene, judges[1:3], people, [scene.member])
    with pytest.raises(ApplicationError, match="2 score sheets are not submitted"):
        services.contest_compute_results(contest=scene.contest, by=people.district_staff)


# --- publication and certificates ----------------------------------------------------------------------------


def _published(scene, judges, people):
    entry = _score_five(scene, judges, people)
    services.contest_publish(contest=scene.contest, by=people.district_staff)
    scene.contest.refresh_from_db()
    return entry


def test_publication_issues_a_verifiable_certificate(scene, judges, people):
    entry = _published(scene, judges, people)
    assert scene.contest.status == ContestStatus.PUBLISHED
    (certificate,) = certificates_for(entry)
    check = certificate_verify(certificate.code)
    assert check.valid and check.masked_name == "李*" and "First prize" in check.subject
    tampered = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    assert not certificate_verify(tampered).found
    services.entry_disqualify(entry=entry, by=people.district_staff, reason="违规使用工具")
    check = certificate_verify(certificate.code)
    assert check.found and check.revoked and not check.valid


def test_the_certificate_prints_chinese(scene, judges, people, settings):
    from union_portal.certificates.services import certificate_pdf

    from ..certificates.pdftext import fonts, texts

    settings.LANGUAGE_CODE = "zh-hans"
    entry = _published(scene, judges, people)
    (certificate,) = certificates_for(entry)
    pdf = certificate_pdf(certificate)
    text = "".join(texts(pdf))
    assert "李四" in text and "叉车司机" in text
    assert any("CJK" in font for font in fonts(pdf))


def test_winners_go_on_to_the_next_level(scene, tree, judges, people):
    city = make_contest(
        tree.district, people.district_staff, level="city", name="市叉车司机竞赛", status="draft"
    )
    scene.contest.next_contest = city
    services.contest_save(contest=scene.contest, by=people.district_staff)
    entry = _published(scene, judges, people)
    (advanced,) = services.contest_advance_winners(contest=scene.contest, by=people.district_staff)
    entry.refresh_from_db()
    assert entry.advanced_to == advanced and advanced.contest == city and advanced.member == scene.member_b
    assert services.contest_advance_winners(contest=scene.contest, by=people.district_staff) == []


# --- scope -----------------------------------------------------------------------------------------------------


def test_entries_and_sheets_are_scoped(scene, judges, people):
    staff = people.district_staff
    entry_a = services.entry_register(contest=scene.contest, member=scene.member, by=staff)
    entry_b = services.entry_register(contest=scene.contest, member=scene.member_b, by=staff)
    services.judge_assign(entry=entry_b, judge=judges[1], by=staff)
    assert list(Entry.objects.visible_to(people.town_a_staff)) == [entry_a]
    assert list(Entry.objects.visible_to(scene.member.user)) == [entry_a]
    assert list(ScoreSheet.objects.visible_to(judges[1].user)) == [ScoreSheet.objects.get(entry=entry_b)]
    assert not ScoreSheet.objects.visible_to(judges[2].user).exists()
    assert not ScoreSheet.objects.visible_to(people.town_a_staff).exists()


def test_a_town_contest_is_not_seen_by_the_other_town(tree, people):
    contest = make_contest(tree.town_b, people.town_b_staff, status="draft")
    from competitions.models import Contest

    assert not Contest.objects.visible_to(people.town_a_staff).filter(pk=contest.pk).exists()
    assert Contest.objects.visible_to(people.district_staff).filter(pk=contest.pk).exists()
    with pytest.raises(PermissionDeniedError):
        services.contest_open(contest=contest, by=people.town_a_staff)


def test_a_judge_is_made_a_judge(tree, people):
    judge = make_judge(tree.district, people.district_staff)
    assert judge.user.has_perm("competitions.score_scoresheet")

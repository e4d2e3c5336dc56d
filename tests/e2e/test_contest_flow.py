"""A skills contest in a real browser on phones: a member enters, a judge marks the entry criterion by
criterion and submits (the sheet locks), and once the results are published the member sees their
rank and prize."""

import pytest

from competitions import services
from competitions.models import Entry, ScoreSheet, SheetState

from ..accounts.factories import PASSWORD
from ..competitions.factories import criteria, make_contest, make_judge
from ..members.factories import make_member
from .browser import PHONE

pytestmark = pytest.mark.e2e


def _login(page, base, user):
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")


def _watch(page, errors):
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def test_a_judge_scores_on_a_phone_and_the_member_sees_the_result(
    browser, transactional_db, live_server, tree, people
):
    base, staff, errors = live_server.url, people.district_staff, []
    contest = make_contest(tree.district, staff, name="三水区叉车司机职业技能竞赛")
    member = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    judge = make_judge(tree.district, staff, name="王裁判", username="judge-wang")

    # the member enters the contest on their phone
    phone = browser.new_context(**PHONE).new_page()
    _watch(phone, errors)
    _login(phone, base, member.user)
    phone.goto(f"{base}/portal/contests/")
    phone.click(f"#open-contests a[href='/portal/contests/{contest.pk}/enter/']")
    phone.click("#enter-contest")
    entry = Entry.objects.get(contest=contest, member=member)
    phone.wait_for_url(f"{base}/portal/contests/entries/{entry.pk}/")
    assert phone.locator("#entry-result").count() == 0  # no results before publication

    # staff assign the judge and start judging
    services.judge_assign(entry=entry, judge=judge, by=staff)
    services.contest_close_registration(contest=contest, by=staff)
    sheet = ScoreSheet.objects.get(entry=entry)

    # the judge marks every criterion on their phone and submits
    judging = browser.new_context(**PHONE).new_page()
    _watch(judging, errors)
    _login(judging, base, judge.user)
    judging.goto(f"{base}/portal/contests/judge/")
    judging.click(f"#sheets a[href='/portal/contests/judge/sheets/{sheet.pk}/']")
    assert judging.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    marks = {"安全知识": "92", "操作规范": "55.5", "完成质量": "38"}
    for criterion in criteria(contest):
        field = judging.locator(f"#id_criterion_{criterion.pk}")
        assert field.get_attribute("inputmode") == "decimal"
        assert field.get_attribute("max") == str(criterion.max_marks)
        field.fill(marks[criterion.name])
    judging.click("#submit-sheet")
    judging.wait_for_url(f"{base}/portal/contests/judge/sheets/{sheet.pk}/")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    # the submitted sheet is locked: its fields are disabled and there is no submit button
    assert judging.locator(f"#id_criterion_{criteria(contest)[0].pk}").is_disabled()
    assert judging.locator("#submit-sheet").count() == 0

    # staff compute and publish the results
    services.contest_compute_results(contest=contest, by=staff)
    services.contest_publish(contest=contest, by=staff)

    # the member sees their rank, total and prize, and the certificate to download
    phone.goto(f"{base}/portal/contests/entries/{entry.pk}/")
    assert phone.locator("#entry-rank").inner_text() == "1"
    # 92/100 × 30 + (55.5 + 38)/100 × 70 = 27.6 + 65.45
    assert phone.locator("#entry-total").inner_text() == "93.05"
    assert phone.locator("#entry-award").inner_text() in ("一等奖", "First prize")
    assert phone.locator("a[href*='/portal/certificates/']").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert errors == []

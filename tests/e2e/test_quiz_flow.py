"""The knowledge quiz in a real browser on a phone: a member joins with the code sent to their mobile,
answers five questions, sees the right answers and their rank on the leaderboard."""

import re

import pytest

from competitions.quiz.models import Attempt

from ..accounts.factories import PASSWORD
from ..members.factories import make_member
from ..quiz.factories import make_bank, make_quiz
from .browser import PHONE

pytestmark = pytest.mark.e2e


def test_member_takes_the_quiz_and_sees_their_rank(browser, transactional_db, live_server, tree, people):
    from union_portal.notifications import backends

    backends.outbox.clear()
    base = live_server.url
    quiz = make_quiz(tree.district, name="职工法律知识月月答")
    make_bank(quiz, people.district_staff, questions=8)
    make_member(tree.union_a, user=people.member_user, name="陈晓明")

    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", people.member_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")

    # join: the code goes to the mobile, the union defaults to the membership's
    page.goto(f"{base}/portal/quiz/")
    page.wait_for_url(f"{base}/portal/quiz/{quiz.pk}/")
    page.click("form[action$='/code/'] button")
    code = re.search(r"(\d{6})", backends.outbox[-1][1])[1]
    page.fill("#id_code", code)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/quiz/{quiz.pk}/")

    # an attempt: five questions, no right answer on the page before submitting
    page.click("form[action$='/start/'] button")
    page.wait_for_url(re.compile(r".*/portal/quiz/attempt/\d+/$"))
    assert page.locator("fieldset, .field").count() >= 5
    assert "✓" not in page.content()
    attempt = Attempt.objects.get(participant__user=people.member_user)
    for row in attempt.questions.select_related("question"):
        for shown, original in enumerate(row.order):
            if original in row.question.answer:
                page.check(f"input[name='q{row.question_id}'][value='{shown}']")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".score")
    assert page.inner_text(".score") == "50"
    assert page.locator(".right-answer").count() >= 5

    # the leaderboard shows the member's own rank
    page.click("text=排行榜")
    page.wait_for_selector(".my-rank")
    assert page.inner_text(".my-rank") == "1"
    assert not errors, errors
    context.close()

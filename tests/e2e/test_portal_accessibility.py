"""The member portal's pages in a phone-sized Chromium, checked by axe-core (issue 9.16).

No page may have a serious or critical violation; a failed submit moves the focus to the first
error, and every ``aria-describedby`` names an element of the page.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from members import services
from members.models import Channel

from ..accounts.factories import PASSWORD
from ..members.factories import make_member, member_data, next_id_number, wrong_check_digit
from .browser import PHONE

pytestmark = pytest.mark.e2e

BLOCKING = ("serious", "critical")
MISSING_DESCRIPTIONS = """() => [...document.querySelectorAll('[aria-describedby]')]
    .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/))
    .filter(id => !document.getElementById(id))"""


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def blocking_violations(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")


def test_the_portal_pages_pass_axe_and_errors_take_the_focus(
    browser, transactional_db, live_server, tree, people
):
    base = live_server.url
    axe = Axe()
    found: list[str] = []
    member = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    filed = services.member_apply(
        data=member_data(tree.union_a, name="梁静"), by=people.proxy_a, channel=Channel.PROXY, consent=True
    )

    # --- a visitor: the home page, the application form, a failed submit, login, activation --------------
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/portal/", "/portal/apply/", "/portal/login/", "/portal/activate/"):
        visit(page, base + path)
        found += blocking_violations(axe, page)

    page.goto(f"{base}/portal/apply/")
    page.fill("#id_name", "陈嘉欣")
    page.fill("#id_id_number", wrong_check_digit(next_id_number()))  # a wrong check digit
    page.fill("#id_mobile", "12345")
    page.select_option("#id_union", label="健力宝集团工会委员会")
    page.fill("#id_password1", "Gonghui-2026-safe")
    page.fill("#id_password2", "Gonghui-2026-safe")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    assert page.evaluate(MISSING_DESCRIPTIONS) == []
    assert page.locator("#id_id_number_error").is_visible()
    found += blocking_violations(axe, page)

    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.className") == "form-errors"
    found += blocking_violations(axe, page)
    context.close()

    # --- a member: home, status, card, details, messages, the card check ------------------------------------
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, people.member_user.username)
    for path in ("/portal/", "/portal/status/", "/portal/card/", "/portal/profile/", "/portal/inbox/"):
        visit(page, base + path)
        found += blocking_violations(axe, page)
    visit(page, f"{base}/portal/verify/{member.card_number}/")
    found += blocking_violations(axe, page)
    context.close()

    # --- a proxy agent: the filed applications, one of them, the form with the worker's consent ---------------
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, people.proxy_a.username)
    for path in ("/portal/proxy/", f"/portal/proxy/{filed.pk}/", "/portal/proxy/new/"):
        visit(page, base + path)
        found += blocking_violations(axe, page)
    page.click("button[type=submit].primary")  # nothing filled in
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "id_name"
    assert page.evaluate(MISSING_DESCRIPTIONS) == []
    found += blocking_violations(axe, page)
    context.close()

    assert found == []


# --- every portal page, found by the URL resolver ---------------------------------------------------------

#: Portal routes that are not pages: a POST-only action, a file or a redirect. Each says why it is not
#: checked; the page it leads back to is checked under its own name.
NOT_PAGES = {
    "portal:logout": "POST-only: ends the session",
    "aid:withdraw": "POST-only action, back to aid:detail",
    "aid:upload": "POST-only action, back to aid:detail",
    "aid:payee": "POST-only action, back to aid:detail (on a refusal, aid:detail again with the form)",
    "aid:document": "a file download, not a page",
    "notifications:open": "marks a message read and redirects to its link",
    "notifications:read_all": "POST-only action, back to notifications:inbox",
    "quiz:send_code": "POST-only action, back to quiz:home",
    "quiz:start": "POST-only action, leads to quiz:attempt",
    "quiz:union": "POST-only action, back to quiz:home",
    "legal:shift_confirm": "POST-only action, back to legal:shift",
    "legal:shift_swap": "POST-only action, back to legal:shift",
    "legal:shift_absent": "POST-only action, back to legal:shift",
    "legal:swap_accept": "POST-only action, back to legal:home",
    "legal:swap_decline": "POST-only action, back to legal:home",
    "legal:calendar_renew": "POST-only action, back to legal:home",
    "legal:calendar": "an iCalendar feed, not a page",
    "volunteers:signup": "POST-only action, back to volunteers:activity",
    "volunteers:cancel": "POST-only action, back to volunteers:home",
    "volunteers:certificate": "a PDF, not a page",
    "volunteers:lead_publish": "POST-only action, back to volunteers:lead_activity",
    "volunteers:lead_cancel": "POST-only action, back to volunteers:lead_activity",
    "volunteers:lead_verify": "POST-only action, back to volunteers:lead_activity",
    "volunteers:lead_reject": "POST-only action, back to volunteers:lead_activity",
    "certificates:pdf": "a PDF, not a page",
}

#: Every portal page: url name -> (who opens it, fn(records) -> the URL's arguments). The roles are
#: ``visitor`` (not logged in), ``member``, ``proxy`` (a proxy agent), ``lawyer``, ``leader`` (a
#: volunteer team's leader) and ``judge`` (a contest judge).
PAGES: dict[str, tuple[str, object]] = {
    "portal:home": ("member", None),
    "portal:login": ("visitor", None),
    "portal:apply": ("visitor", None),
    "portal:activate": ("visitor", None),
    "portal:password_reset": ("visitor", None),
    "portal:verify": ("visitor", lambda r: {"card_number": r["member"].card_number}),
    "portal:status": ("member", None),
    "portal:status_detail": ("member", lambda r: {"pk": r["member"].pk}),
    "portal:profile": ("member", None),
    "portal:record": ("member", None),
    "portal:card": ("member", None),
    "portal:proxy_list": ("proxy", None),
    "portal:proxy_apply": ("proxy", None),
    "portal:proxy_detail": ("proxy", lambda r: {"pk": r["filed"].pk}),
    "aid:home": ("member", None),
    "aid:apply": ("member", None),
    "aid:detail": ("member", lambda r: {"pk": r["aid"].pk}),
    "aid:proxy_apply": ("proxy", None),
    "notifications:inbox": ("member", None),
    "notifications:settings": ("member", None),
    "certificates:verify_form": ("visitor", None),
    "certificates:verify": ("visitor", lambda r: {"code": r["certificate"].code}),
    "quiz:index": ("member", None),
    "quiz:home": ("member", lambda r: {"quiz_id": r["quiz"].pk}),
    "quiz:attempt": ("member", lambda r: {"pk": r["attempt"].pk}),
    "quiz:board": ("member", lambda r: {"quiz_id": r["quiz"].pk}),
    "quiz:history": ("member", lambda r: {"quiz_id": r["quiz"].pk}),
    "quiz:share": ("visitor", lambda r: {"token": r["share"]}),
    "legal:home": ("lawyer", None),
    "legal:shift": ("lawyer", lambda r: {"pk": r["shift"].pk}),
    "legal:swaps": ("lawyer", None),
    "legal:consultation_new": ("lawyer", None),
    "legal:consultation": ("lawyer", lambda r: {"pk": r["consultation"].pk}),
    "legal:event_new": ("lawyer", None),
    "legal:case": ("member", lambda r: {"pk": r["case"].pk}),
    "legal:ask": ("member", None),
    "legal:request_aid": ("member", None),
    "volunteers:home": ("member", None),
    "volunteers:register": ("proxy", None),
    "volunteers:join": ("visitor", None),
    "volunteers:ranking": ("visitor", None),
    "volunteers:activity": ("member", lambda r: {"pk": r["activity"].pk}),
    "volunteers:scan": ("member", None),
    "volunteers:scan_code": ("member", lambda r: {"code": r["scan_code"]}),
    "volunteers:my_hours": ("member", None),
    "volunteers:lead_home": ("leader", None),
    "volunteers:lead_new": ("leader", None),
    "volunteers:lead_activity": ("leader", lambda r: {"pk": r["activity"].pk}),
    "volunteers:lead_edit": ("leader", lambda r: {"pk": r["draft"].pk}),
    "volunteers:lead_code": ("leader", lambda r: {"pk": r["activity"].pk, "kind": "in"}),
    "volunteers:lead_correct": ("leader", lambda r: {"pk": r["service_record"].pk}),
    "contests:home": ("member", None),
    "contests:enter": ("member", lambda r: {"pk": r["contest"].pk}),
    "contests:results": ("visitor", lambda r: {"pk": r["published"].pk}),
    "contests:entry": ("member", lambda r: {"pk": r["entry"].pk}),
    "contests:judge_home": ("judge", None),
    "contests:sheet": ("judge", lambda r: {"pk": r["sheet"].pk}),
    "contests:honours": ("visitor", None),
    "contests:notice": ("visitor", None),
}
#: Pages not checked yet, and why (the walk still requires a rule for every page).
NOT_COVERED: dict[str, str] = {
    "contests:object": "the objection form needs a nomination under public notice today; the honours"
    " round it comes from is not built in this test yet",
}
ROLE_ORDER = ("visitor", "member", "proxy", "lawyer", "leader", "judge")


def portal_page_names() -> list[str]:
    """The names of every route under /portal/, from the URL resolver (so a new page is walked)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and route.startswith("portal/"):
                names.append(f"{namespace}:{entry.name}")

    walk(get_resolver(), "", "")
    return names


def portal_records(tree, people) -> dict:
    """One record of each kind a portal page shows, each belonging to the role that opens it."""
    import datetime as dt

    from django.utils import timezone

    from competitions import services as contest_services
    from competitions.quiz import services as quiz_services
    from legal_aid.services import cases as legal_cases
    from volunteers import services as volunteer_services

    from ..assistance.factories import make_aid, submit_festival
    from ..certificates.factories import issue
    from ..competitions.factories import make_contest, make_judge, mark_all
    from ..legal_aid.factories import make_lawyer, make_shift, make_station, next_weekday
    from ..quiz.factories import join, make_bank, make_quiz
    from ..volunteers.factories import make_activity, make_leader, make_team, started_activity

    staff = people.district_staff
    aid = make_aid(tree, people)
    member = aid.member
    filed = services.member_apply(
        data=member_data(tree.union_a, name="梁静"), by=people.proxy_a, channel=Channel.PROXY, consent=True
    )
    quiz = make_quiz(tree.district, name="职工法律知识月月答")
    make_bank(quiz, staff, questions=8)
    participant = join(quiz, people.member_user)
    station = make_station(tree.town_a, staff)
    lawyer = make_lawyer(tree.district, staff, name="王明", password=PASSWORD)
    leader = make_leader("leader_a11y")
    team = make_team(tree.town_a, leader=leader, name="西南街道志愿服务队")
    volunteer = volunteer_services.volunteer_register(member=member, by=people.member_user)
    activity = started_activity(team, leader, hours=3)
    volunteer_services.signup_create(activity=activity, volunteer=volunteer, by=people.member_user)
    service_record = volunteer_services.check_in(activity=activity, volunteer=volunteer)
    entered = make_contest(tree.district, staff)
    entry = contest_services.entry_register(contest=entered, member=member, by=people.member_user)
    judge = make_judge(tree.district, staff, username="judge_a11y")
    published = make_contest(tree.district, staff)
    rival = contest_services.entry_register(
        contest=published, member=make_member(tree.union_a, name="陈嘉欣"), by=staff
    )
    scored = contest_services.judge_assign(entry=rival, judge=judge, by=staff)
    contest_services.contest_close_registration(contest=published, by=staff)
    mark_all(scored, {"安全知识": "90", "操作规范": "50", "完成质量": "30"})
    contest_services.contest_compute_results(contest=published, by=staff)
    contest_services.contest_publish(contest=published, by=staff)
    return {
        "member": member,
        "published": published,
        "entry": entry,
        "judge": judge,
        "sheet": contest_services.judge_assign(entry=entry, judge=judge, by=staff),
        "filed": filed,
        "aid": submit_festival(aid),
        "certificate": issue(member, staff),
        "quiz": quiz,
        "attempt": quiz_services.attempt_start(participant=participant, by=people.member_user),
        "share": quiz_services.share_token(participant),
        "lawyer": lawyer,
        "shift": make_shift(station, staff, next_weekday(0, timezone.localdate()), lawyer=lawyer),
        "consultation": legal_cases.consultation_record(
            by=lawyer.user, channel="phone", topic="wages", question="老板拖欠两个月工资", name="陈先生"
        ),
        "case": legal_cases.case_open(
            by=people.member_user,
            applicant=member,
            data={
                "employer_name": "某五金厂",
                "claims": [{"type": "wages", "amount": "6000"}],
                "arose_on": timezone.localdate() - dt.timedelta(days=30),
                "details": "拖欠两个月工资",
            },
        ),
        "leader": leader,
        "activity": activity,
        "draft": make_activity(team, leader, publish=False),
        "service_record": service_record,
        "scan_code": volunteer_services.checkin_code(activity=activity, kind="in", by=leader),
        "contest": make_contest(tree.district, staff),
    }


def test_every_portal_page_passes_axe(
    browser, transactional_db, live_server, tree, people, settings, tmp_path
):
    """Every page of the portal, as the member, proxy agent, lawyer or volunteer leader who opens it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    names = portal_page_names()
    unknown = sorted(set(names) - set(PAGES) - set(NOT_PAGES) - set(NOT_COVERED))
    assert unknown == [], f"portal pages with no rule in PAGES or NOT_PAGES of {__name__}: {unknown}"
    assert sorted(set(PAGES) | set(NOT_PAGES) | set(NOT_COVERED)) == sorted(set(names)), (
        "rules for pages that no longer exist"
    )

    records = portal_records(tree, people)
    users = {
        "member": people.member_user.username,
        "proxy": people.proxy_a.username,
        "lawyer": records["lawyer"].user.mobile,
        "leader": records["leader"].username,
        "judge": records["judge"].user.username,
    }
    base = live_server.url
    axe = Axe()
    found: list[str] = []
    visited = []
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for role in ROLE_ORDER:
        pages = [(name, args) for name, (who, args) in PAGES.items() if who == role]
        if not pages:
            continue
        context.clear_cookies()
        if role != "visitor":
            log_in(page, base, users[role])
        for name, args in pages:
            url = reverse(name, kwargs=args(records) if args else None)
            visit(page, base + url)
            found += blocking_violations(axe, page)
            visited.append(name)
    context.close()
    assert len(visited) == len(PAGES)
    assert found == []

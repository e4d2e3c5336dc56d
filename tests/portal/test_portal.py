import secrets

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from members import services
from members.models import Channel, Member, MembershipEvent, MemberStatus
from members.portal import card_token, qr_svg
from union_portal.accounts.models import User
from union_portal.accounts.roles import Role

from ..accounts.factories import PASSWORD, make_user
from ..members.factories import make_member, member_data, next_id_number, next_mobile

APPLY = reverse("portal:apply")
EN = {"Accept-Language": "en"}
NEW_PASSWORD = "Gonghui-2026-safe"


def apply_form(union, **overrides) -> dict:
    data = {
        "name": "陈嘉欣",
        "id_number": next_id_number(),
        "mobile": next_mobile(),
        "union": union.pk,
        "employer": union.enterprise_id or "",
        "job": "灌装操作工",
        "skill_grade": "intermediate",
        "household_type": "non_local",
        "is_migrant_worker": "on",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "submission": secrets.token_urlsafe(16),
    }
    data.update(overrides)
    return data


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- applying ------------------------------------------------------------------------------


def test_apply_page_groups_unions_by_town(client, tree):
    response = client.get(APPLY, headers=EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<optgroup label="西南街道总工会">' in html
    assert '<optgroup label="乐平镇总工会">' in html
    assert f'<option value="{tree.branch_a.pk}">健力宝集团工会委员会 · 灌装车间分会</option>' in html
    assert 'name="password2"' in html


def test_apply_creates_the_account_and_the_application(client, tree):
    # given a worker's details, with the mobile typed as people do
    data = apply_form(tree.union_a, mobile="+86 139 1234 5678")
    # when they apply
    response = client.post(APPLY, data)
    # then an account named by the mobile number exists, in the member group, logged in
    assert response.status_code == 302 and response.url == reverse("portal:status")
    user = User.objects.get()
    assert (user.username, user.mobile, user.display_name) == ("13912345678", "13912345678", "陈嘉欣")
    assert list(user.groups.values_list("name", flat=True)) == [Role.MEMBER]
    assert user.check_password(NEW_PASSWORD)
    assert is_logged_in(client)
    # and a pending portal application belongs to it
    member = Member.objects.get()
    assert (member.user, member.status, member.channel, member.union) == (
        user,
        MemberStatus.PENDING,
        Channel.PORTAL,
        tree.union_a,
    )
    assert (member.skill_grade, member.household_type, member.is_migrant_worker) == (
        "intermediate",
        "non_local",
        True,
    )
    assert member.employer == tree.union_a.enterprise
    assert list(member.events.values_list("kind", "by")) == [(MembershipEvent.Kind.APPLIED, user.pk)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_apply_with_a_wrong_id_number_shows_the_error_and_creates_nothing(client, tree, language):
    data = apply_form(tree.union_a, id_number=bad_check_digit(next_id_number()))

    response = client.post(APPLY, data, headers={"Accept-Language": language})

    assert response.status_code == 200
    with translation.override(language):
        expected = translation.gettext("The check digit of the ID number is wrong: please check every digit.")
    assert response.context["form"].errors == {"id_number": [expected]}
    assert expected in response.content.decode()
    assert User.objects.count() == 0
    assert Member.objects.count() == 0


def test_apply_shows_every_wrong_field_at_once(client, tree):
    data = {**apply_form(tree.union_a, id_number="44060719900101001", mobile="139 1234"), "union": ""}

    response = client.post(APPLY, data, headers=EN)

    assert response.context["form"].errors == {
        "id_number": ["A resident ID number has 18 characters (or 15 digits on old cards)."],
        "mobile": ["Enter a valid mainland mobile number of 11 digits."],
        "union": ["This field is required."],
    }
    assert (User.objects.count(), Member.objects.count()) == (0, 0)


def test_apply_with_an_id_number_that_has_an_open_membership(client, tree):
    existing = make_member(tree.union_b)
    data = apply_form(tree.union_a, id_number=existing.id_number.lower())

    response = client.post(APPLY, data, headers=EN)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "id_number": ["This ID number already has an open membership or application."]
    }
    assert list(Member.objects.all()) == [existing]
    assert not User.objects.filter(mobile=data["mobile"]).exists()
    assert not is_logged_in(client)


def test_apply_with_mismatched_passwords_creates_nothing(client, tree):
    response = client.post(APPLY, apply_form(tree.union_a, password2="Something-else-9"), headers=EN)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["password2"]
    assert (User.objects.count(), Member.objects.count()) == (0, 0)


def test_apply_with_a_weak_password_creates_nothing(client, tree):
    response = client.post(
        APPLY, apply_form(tree.union_a, password1="12345678", password2="12345678"), headers=EN
    )

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.context["form"].errors["password2"]
    assert (User.objects.count(), Member.objects.count()) == (0, 0)


def test_double_submit_creates_one_account_and_one_application(client, tree):
    data = apply_form(tree.union_a)
    # the first submit goes through
    assert client.post(APPLY, data).status_code == 302
    # the same browser sends it again (now logged in): sent to the status page
    again = client.post(APPLY, data)
    assert again.status_code == 302 and again.url == reverse("portal:status")
    # the same page sent from a second connection without the new session (a double tap): recognised by its token
    replay = Client().post(APPLY, data)
    assert replay.status_code == 302 and replay.url == reverse("portal:login")
    # a fresh page with the same details: the ID number already has an application (the details are
    # checked before the form says anything about the mobile's account, issue 18.2)
    fresh = Client().post(APPLY, {**data, "submission": secrets.token_urlsafe(16)}, headers=EN)
    assert fresh.status_code == 200
    assert list(fresh.context["form"].errors) == ["id_number"]
    assert User.objects.count() == 1
    assert Member.objects.count() == 1


def test_a_failed_submit_can_be_corrected_and_sent_again(client, tree):
    data = apply_form(tree.union_a, id_number="44060719900101001")
    assert client.post(APPLY, data).status_code == 200

    response = client.post(APPLY, {**data, "id_number": next_id_number()})

    assert response.status_code == 302
    assert Member.objects.count() == 1


def test_a_rejected_member_applies_again_without_a_new_account(client, tree, people):
    rejected = make_member(tree.union_a, active=False, user=people.member_user)
    services.member_reject(member=rejected, by=people.officer_a, reason="不在本单位工作")
    client.force_login(people.member_user)
    data = member_data(tree.union_b, id_number=rejected.id_number)

    response = client.post(
        APPLY,
        {**data, "union": tree.union_b.pk, "employer": "", "household_type": "local", "skill_grade": ""},
    )

    assert response.status_code == 302
    latest = Member.objects.filter(user=people.member_user).order_by("-pk").first()
    assert (latest.pk != rejected.pk, latest.status, latest.union) == (
        True,
        MemberStatus.PENDING,
        tree.union_b,
    )
    assert User.objects.filter(mobile=people.member_user.mobile).count() == 1


# --- logging in and out ----------------------------------------------------------------------------


def test_login_by_mobile_with_country_code_and_spaces(client, people):
    response = client.post(reverse("portal:login"), {"username": "+86 139 0000 0001", "password": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert client.session["_auth_user_id"] == str(people.member_user.pk)


def test_login_goes_through_axes_and_locks_out_after_repeated_failures(client, people, settings):
    settings.AXES_ENABLED = True
    url = reverse("portal:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "139 0000 0001", "password": "wrong"}).status_code == 200
    # the last allowed try is counted too, then the account (with this address) is locked
    client.post(url, {"username": "+8613900000001", "password": "wrong"})
    locked = client.post(url, {"username": "13900000001", "password": PASSWORD}, headers=EN)
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert "Try again in about 30 minutes." in locked.content.decode()
    assert not is_logged_in(client)


def test_login_with_axes_enabled_succeeds(client, people, settings):
    settings.AXES_ENABLED = True
    response = client.post(reverse("portal:login"), {"username": "13900000001", "password": PASSWORD})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_logout_is_a_post_that_ends_the_session(client, people):
    client.force_login(people.member_user)
    old_key = client.session.session_key
    assert client.get(reverse("portal:logout")).status_code == 405

    response = client.post(reverse("portal:logout"))

    assert response.status_code == 302 and response.url == reverse("portal:login")
    assert not SessionStore().exists(old_key)
    assert client.session.session_key != old_key
    assert client.get(reverse("portal:status")).status_code == 302


# --- my membership --------------------------------------------------------------------------------------


def test_card_page_shows_the_card_and_its_qr_code(client, tree, people):
    member = make_member(tree.union_a, user=people.member_user, name="梁志豪")
    client.force_login(people.member_user)

    response = client.get(reverse("portal:card"), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert member.card_number in html
    assert "梁志豪" in html and "健力宝集团工会委员会" in html
    assert member.join_date.isoformat() in html
    assert html.count('<svg viewBox="0 0 ') == 1 and 'class="segno"' in html
    assert (
        response.context["verify_url"] == f"http://testserver/portal/verify/{card_token(member.card_number)}/"
    )
    assert "<script" not in html


def test_the_qr_code_points_at_the_host_and_port_the_member_reached(client, tree, people, settings):
    # given a portal run on another port (make run PORT=8123) and no SITE_URL
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    member = make_member(tree.union_a, user=people.member_user)
    client.force_login(people.member_user)

    response = client.get(reverse("portal:card"), HTTP_HOST="127.0.0.1:8123")

    url = f"http://127.0.0.1:8123/portal/verify/{card_token(member.card_number)}/"
    assert response.context["verify_url"] == url
    assert f'href="{url}"' in response.content.decode()
    assert str(response.context["qr"]) == qr_svg(url, title="QR code to verify this card")


def test_site_url_wins_when_the_portal_sits_behind_a_proxy(client, tree, people, settings):
    settings.SITE_URL = "https://portal.example.org/"
    member = make_member(tree.union_a, user=people.member_user)
    client.force_login(people.member_user)

    response = client.get(reverse("portal:card"))

    assert (
        response.context["verify_url"]
        == f"https://portal.example.org/portal/verify/{card_token(member.card_number)}/"
    )


def test_card_page_is_only_for_an_active_member(client, tree, people):
    make_member(tree.union_a, active=False, user=people.member_user)
    client.force_login(people.member_user)

    response = client.get(reverse("portal:card"))

    assert response.status_code == 302 and response.url == reverse("portal:status")
    assert "<svg" not in client.get(response.url).content.decode()


def test_card_page_needs_a_login(client):
    response = client.get(reverse("portal:card"))
    assert response.status_code == 302
    assert response.url == f"{reverse('portal:login')}?next={reverse('portal:card')}"


def test_status_page_shows_the_timeline_and_the_rejection_reason(client, tree, people):
    member = make_member(tree.union_a, active=False, user=people.member_user)
    services.member_reject(member=member, by=people.officer_a, reason="劳动合同不在本单位")
    client.force_login(people.member_user)

    response = client.get(reverse("portal:status"), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="rejection-reason">劳动合同不在本单位</p>' in html
    assert [e.kind for e in response.context["events"]] == ["registered", "rejected"]


def test_profile_masks_the_id_number_and_the_phone(client, tree, people):
    member = make_member(tree.union_a, user=people.member_user, mobile="13712345678")
    client.force_login(people.member_user)

    html = client.get(reverse("portal:profile")).content.decode()

    assert member.masked_id_number in html and member.id_number not in html
    assert "137****5678" in html and "13712345678" not in html
    assert "13900000001" not in html


def test_a_member_cannot_reach_another_members_record_by_its_id(client, tree, people):
    own = make_member(tree.union_a, active=False, user=people.member_user)
    other_user = make_user(Role.MEMBER, None, username="member2", mobile="13900000002")
    other = make_member(tree.union_a, user=other_user)
    client.force_login(people.member_user)

    assert client.get(reverse("portal:status_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("portal:status_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:proxy_detail", args=[other.pk])).status_code == 403


# --- card verification ---------------------------------------------------------------------------------------


def test_verify_a_valid_card_shows_only_the_masked_name_and_union(client, tree):
    member = make_member(tree.union_a, name="陈嘉欣")

    response = client.get(reverse("portal:verify", args=[card_token(member.card_number)]), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid membership card" in html
    assert '<dd class="masked-name">陈*欣</dd>' in html and "陈嘉欣" not in html
    assert "健力宝集团工会委员会" in html
    assert member.masked_id_number not in html and member.mobile not in html


@pytest.mark.parametrize("kind", ["unknown", "malformed", "ended"])
def test_verify_an_invalid_card(client, tree, people, kind):
    if kind == "ended":
        member = make_member(tree.union_a)
        services.member_end(member=member, status=MemberStatus.LAPSED, by=people.officer_a, reason="离职")
        card = member.card_number
    elif kind == "unknown":
        card = services.make_card_numbers(1)[0]
    else:
        card = "12345<b>"

    response = client.get(reverse("portal:verify", args=[card]), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Not a valid membership card" in html
    assert "<b>" not in html


def test_verify_is_rate_limited_per_client_address(client, tree):
    card = make_member(tree.union_a).card_number
    url = reverse("portal:verify", args=[card])
    for _ in range(60):
        assert client.get(url).status_code == 200

    limited = client.get(url)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    # another address is not affected
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200


# --- proxy agents ------------------------------------------------------------------------------------------------


def proxy_form(union) -> dict:
    data = apply_form(union)
    for key in ("password1", "password2", "submission"):
        data.pop(key)
    data["consent"] = "on"
    return data


def test_proxy_agent_files_for_a_member_of_their_area(client, tree, people):
    client.force_login(people.proxy_a)
    page = client.get(reverse("portal:proxy_apply")).content.decode()
    assert f'value="{tree.union_a.pk}"' in page and f'value="{tree.union_b.pk}"' not in page

    response = client.post(reverse("portal:proxy_apply"), proxy_form(tree.union_a))

    member = Member.objects.get()
    assert response.status_code == 302 and response.url == reverse("portal:proxy_detail", args=[member.pk])
    assert (member.channel, member.filed_by, member.user, member.status) == (
        Channel.PROXY,
        people.proxy_a,
        None,
        MemberStatus.PENDING,
    )
    assert list(member.events.values_list("kind", "by")) == [("applied", people.proxy_a.pk)]


def test_proxy_agent_cannot_file_outside_their_area(client, tree, people):
    client.force_login(people.proxy_a)

    response = client.post(
        reverse("portal:proxy_apply"), {**proxy_form(tree.union_b), "employer": ""}, headers=EN
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["union"]
    assert Member.objects.count() == 0


def test_only_proxy_agents_file_applications(client, people):
    client.force_login(people.member_user)
    assert client.get(reverse("portal:proxy_apply")).status_code == 403
    assert client.get(reverse("portal:proxy_list")).status_code == 403


def test_proxy_agent_sees_only_what_they_filed(client, tree, people):
    proxy_b = make_user(Role.PROXY_AGENT, tree.town_b, username="proxy_b")
    mine = services.member_apply(
        data=member_data(tree.union_a), by=people.proxy_a, channel=Channel.PROXY, consent=True
    )
    theirs = services.member_apply(
        data=member_data(tree.union_b), by=proxy_b, channel=Channel.PROXY, consent=True
    )
    client.force_login(people.proxy_a)

    assert client.get(reverse("portal:proxy_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("portal:proxy_detail", args=[theirs.pk])).status_code == 404
    listed = client.get(reverse("portal:proxy_list")).context["page"].object_list
    assert list(listed) == [mine]
    home = client.get(reverse("portal:home")).context["filed"]
    assert home == [mine]


def _proxy_list_queries(client, proxy, union, rows: int) -> int:
    for _ in range(rows - Member.objects.filter(filed_by=proxy).count()):
        services.member_apply(data=member_data(union), by=proxy, channel=Channel.PROXY, consent=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:proxy_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 20)
    return len(queries)


def test_proxy_list_query_count_does_not_grow_with_rows(client, tree, people):
    client.force_login(people.proxy_a)
    at_3 = _proxy_list_queries(client, people.proxy_a, tree.union_a, 3)
    at_30 = _proxy_list_queries(client, people.proxy_a, tree.union_a, 30)
    assert at_3 == at_30


# --- pages in general -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:home", "portal:login", "portal:apply"])
def test_public_pages_have_a_strict_csp_and_no_inline_script(client, tree, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script" not in response.content.decode()


def test_language_switch_to_english(client, tree):
    response = client.post("/i18n/setlang/", {"language": "en", "next": APPLY}, follow=True)
    assert response.redirect_chain[-1][0] == APPLY
    assert "Apply for membership" in response.content.decode()


def test_in_a_large_district_the_worker_first_finds_the_union(client, tree, monkeypatch):
    """Above UNION_SELECT_MAX unions the apply page is a search; the chosen union rides along in the form."""
    from members import forms as portal_forms
    from members.models import Member

    monkeypatch.setattr(portal_forms, "UNION_SELECT_MAX", 1)
    # given more unions than a select may hold: the page is the finder
    finder = client.get("/portal/apply/")
    assert (
        finder.status_code == 200
        and b'name="union_q"' in finder.content
        and b'name="id_number"' not in finder.content
    )
    found = client.get("/portal/apply/", {"union_q": "健力宝"}).content.decode()
    assert f"?union={tree.union_a.pk}" in found and tree.union_b.name not in found
    # when the worker picks it, the form carries it and offers only that union's employer
    form = client.get("/portal/apply/", {"union": tree.union_a.pk}).content.decode()
    assert f'type="hidden" name="union" value="{tree.union_a.pk}"' in form
    assert tree.union_a.enterprise.name in form and tree.union_b.enterprise.name not in form
    response = client.post(
        f"/portal/apply/?union={tree.union_a.pk}",
        {
            "name": "找工会",
            "id_number": "440607199003070013",
            "mobile": "13912345670",
            "union": tree.union_a.pk,
            "employer": tree.union_a.enterprise.pk,
            "household_type": "local",
            "skill_grade": "",
            "password1": "Apply-pass-2026",
            "password2": "Apply-pass-2026",
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(name="找工会").union == tree.union_a


def test_a_certificate_printed_from_the_portal_points_at_the_host_and_port_reached(
    rf, tree, people, settings
):
    from union_portal.certificates import services as certificates

    from ..certificates.factories import issue

    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    holder = make_member(tree.union_a, user=people.member_user)
    certificate = issue(holder, people.district_staff)
    request = rf.get("/", HTTP_HOST="127.0.0.1:8123")

    html = certificates.certificate_html(certificate, request=request)

    url = f"http://127.0.0.1:8123/portal/certificates/verify/{certificate.code}/"
    assert certificates.verification_url(certificate, request) == url
    assert url in html

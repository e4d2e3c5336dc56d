"""Workflow steps as buttons on the record: offered by state and right, a form showing what the
decision needs, back to the record with a message, errors keep the user on the form with the input."""

from django.urls import reverse

from assistance.models import State
from members.models import MemberStatus

from ..assistance.factories import checked, submit_festival
from ..members.factories import make_member


def _step(name, obj, step):
    return reverse(f"admin:{name}_step", args=[obj.pk, step])


def test_the_application_page_offers_the_steps_its_state_allows(client, people, aid):
    application = checked(submit_festival(aid), people)
    client.force_login(people.district_staff)
    page = client.get(reverse("admin:assistance_aidapplication_change", args=[application.pk]))
    offered = [step.name for step, _url in page.context["record_steps"]]
    assert offered == ["approve", "reject", "payee"]  # the payee step came with aid payments
    assert _step("assistance_aidapplication", application, "approve") in page.content.decode()


def test_approve_from_the_record_shows_the_request_and_returns_with_a_message(client, people, aid):
    application = checked(submit_festival(aid), people)
    client.force_login(people.district_staff)
    url = _step("assistance_aidapplication", application, "approve")
    form_page = client.get(url)
    body = form_page.content.decode()
    assert "家中有病人，生活困难" in body  # the request's reason
    assert "¥1000" in body  # the limit of the rules (the campaign standard)
    response = client.post(url, {"amount": "", "override_reason": "", "note": "ok"}, follow=True)
    application.refresh_from_db()
    assert application.state == State.APPROVED
    assert response.redirect_chain[-1][0] == reverse(
        "admin:assistance_aidapplication_change", args=[application.pk]
    )
    assert "Done." in response.content.decode()


def test_a_refused_step_keeps_the_user_on_the_form_with_the_input(client, people, aid):
    application = checked(submit_festival(aid), people)
    client.force_login(people.district_staff)
    url = _step("assistance_aidapplication", application, "approve")
    response = client.post(url, {"amount": "99999", "override_reason": "", "note": "my note"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="my note"' in response.content.decode()
    application.refresh_from_db()
    assert application.state == State.CHECKED


def test_an_empty_reason_is_refused_on_the_form(client, people, aid):
    application = submit_festival(aid)
    client.force_login(people.district_staff)
    response = client.post(_step("assistance_aidapplication", application, "reject"), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors


def test_a_step_not_offered_in_this_state_goes_back_with_a_message(client, people, aid):
    application = submit_festival(aid)
    client.force_login(people.district_staff)
    response = client.post(_step("assistance_aidapplication", application, "pay"), {"method": "cash"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_without_the_right_no_button_and_403(client, people, aid):
    application = checked(submit_festival(aid), people)
    client.force_login(people.officer_a)  # checks, may not approve
    page = client.get(reverse("admin:assistance_aidapplication_change", args=[application.pk]))
    assert "approve" not in [step.name for step, _url in page.context["record_steps"]]
    response = client.post(_step("assistance_aidapplication", application, "approve"), {})
    assert response.status_code == 403


def test_out_of_scope_record_is_404(client, people, aid):
    application = checked(submit_festival(aid, member=aid.other_member), people)
    client.force_login(people.town_a_staff)
    assert client.get(_step("assistance_aidapplication", application, "reject")).status_code == 404


def test_membership_approve_and_transfer_from_the_member_page(client, tree, people):
    member = make_member(tree.union_a, active=False)
    client.force_login(people.district_staff)
    page = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert [step.name for step, _url in page.context["record_steps"]] == ["approve", "reject"]
    client.post(_step("members_member", member, "approve"), {"note": ""})
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    response = client.post(
        _step("members_member", member, "transfer"), {"to_union": tree.union_b.pk, "reason": "换工作"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.union_id == tree.union_b.pk

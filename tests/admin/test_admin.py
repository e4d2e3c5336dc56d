import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member, MemberStatus
from union_portal.core.models import AccessLog

from ..accounts.factories import make_user
from ..members.factories import make_member


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("who", ["superuser", "district_staff", "town_a_staff", "officer_a"])
def test_every_admin_page_opens(client, tree, people, who):
    user = (
        make_user(None, tree.district, username="root", is_superuser=True, is_staff=True)
        if who == "superuser"
        else getattr(people, who)
    )
    member = make_member(tree.union_a)
    client.force_login(user)
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(type("R", (), {"user": user})()):
            continue
        response = client.get(_changelist(model))
        assert response.status_code == 200, (model, response.status_code)
        if model_admin.has_add_permission(type("R", (), {"user": user, "GET": {}, "POST": {}})()):
            add = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
            assert client.get(add).status_code == 200, model
    change = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert change.status_code == 200
    assert member.id_number.encode() not in change.content  # masked on the change page too


def test_changelist_is_scoped_to_the_subtree(client, tree, people):
    mine, theirs = make_member(tree.union_a, name="本镇会员"), make_member(tree.union_b, name="外镇会员")
    client.force_login(people.town_a_staff)
    body = client.get(_changelist(Member)).content.decode()
    assert "本镇会员" in body and "外镇会员" not in body
    assert mine.masked_id_number in body and mine.id_number not in body
    # the other town's record cannot be opened or changed either
    assert client.get(reverse("admin:members_member_change", args=[theirs.pk])).status_code == 302
    response = client.post(reverse("admin:members_member_change", args=[theirs.pk]), {"name": "改名"})
    assert response.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.name == "外镇会员"


def test_member_changelist_queries_do_not_grow(client, tree, people):
    client.force_login(people.district_staff)
    for _ in range(3):
        make_member(tree.union_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_changelist(Member)).status_code == 200
    for _ in range(27):
        make_member(tree.branch_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_changelist(Member)).status_code == 200
    assert len(many) == len(few)


def test_search_by_id_number_phone_card_and_pinyin(client, tree, people):
    member = make_member(tree.union_a, name="张三明", mobile="13912345678")
    other = make_member(tree.union_a, name="李四")
    client.force_login(people.town_a_staff)
    for term in [member.id_number.lower(), "13912345678", member.card_number, "zhangsanming", "zsm", "三明"]:
        body = client.get(_changelist(Member), {"q": term}).content.decode()
        assert "张三明" in body and "李四" not in body, term
    assert other.name in client.get(_changelist(Member), {"q": "ls"}).content.decode()


def test_filter_by_subtree(client, tree, people):
    make_member(tree.branch_a, name="分会会员")
    make_member(tree.union_b, name="乐平会员")
    client.force_login(people.district_staff)
    body = client.get(_changelist(Member), {"org": tree.town_a.pk}).content.decode()
    assert "分会会员" in body and "乐平会员" not in body


def test_approve_and_reject_actions_call_the_services(client, tree, people):
    pending = make_member(tree.union_a, active=False)
    other = make_member(tree.union_a, active=False)
    client.force_login(people.officer_a)
    url = _changelist(Member)
    client.post(url, {"action": "approve_selected", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == MemberStatus.ACTIVE and pending.card_number
    # rejecting asks for a reason first, then rejects with it
    page = client.post(url, {"action": "reject_selected", "_selected_action": [other.pk]})
    assert page.status_code == 200 and "reason" in page.content.decode()
    client.post(
        url,
        {"action": "reject_selected", "_selected_action": [other.pk], "confirm": "1", "reason": "材料不全"},
    )
    other.refresh_from_db()
    assert (other.status, other.rejection_reason) == (MemberStatus.REJECTED, "材料不全")


def test_transfer_action(client, tree, people):
    member = make_member(tree.union_a)
    client.force_login(people.district_staff)
    client.post(
        _changelist(Member),
        {
            "action": "transfer_selected",
            "_selected_action": [member.pk],
            "confirm": "1",
            "to_union": tree.union_b.pk,
            "reason": "调动",
        },
    )
    member.refresh_from_db()
    assert member.union == tree.union_b
    assert member.events.filter(kind="transferred", from_union=tree.union_a).exists()


def test_officer_registers_a_member_through_the_service(client, tree, people):
    client.force_login(people.officer_a)
    data = {
        "name": "王五",
        "id_number": "44060719900307001x",
        "mobile": "+86 139 1234 0000",
        "union": tree.union_a.pk,
        "employer": "",
        "job": "电工",
        "skill_grade": "senior",
        "household_type": "local",
    }
    bad = client.post(reverse("admin:members_member_add"), {**data, "id_number": "440607199003070017"})
    assert bad.status_code == 200 and not Member.objects.filter(name="王五").exists()
    data["id_number"] = "440607199003070013"
    assert client.post(reverse("admin:members_member_add"), data).status_code == 302
    member = Member.objects.get(name="王五")
    assert (member.status, member.mobile, member.sex) == (MemberStatus.ACTIVE, "13912340000", "M")


def test_reveal_needs_permission_and_is_logged(client, tree, people):
    member = make_member(tree.union_a)
    url = reverse("admin:members_member_reveal", args=[member.pk])
    client.force_login(people.officer_a)  # officers may not reveal
    assert client.post(url, {"reason": "核对"}).status_code == 403
    client.force_login(people.town_a_staff)
    response = client.post(url, {"reason": "核对身份"})
    assert member.id_number in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.actor, log.target_id, log.reason) == (people.town_a_staff, str(member.pk), "核对身份")


def test_no_delete_anywhere(client, tree, people):
    member = make_member(tree.union_a)
    superuser = make_user(None, tree.district, username="root2", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:members_member_delete", args=[member.pk])).status_code == 403
    assert Member.objects.filter(pk=member.pk).exists()

"""The staff search box goes straight to the record when exactly one member matches (issue 10)."""

from __future__ import annotations

from django.urls import reverse

from ..members.factories import make_member

LIST = "admin:members_member_changelist"


def _search(client, term):
    return client.get(reverse(LIST), {"q": term, "go": "1"})


def test_one_match_opens_the_record_several_show_the_list(client, tree, people):
    only = make_member(tree.union_a, name="欧阳娜娜")
    make_member(tree.union_a, name="张伟")
    make_member(tree.union_a, name="张伟")
    client.force_login(people.town_a_staff)

    by_id = _search(client, only.id_number)
    by_pinyin = _search(client, "ouyang")
    several = _search(client, "张伟")
    blank = _search(client, "  ")

    assert by_id.status_code == by_pinyin.status_code == 302
    assert (
        by_id["Location"] == by_pinyin["Location"] == reverse("admin:members_member_change", args=[only.pk])
    )
    assert several.status_code == 302 and several["Location"] == reverse(LIST) + "?q=%E5%BC%A0%E4%BC%9F"
    listed = client.get(several["Location"])
    assert listed.status_code == 200 and listed.context["cl"].result_count == 2
    assert blank["Location"] == reverse(LIST) + "?q=++"


def test_the_box_never_opens_a_member_outside_the_users_area(client, tree, people):
    outsider = make_member(tree.union_b, name="外镇会员")
    client.force_login(people.town_a_staff)

    response = _search(client, outsider.id_number)

    assert response.status_code == 302 and "members/member/?q=" in response["Location"]
    assert client.get(response["Location"]).context["cl"].result_count == 0


def test_every_admin_page_carries_the_box_that_jumps(client, tree, people):
    client.force_login(people.town_a_staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'name="go"' in page and 'role="search"' in page

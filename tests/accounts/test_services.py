"""One way to create a member's login, and users scoped like every other row."""

import pytest

from union_portal.accounts.models import User
from union_portal.accounts.roles import Role
from union_portal.accounts.services import member_login_create
from union_portal.core.errors import ApplicationError

from ..accounts.factories import make_user


@pytest.mark.django_db
def test_a_member_login_is_the_normalised_mobile_with_the_member_role():
    user = member_login_create(
        mobile="+86 138 0013 8000", display_name="区小凤", password="一个够长的密码2026"
    )
    assert (user.username, user.mobile, user.display_name) == ("13800138000", "13800138000", "区小凤")
    assert user.check_password("一个够长的密码2026")
    assert list(user.groups.values_list("name", flat=True)) == [Role.MEMBER]


@pytest.mark.django_db
def test_a_second_login_for_the_same_mobile_is_refused_and_nothing_is_written():
    member_login_create(mobile="13800138000", display_name="甲", password=None)
    with pytest.raises(ApplicationError) as caught:
        member_login_create(mobile="138-0013-8000", display_name="乙", password=None)
    assert caught.value.code == "account_exists"
    assert User.objects.filter(mobile="13800138000").count() == 1


@pytest.mark.django_db
def test_without_a_password_the_login_cannot_be_used_yet():
    user = member_login_create(mobile="13800138001", display_name="丙", password=None)
    assert not user.has_usable_password()


def test_users_are_visible_in_the_subtree_and_to_themselves(tree):
    officer = make_user(Role.TOWN_STAFF, tree.town_a, username="town")
    colleague = make_user(Role.UNION_OFFICER, tree.union_a, username="colleague")
    stranger = make_user(Role.TOWN_STAFF, tree.town_b, username="stranger")
    visible = set(User.objects.visible_to(officer))
    assert {officer, colleague} <= visible and stranger not in visible
    assert set(User.objects.visible_to(make_user(username="plain"))) == {User.objects.get(username="plain")}

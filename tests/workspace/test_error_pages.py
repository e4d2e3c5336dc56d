"""403, 404 and 500 pages in the portal's style and in Chinese by default; the admin's in its own style."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def chinese(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def test_404_is_chinese_in_the_portal_style_with_a_way_back(client, db, chinese):
    response = client.get("/portal/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "css/portal.css" in body
    assert reverse("portal:home") in body


def test_admin_404_for_staff_is_in_the_admin_style(client, people, chinese):
    client.force_login(people.town_a_staff)
    response = client.get("/admin/members/member/999999/step/approve/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "返回工作台" in body
    assert "css/portal.css" not in body


def test_403_is_chinese(client, people, aid, chinese):
    from ..assistance.factories import checked, submit_festival

    application = checked(submit_festival(aid), people)
    client.force_login(people.officer_a)
    url = reverse("admin:assistance_aidapplication_step", args=[application.pk, "approve"])
    response = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 403
    assert "您无权打开此页面" in response.content.decode()


def test_500_is_a_page_of_its_own(db, settings, chinese):
    from union_portal.core.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    assert Client  # the handler is the project's
    from union_portal import urls

    assert urls.handler500 == "union_portal.core.views.server_error"

"""The admin's first page speaks Chinese: its title, the app names and Django's own hidden captions
(issue 10: nothing English left in the Chinese interface)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation


def test_the_admin_index_in_chinese_has_no_english_interface_text(client, tree, people):
    client.force_login(people.district_staff)
    with translation.override("zh-hans"):
        page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert page.status_code == 200
    assert "三水区总工会 · 工作台" in body and "组织与企业" in body
    for english in (
        "Union portal",
        "Organisations and enterprises",
        "Model name",
        "Add link",
        "Change or view list link",
    ):
        assert english not in body, english

"""Two rules of member input, checked once in the service and met the same way through every door:
the minimum age (issue 9.4) and free text without invisible tricks or megabytes (clean_text).

Doors: the service, the portal's application form, the admin's add form, the API, the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members import services
from members.fakes import id_number
from members.models import Channel, Member, MemberStatus
from union_portal.core.errors import ApplicationError
from union_portal.imports import services as importing
from union_portal.imports.models import ImportJob

from ..members.factories import make_member, member_data, next_id_number, next_mobile

EN = {"accept-language": "en"}
TOO_YOUNG = (
    "Members must be at least 16 years old on the day they apply: this ID number gives the birth date {}."
)
ZERO_WIDTH_NAME = "\u200b\u200c\u200d\ufeff"
NINE_MB = "焊" * (9 * 1024 * 1024 // 3)  # about 9 MB of UTF-8


def born(years_ago: int, days: int = 0, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        day = today.replace(year=today.year - years_ago)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years_ago, day=28)
    return day + dt.timedelta(days=days)


def id_born_on(birth: dt.date) -> str:
    return id_number("440607", birth, secrets.randbelow(500), True)


# --- the rule, in the service -----------------------------------------------------------------------


def test_a_twelve_year_old_cannot_become_a_member(tree, people):
    birth = born(12)

    with pytest.raises(ApplicationError) as info:
        services.member_register(
            data=member_data(tree.union_a, id_number=id_born_on(birth)), by=people.officer_a
        )

    assert (info.value.code, info.value.field) == ("too_young", "id_number")
    assert str(info.value) == TOO_YOUNG.format(birth.isoformat())
    assert Member.objects.count() == 0


def test_sixteen_today_may_apply_sixteen_tomorrow_may_not(tree, people):
    assert (
        services.member_apply(
            data=member_data(tree.union_a, id_number=id_born_on(born(16))),
            by=people.officer_a,
            channel="officer",
        ).status
        == MemberStatus.PENDING
    )

    with pytest.raises(ApplicationError) as info:
        services.member_apply(
            data=member_data(tree.union_a, id_number=id_born_on(born(16, days=1))),
            by=people.officer_a,
            channel="officer",
        )
    assert info.value.code == "too_young"


def test_a_leap_day_birthday_counts_from_the_first_of_march():
    birth = dt.date(2008, 2, 29)

    assert services.age_on(birth, dt.date(2024, 2, 28)) == 15
    assert services.age_on(birth, dt.date(2024, 2, 29)) == 16
    assert services.age_on(birth, dt.date(2025, 2, 28)) == 16
    assert services.age_on(birth, dt.date(2025, 3, 1)) == 17


def test_the_minimum_age_is_a_setting(tree, people, settings):
    settings.MEMBER_MIN_AGE = 18

    with pytest.raises(ApplicationError) as info:
        services.member_apply(
            data=member_data(tree.union_a, id_number=id_born_on(born(17))),
            by=people.officer_a,
            channel="officer",
        )

    assert "at least 18 years old" in str(info.value)


def test_a_correction_of_the_id_number_is_checked_on_the_day_of_the_application(tree, people):
    member = make_member(tree.union_a)

    with pytest.raises(ApplicationError) as info:
        services.member_update(member=member, by=people.officer_a, data={"id_number": id_born_on(born(15))})

    assert info.value.code == "too_young"


# --- free text, in the service ------------------------------------------------------------------------


def test_a_name_of_invisible_characters_is_no_name(tree, people):
    with pytest.raises(ApplicationError) as info:
        services.member_apply(
            data=member_data(tree.union_a, name=ZERO_WIDTH_NAME), by=people.officer_a, channel="officer"
        )

    assert (info.value.field, info.value.code, str(info.value)) == ("name", "required", "Enter the name.")


def test_invisible_characters_are_removed_and_control_characters_refused(tree, people):
    member = services.member_apply(
        data=member_data(tree.union_a, name="陈\u200b晓明", job="\u00adthe night shift "),
        by=people.officer_a,
        channel="officer",
    )
    assert (member.name, member.job) == ("陈晓明", "the night shift")

    for name in ("陈\x1b晓明", "陈\u202e晓明", "=\x07HYPERLINK()"):
        with pytest.raises(ApplicationError) as info:
            services.member_apply(
                data=member_data(tree.union_a, name=name), by=people.officer_a, channel="officer"
            )
        assert (info.value.field, info.value.code) == ("name", "invalid_characters")


def test_a_huge_job_title_is_refused_not_cut(tree, people):
    with pytest.raises(ApplicationError) as info:
        services.member_apply(
            data=member_data(tree.union_a, job=NINE_MB), by=people.officer_a, channel="officer"
        )

    assert (info.value.field, info.value.code) == ("job", "too_long")
    assert str(info.value) == f"Shorten this to at most 100 characters (it has {len(NINE_MB)})."
    assert Member.objects.count() == 0


def test_reasons_and_notes_of_the_steps_are_checked_too(tree, people):
    pending = services.member_apply(data=member_data(tree.union_a), by=people.officer_a, channel="officer")
    active = make_member(tree.union_a)

    with pytest.raises(ApplicationError) as info:
        services.member_reject(member=pending, by=people.officer_a, reason="\u200b\u200b")
    assert (info.value.field, info.value.code) == ("reason", "required")
    with pytest.raises(ApplicationError) as info:
        services.member_reject(member=pending, by=people.officer_a, reason="x" * 301)
    assert (info.value.field, info.value.code) == ("reason", "too_long")
    with pytest.raises(ApplicationError) as info:
        services.member_approve(member=pending, by=people.officer_a, note="ok\x00")
    assert (info.value.field, info.value.code) == ("note", "invalid_characters")
    with pytest.raises(ApplicationError) as info:
        services.member_transfer(
            member=active, to_union=tree.branch_a, by=people.district_staff, reason="\u202e"
        )
    assert info.value.field == "reason"
    with pytest.raises(ApplicationError) as info:
        services.member_end(member=active, status="lapsed", by=people.district_staff, reason="y" * 400)
    assert info.value.code == "too_long"

    # a reason over two lines is fine (the admin asks for it in a text area)
    services.member_reject(member=pending, by=people.officer_a, reason="材料不全\n请补交社保证明")
    pending.refresh_from_db()
    assert pending.rejection_reason == "材料不全\n请补交社保证明"
    assert (active.status, Member.objects.get(pk=active.pk).status) == (
        MemberStatus.ACTIVE,
        MemberStatus.ACTIVE,
    )


# --- the portal ----------------------------------------------------------------------------------------


def _portal_form(tree, **overrides) -> dict:
    data = {
        "name": "陈嘉欣",
        "id_number": next_id_number(),
        "mobile": next_mobile(),
        "union": tree.union_a.pk,
        "employer": tree.union_a.enterprise_id,
        "job": "灌装操作工",
        "skill_grade": "",
        "household_type": "local",
        "password1": "Gonghui-2026-safe",
        "password2": "Gonghui-2026-safe",
        "submission": secrets.token_urlsafe(16),
    }
    data.update(overrides)
    return data


def test_the_portal_says_why_a_young_worker_cannot_apply(client, tree):
    birth = born(12)

    response = client.post(
        reverse("portal:apply"), _portal_form(tree, id_number=id_born_on(birth)), headers=EN
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"id_number": [TOO_YOUNG.format(birth.isoformat())]}
    assert Member.objects.count() == 0
    assert "_auth_user_id" not in client.session  # and no account was left behind


def test_the_portal_refuses_an_invisible_name(client, tree):
    response = client.post(reverse("portal:apply"), _portal_form(tree, name=ZERO_WIDTH_NAME), headers=EN)

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["Enter the name."]}
    assert Member.objects.count() == 0


def test_the_portal_refuses_a_huge_job_title(client, tree):
    response = client.post(reverse("portal:apply"), _portal_form(tree, job=NINE_MB), headers=EN)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["job"]
    assert Member.objects.count() == 0


# --- the admin ---------------------------------------------------------------------------------------


def _admin_form(tree, **overrides) -> dict:
    data = {
        "name": "王五",
        "id_number": next_id_number(),
        "mobile": next_mobile(),
        "union": tree.union_a.pk,
        "employer": "",
        "job": "电工",
        "skill_grade": "",
        "household_type": "local",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "young"}, "id_number", None),
        ({"name": ZERO_WIDTH_NAME}, "name", "Enter the name."),
        ({"job": "电\x1b工"}, "job", "Remove the control or invisible characters from the text."),
    ],
)
def test_the_admin_add_form_applies_the_same_rules(client, tree, people, overrides, field, message):
    if overrides.get("id_number") == "young":
        birth = born(12)
        overrides = {"id_number": id_born_on(birth)}
        message = TOO_YOUNG.format(birth.isoformat())
    client.force_login(people.officer_a)

    response = client.post(reverse("admin:members_member_add"), _admin_form(tree, **overrides), headers=EN)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert Member.objects.count() == 0


# --- the API -------------------------------------------------------------------------------------------


def _api_payload(tree, **overrides) -> dict:
    data = member_data(tree.union_a)
    payload = {
        "name": data["name"],
        "id_number": data["id_number"],
        "mobile": data["mobile"],
        "union": tree.union_a.pk,
        "job": "电工",
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("route", ["v1:member-list", "v1:application-list"])
def test_the_api_refuses_a_young_worker_a_blank_name_and_a_huge_job(client, tree, people, route):
    client.force_login(people.district_staff)
    url = reverse(route)

    def post(**overrides):
        return client.post(
            url,
            json.dumps(_api_payload(tree, **overrides), ensure_ascii=False),
            content_type="application/json",
        )

    young = post(id_number=id_born_on(born(12)))
    blank = post(name=ZERO_WIDTH_NAME)
    huge = post(job=NINE_MB)

    assert [(e["attr"], e["code"]) for e in young.json()["errors"]] == [("id_number", "too_young")]
    assert [(e["attr"], e["code"]) for e in blank.json()["errors"]] == [("name", "required")]
    assert [(e["attr"], e["code"]) for e in huge.json()["errors"]] == [("job", "too_long")]
    assert {young.status_code, blank.status_code, huge.status_code} == {400}
    assert Member.objects.count() == 0


# --- the import ----------------------------------------------------------------------------------------

HEAD = ["姓名", "身份证号", "手机号", "所属工会", "工作单位", "岗位", "技能等级", "户籍类型", "是否农民工"]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEAD)
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(union, **kw) -> list[str]:
    values = {
        "姓名": "张三", "身份证号": next_id_number(), "手机号": next_mobile(), "所属工会": union.name,
        "工作单位": "", "岗位": "操作工", "技能等级": "", "户籍类型": "本地", "是否农民工": "否",
    }  # fmt: skip
    values.update(kw)
    return [values[h] for h in HEAD]


def test_the_import_reports_each_rule_on_its_row_and_column(tree, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    birth = born(12)
    raw = _csv(
        [
            _row(tree.union_a, 姓名="李明"),
            _row(tree.union_a, 身份证号=id_born_on(birth)),
            _row(tree.union_a, 姓名=ZERO_WIDTH_NAME),
            _row(tree.union_a, 岗位="焊" * 5000),
        ]
    )

    job = importing.import_upload(
        by=people.district_staff, file=SimpleUploadedFile("members.csv", raw), kind="members"
    )
    job = importing.import_check(job=job)

    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "身份证号", TOO_YOUNG.format(birth.isoformat())),
        (4, "姓名", "Enter the name."),
        (5, "岗位", "Shorten this to at most 100 characters (it has 5000)."),
    ]
    assert Member.objects.filter(channel=Channel.IMPORT).count() == 0

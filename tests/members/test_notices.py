"""Every membership step tells the people concerned (issue 9.7), and a proxy agent files only with
the worker's consent, which is kept with the filing (issue 9.13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members import services
from members.models import Channel, Member, MemberStatus
from union_portal.core.errors import ApplicationError
from union_portal.notifications import backends
from union_portal.notifications.models import Notification

from ..accounts.factories import make_user
from ..members.factories import make_member, member_data, next_id_number

SIGN = "【三水区总工会】"
CONSENT = (
    "The worker asked me to file this application for them, agreed that the union keeps and uses "
    "these details for their membership, and checked that the details are right."
)


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.SMS_BACKEND = "locmem"
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture
def worker(db):
    return make_user("member", None, username="13922334455", mobile="13922334455", display_name="陈嘉欣")


def inbox(user) -> list[tuple[str, str, str]]:
    return [(n.kind, n.title, n.link) for n in Notification.objects.filter(recipient=user).order_by("pk")]


def test_a_worker_who_applies_is_told_it_arrived_and_then_gets_the_card_link(
    tree, people, worker, django_capture_on_commit_callbacks
):
    # given a worker's application on the portal
    with django_capture_on_commit_callbacks(execute=True):
        member = services.member_apply(
            data=member_data(tree.union_a, name="陈嘉欣", mobile=worker.mobile), user=worker
        )

    assert inbox(worker) == [
        ("members.applied", "Your membership application has been received", "/portal/status/")
    ]
    assert backends.outbox == [
        (
            worker.mobile,
            f"{SIGN}Your application to join 健力宝集团工会委员会 has been received; the union will decide on it soon.",
        )
    ]

    # when the union approves it (twice: a double click)
    with django_capture_on_commit_callbacks(execute=True):
        services.member_approve(member=member, by=people.officer_a)
        services.member_approve(member=member, by=people.officer_a)

    # then one message, with the card number and a link to the card
    member.refresh_from_db()
    message = Notification.objects.get(recipient=worker, kind="members.approved")
    assert (message.title, message.link) == ("Your membership has been approved", "/portal/card/")
    assert message.body == (
        f"Welcome to 健力宝集团工会委员会. Your card number is {member.card_number}; "
        "open your card to show it to partner merchants."
    )
    assert backends.outbox[-1] == (
        worker.mobile,
        f"{SIGN}Your membership of 健力宝集团工会委员会 has been approved; your card number is "
        f"{member.card_number}, and your card is in the member services.",
    )
    assert len(backends.outbox) == 2


def test_a_rejected_applicant_reads_the_reason(tree, people, worker, django_capture_on_commit_callbacks):
    member = services.member_apply(data=member_data(tree.union_a, mobile=worker.mobile), user=worker)

    with django_capture_on_commit_callbacks(execute=True):
        services.member_reject(member=member, by=people.officer_a, reason="所填单位与社保缴纳单位不一致")

    message = Notification.objects.get(recipient=worker, kind="members.rejected")
    assert message.title == "Your membership application was not approved"
    assert message.body == "Reason given by 健力宝集团工会委员会: 所填单位与社保缴纳单位不一致"
    assert message.link == "/portal/status/"
    assert backends.outbox[-1][1] == (
        f"{SIGN}Your application to join 健力宝集团工会委员会 was not approved; "
        "the reason given is: 所填单位与社保缴纳单位不一致。"  # one sentence: the stop is added
    )


def test_a_transfer_and_an_end_are_told_but_a_death_is_not(
    tree, people, worker, django_capture_on_commit_callbacks
):
    member = make_member(tree.union_a, user=worker)
    other = make_member(tree.union_a, user=make_user("member", None, username="m2", mobile="13922330000"))

    with django_capture_on_commit_callbacks(execute=True):
        services.member_transfer(
            member=member, to_union=tree.union_b, by=people.district_staff, reason="调动工作"
        )
        services.member_end(
            member=member, status=MemberStatus.WITHDRAWN, by=people.district_staff, reason="本人申请"
        )
        services.member_end(
            member=other, status=MemberStatus.DECEASED, by=people.officer_a, reason="因病去世"
        )

    transfer, end = Notification.objects.filter(recipient=worker).order_by("pk")
    assert (transfer.kind, transfer.title) == (
        "members.transferred",
        "Your membership has moved to 新明珠陶瓷工会委员会",
    )
    assert transfer.body == (
        "Your membership moved from 健力宝集团工会委员会 to 新明珠陶瓷工会委员会; "
        "your card and its number stay the same. Reason: 调动工作"
    )
    assert (end.kind, end.title) == ("members.ended", "Your membership has ended (Withdrawn)")
    assert "You can apply again at any time. Reason: 本人申请" in end.body
    assert not Notification.objects.filter(recipient=other.user, kind="members.ended").exists()


def test_an_officer_registration_without_a_login_sends_nothing(
    tree, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_register(data=member_data(tree.union_a), by=people.officer_a)

    assert Notification.objects.count() == 0
    assert backends.outbox == []


# --- proxy agents ------------------------------------------------------------------------------------------


def test_a_proxy_filing_tells_the_worker_by_sms_and_names_the_worker_in_the_agents_inbox(
    tree, people, django_capture_on_commit_callbacks
):
    people.proxy_a.display_name = "西南代办员"
    people.proxy_a.save(update_fields=["display_name"])
    # given a proxy agent filing for a worker who has no login
    with django_capture_on_commit_callbacks(execute=True):
        member = services.member_apply(
            data=member_data(tree.union_a, name="梁静", mobile="13600000042"),
            by=people.proxy_a,
            channel=Channel.PROXY,
            consent=True,
        )

    # then the worker learns it by SMS, and the agent's inbox names the worker
    assert backends.outbox == [
        (
            "13600000042",
            f"{SIGN}Proxy agent 西南代办员 filed your application to join 健力宝集团工会委员会 on your behalf; "
            "if you did not ask for it, please tell the union.",
        )
    ]
    detail = reverse("portal:proxy_detail", args=[member.pk])
    assert inbox(people.proxy_a) == [("members.filed", "Application of 梁静 filed", detail)]
    filed = Notification.objects.get(recipient=people.proxy_a)
    assert filed.body == (
        f"You filed the membership application of 梁静 (ID number {member.masked_id_number}) with "
        "健力宝集团工会委员会. The worker has been told by SMS."
    )

    # when the union approves it
    with django_capture_on_commit_callbacks(execute=True):
        services.member_approve(member=member, by=people.officer_a)

    # then the worker gets the card number and how to activate; the agent, the outcome
    member.refresh_from_db()
    assert backends.outbox[-1] == (
        "13600000042",
        f"{SIGN}Your membership of 健力宝集团工会委员会 has been approved; your card number is "
        f"{member.card_number}. Activate your account in the member services to show your card.",
    )
    assert inbox(people.proxy_a)[-1] == ("members.filed_approved", "Application of 梁静 approved", detail)


def test_the_agent_is_told_of_a_rejection_with_the_reason(tree, people, django_capture_on_commit_callbacks):
    member = services.member_apply(
        data=member_data(tree.union_a, name="梁静"), by=people.proxy_a, channel=Channel.PROXY, consent=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.member_reject(member=member, by=people.officer_a, reason="不在本单位工作")

    message = Notification.objects.get(recipient=people.proxy_a, kind="members.filed_rejected")
    assert message.title == "Application of 梁静 not approved"
    assert message.body.endswith("was not approved. Reason: 不在本单位工作")


def test_a_proxy_agent_cannot_file_without_the_workers_consent(tree, people):
    with pytest.raises(ApplicationError) as info:
        services.member_apply(data=member_data(tree.union_a), by=people.proxy_a, channel=Channel.PROXY)

    assert (info.value.field, info.value.code) == ("consent", "consent_required")
    assert Member.objects.count() == 0


def test_the_proxy_form_speaks_to_the_agent_and_records_the_consent(client, tree, people):
    client.force_login(people.proxy_a)
    form_data = {
        "name": "梁静",
        "id_number": next_id_number(),
        "mobile": "13600000042",
        "union": tree.union_a.pk,
        "employer": tree.union_a.enterprise_id,
        "job": "操作工",
        "skill_grade": "",
        "household_type": "non_local",
        "is_migrant_worker": "on",
    }
    en = {"accept-language": "en"}

    page = client.get(reverse("portal:proxy_apply"), headers=en).content.decode()
    assert "The worker is a migrant worker" in page and "I am a migrant worker" not in page
    assert CONSENT in page

    refused = client.post(reverse("portal:proxy_apply"), form_data, headers=en)
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "consent": ["Confirm the worker's consent: without it the application cannot be filed."]
    }
    assert Member.objects.count() == 0

    filed = client.post(reverse("portal:proxy_apply"), {**form_data, "consent": "on"}, headers=en)
    member = Member.objects.get()
    assert filed.status_code == 302
    assert member.consent_statement == CONSENT
    assert member.consent_confirmed_at is not None
    detail = client.get(reverse("portal:proxy_detail", args=[member.pk]), headers=en).content.decode()
    assert CONSENT in detail


def test_the_consent_is_kept_in_the_language_the_agent_read_it(client, tree, people):
    client.force_login(people.proxy_a)
    data = {
        "name": "梁静", "id_number": next_id_number(), "mobile": "13600000042", "union": tree.union_a.pk,
        "employer": "", "job": "", "skill_grade": "", "household_type": "local", "consent": "on",
    }  # fmt: skip

    client.post(reverse("portal:proxy_apply"), data, headers={"accept-language": "zh-hans"})

    assert Member.objects.get().consent_statement == (
        "该职工本人委托我代为提交入会申请，同意工会为办理会员事务保存和使用以上信息，并已核对信息无误。"
    )


def test_messages_are_written_in_chinese_by_default_and_not_html_escaped(
    tree, people, worker, settings, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from ..organisations.factories import make_union

    settings.LANGUAGE_CODE = "zh-hans"
    union = make_union(tree.town_a, "佛山A&B电子有限公司工会")
    member = services.member_apply(data=member_data(union, mobile=worker.mobile, employer=None), user=worker)

    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        services.member_approve(member=member, by=people.town_a_staff)

    member.refresh_from_db()
    message = Notification.objects.get(recipient=worker, kind="members.approved")
    assert message.title == "您的入会申请已获批准"
    assert backends.outbox[-1][1] == (
        f"{SIGN}您加入佛山A&B电子有限公司工会的申请已获批准，会员卡号为 {member.card_number}，"
        "可在会员服务中查看电子会员卡。"
    )


def test_in_chinese_the_proxy_form_no_longer_speaks_in_the_first_person(client, tree, people):
    client.force_login(people.proxy_a)

    page = client.get(reverse("portal:proxy_apply"), headers={"accept-language": "zh-hans"}).content.decode()

    assert "该职工是农民工" in page and "我是农民工" not in page
    assert "该职工本人委托我代为提交入会申请" in page

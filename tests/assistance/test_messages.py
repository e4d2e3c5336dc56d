"""What an applicant reads of each step (issue 9.10): each SMS is one sentence, the payment's
names its bank reference, the rejection's its reason; in Chinese by default."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

import assistance
from assistance import services
from assistance.models import AidApplication
from union_portal import settings as project_settings
from union_portal.notifications import backends
from union_portal.notifications.models import Notification

from ..core.test_translations import HAN, PLACEHOLDER, parse_po
from .factories import checked, submit_festival

SIGN = "【三水区总工会】"
LOCALE = Path(assistance.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    translation.deactivate()
    yield
    translation.activate("en")


def _paid(aid, people, capture, **pay) -> AidApplication:
    with capture(execute=True):
        application = checked(submit_festival(aid), people)
        application = services.application_approve(application=application, by=people.district_staff)
        return services.application_pay(application=application, by=people.district_staff, **pay)


def test_the_payment_sms_is_one_sentence_naming_the_bank_reference(
    tree, people, aid, django_capture_on_commit_callbacks, chinese
):
    application = _paid(
        aid, people, django_capture_on_commit_callbacks, method="bank", reference="NS20261129001"
    )

    today = timezone.localdate().isoformat()
    mobile, text = backends.outbox[-1]
    assert mobile == aid.member_user.mobile
    assert text == (
        f"{SIGN}您的两节送温暖申请（编号 {application.pk}）已于 {today} 通过银行转账发放 1000.00 元，"
        "银行交易流水号 NS20261129001。"
    )
    assert "。：" not in text and text.count("。") == 1
    message = Notification.objects.get(recipient=aid.member_user, kind="aid.paid")
    assert message.body == f"已于 {today} 通过银行转账发放，银行交易流水号为 NS20261129001。"


def test_a_cash_payment_names_no_reference(tree, people, aid, django_capture_on_commit_callbacks):
    application = _paid(aid, people, django_capture_on_commit_callbacks, method="cash")

    _mobile, text = backends.outbox[-1]
    assert text == (
        f"{SIGN}1000.00 yuan of your Festival condolence application (no. {application.pk}) was paid "
        f"by Cash on {timezone.localdate().isoformat()}."
    )


def test_the_rejection_sms_gives_the_reason_in_the_same_sentence(
    tree, people, aid, django_capture_on_commit_callbacks, chinese
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_festival(aid)
        services.application_reject(application=application, by=people.officer_a, reason="材料不全。")

    _mobile, text = backends.outbox[-1]
    assert text == f"{SIGN}您的两节送温暖申请（编号 {application.pk}）未获批准，原因：材料不全。"
    message = Notification.objects.get(recipient=aid.member_user, kind="aid.rejected")
    assert message.body == "原因：材料不全"


def test_every_step_sms_is_a_single_sentence(tree, people, aid, django_capture_on_commit_callbacks, chinese):
    _paid(aid, people, django_capture_on_commit_callbacks, method="bank", reference="X-1")

    texts = [text for _mobile, text in backends.outbox]
    assert len(texts) == 4  # submitted, checked, approved, paid
    assert [t for t in texts if len(re.findall("[。.]$", t)) != 1 or t.count("。") != 1] == []
    assert [t for t in texts if not HAN.search(t) or "：" in t.removeprefix(SIGN)[:3]] == []


def test_the_app_catalogue_is_complete_chinese_and_compiled():
    header, *entries = parse_po(LOCALE / "django.po")
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]
    assert len(entries) > 300
    assert [e.key for e in entries if not all(e.msgstr.values()) or "fuzzy" in e.flags] == []
    assert [e.key for e in entries for t in e.msgstr.values() if not HAN.search(t)] == []
    assert [
        e.key
        for e in entries
        if "python-format" in e.flags
        for t in e.msgstr.values()
        if sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(e.msgid))
    ] == []
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    assert [e.key for e in entries if e.msgid_plural is None and compiled.get(e.key) != e.msgstr[0]] == []


def test_a_proxy_agents_messages_name_the_worker_they_filed_for(
    tree, people, aid, django_capture_on_commit_callbacks, chinese
):
    # given a proxy agent filing for a member of their area, who goes on through the steps
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            member=aid.member, by=people.proxy_a, kind="employment",
            data={"reason": "失业后找工作困难", "amount_requested": "800"},
        )  # fmt: skip
        services.application_check(application=application, by=people.officer_a)
        services.application_reject(application=application, by=people.district_staff, reason="材料不全")

    agent = list(Notification.objects.filter(recipient=people.proxy_a).order_by("pk"))
    member = list(Notification.objects.filter(recipient=aid.member_user).order_by("pk"))
    # the agent (not told of the filing they made themselves) reads whose application moved; the member
    # reads "your application", never their own name
    assert [n.kind for n in agent] == ["aid.checked", "aid.rejected"]
    assert all(aid.member.name in n.title and "代办" in n.title for n in agent)
    assert (
        agent[0].title
        == f"您为{aid.member.name}代办的就业帮扶申请（编号 {application.pk}）已由工会审核，报送区总工会。"
    )
    assert [n.kind for n in member] == ["aid.submitted", "aid.checked", "aid.rejected"]
    assert all(aid.member.name not in n.title and "您的" in n.title for n in member)

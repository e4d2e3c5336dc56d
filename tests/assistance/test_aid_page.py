"""The member's aid page as the member reads it (issue 9.12): the timeline is the progress, the
member's own words come back, the computation ends with the approved amount, labels say
"optional" once, and no upload is offered once the aid is paid."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assistance import services
from assistance.models import AidApplication
from union_portal import settings as project_settings
from union_portal.core.errors import ApplicationError

from ..accounts.factories import PASSWORD
from .factories import checked

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
REASON = "爱人住院做手术，自付部分一万二千元，家里只有我一个人上班。"


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    translation.deactivate()
    yield
    translation.activate("en")


def _medical(aid) -> AidApplication:
    return services.application_submit(
        member=aid.member,
        by=aid.member_user,
        kind="medical",
        data={"reason": REASON, "medical_expenses": "12000", "amount_requested": "5000"},
    )


def _page(client, aid, application) -> str:
    assert client.login(username=aid.member_user.username, password=PASSWORD)
    return client.get(reverse("aid:detail", args=[application.pk])).content.decode()


def test_the_page_titles_the_progress_and_shows_the_members_own_words(client, tree, people, aid, chinese):
    application = _medical(aid)

    page = _page(client, aid, application)

    assert "办理进度" in page and "情况说明" not in page
    assert REASON in page
    assert "申请时填写的困难情况" in page
    assert "撤回原因" in page and "（选填）（选填）" not in page


def test_the_computation_ends_with_the_approved_amount(client, tree, people, aid, chinese):
    application = checked(_medical(aid), people)
    services.application_approve(application=application, by=people.district_staff, amount="4000")

    page = _page(client, aid, application)

    computation = page.split('class="computation"')[1].split("</table>")[0]
    assert "申请金额" in computation and "¥5000.00" in computation
    assert "区总工会在上限以内核定的金额" in computation and "¥4000.00" in computation
    assert computation.index("¥5000.00") < computation.index("¥4000.00")
    assert "核定金额的计算方式" in page


def test_an_override_names_its_reason_in_the_computation(tree, people, aid):
    application = checked(_medical(aid), people)
    application = services.application_approve(
        application=application,
        by=people.district_staff,
        amount="6000",
        override_reason="病情特殊，经会议研究",
    )

    assert application.computation[-1] == {
        "label": "Approved above the limit by the district: 病情特殊，经会议研究",
        "amount": "6000.00",
    }


def test_no_upload_once_the_aid_is_paid(client, tree, people, aid):
    application = checked(_medical(aid), people)
    application = services.application_approve(application=application, by=people.district_staff)
    assert 'enctype="multipart/form-data"' in _page(client, aid, application)  # still open when approved
    services.application_payee_set(
        application=application, by=aid.member_user, bank="农业银行", account="6228480012345678"
    )
    application = services.application_pay(
        application=application, by=people.district_staff, method="bank", reference="NS1"
    )

    assert 'enctype="multipart/form-data"' not in _page(client, aid, application)
    with pytest.raises(ApplicationError) as caught:
        services.document_add(
            application=application, by=aid.member_user, upload=SimpleUploadedFile("late.png", PNG)
        )
    assert caught.value.code == "finished"
    response = client.post(
        reverse("aid:upload", args=[application.pk]),
        {"kind": "other", "file": SimpleUploadedFile("late.png", PNG)},
    )
    assert response.status_code == 302 and not application.documents.exists()

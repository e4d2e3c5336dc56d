"""The bank file and the payment record (issue 9.14): the payee's bank and account are kept
encrypted and shown masked; the bank file lists what is approved and not yet paid; an unmasked
download asks for a reason, which goes to the access log."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from assistance import exports, services
from assistance.models import AidApplication
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.core.models import AccessLog

from ..members.factories import make_member
from .factories import checked, make_file, submit_festival

ACCOUNT = "6228 4801 2345 6789 012"
DIGITS = ACCOUNT.replace(" ", "")


def _approved(aid, people, member=None, **data):
    member = member or aid.member
    application = submit_festival(aid, member=member, by=people.officer_a, **data)
    return services.application_approve(application=checked(application, people), by=people.district_staff)


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_account_is_encrypted_at_rest_and_masked(tree, people, aid):
    application = submit_festival(aid, payee_bank="农业银行三水支行", payee_account=ACCOUNT)

    application.refresh_from_db()
    assert application.payee_account == DIGITS
    assert application.masked_payee_account == "6228***********9012"
    with connection.cursor() as cursor:
        cursor.execute("SELECT payee_account FROM assistance_aidapplication WHERE id = %s", [application.pk])
        stored = cursor.fetchone()[0]
    assert DIGITS not in stored and stored


@pytest.mark.parametrize("account", ["12345", "6228-48O1-2345", "６２２８４８０１２３４５"])
def test_a_wrong_account_is_refused(tree, people, aid, account):
    with pytest.raises(ApplicationError) as caught:
        submit_festival(aid, payee_bank="农业银行", payee_account=account)
    assert caught.value.field == "payee_account"


def test_staff_set_the_account_until_payment(tree, people, aid):
    application = _approved(aid, people)
    application = services.application_payee_set(
        application=application, by=people.district_staff, bank="工商银行", account=ACCOUNT
    )
    assert application.payee_account == DIGITS
    services.application_pay(application=application, by=people.district_staff, method="bank", reference="R1")
    with pytest.raises(ApplicationError):
        services.application_payee_set(
            application=application, by=people.district_staff, bank="工商银行", account="6222020000000001"
        )
    with pytest.raises(PermissionDeniedError):
        services.application_payee_set(
            application=_approved(aid, people, member=aid.other_member),
            by=people.officer_a,
            bank="x",
            account=ACCOUNT,
        )


def test_the_bank_file_lists_approved_unpaid_masked_by_default(client, tree, people, aid):
    unpaid = _approved(aid, people, payee_bank="农业银行三水支行", payee_account=ACCOUNT)
    other = make_member(tree.union_a, name="黄丽")
    make_file(other, people.district_staff)
    paid = _approved(aid, people, member=other)
    services.application_pay(application=paid, by=people.district_staff, method="cash")
    client.force_login(people.district_staff)

    rows = _rows(client.get(reverse("admin:assistance_campaign_bank_file", args=[aid.campaign.pk, "csv"])))

    assert len(rows) == 2  # the header and the one unpaid
    assert rows[1][1:7] == [
        "陈*明",
        aid.member.masked_id_number,
        "农业银行三水支行",
        "6228***********9012",
        "1000.00",
        str(unpaid.pk),
    ]
    assert DIGITS not in "".join(rows[1]) and aid.member.id_number not in "".join(rows[1])
    log = AccessLog.objects.get(actor=people.district_staff, action="export")
    assert log.row_count == 1 and "masked" in log.reason

    record = _rows(client.get(reverse("admin:assistance_campaign_payments", args=[aid.campaign.pk, "csv"])))
    assert [row[8] for row in record[1:]] == [str(paid.pk)]


def test_an_unmasked_download_asks_for_a_reason_and_logs_it(client, tree, people, aid):
    _approved(aid, people, payee_bank="农业银行三水支行", payee_account=ACCOUNT)
    client.force_login(people.district_staff)
    url = reverse("admin:assistance_campaign_bank_file", args=[aid.campaign.pk, "csv"]) + "?unmasked=1"

    page = client.get(url)
    assert page.status_code == 200 and b'name="reason"' in page.content
    assert not AccessLog.objects.filter(action="export").exists()
    assert b"reason" in client.post(url, {"reason": ""}).content  # still the form

    rows = _rows(client.post(url, {"reason": "报送农业银行代发"}))

    assert rows[1][1:5] == [aid.member.name, aid.member.id_number, "农业银行三水支行", DIGITS]
    log = AccessLog.objects.get(action="export")
    assert "报送农业银行代发" in log.reason and log.row_count == 1


def test_the_service_refuses_unmasked_without_reason_or_permission(tree, people, aid):
    with pytest.raises(ApplicationError):
        exports.campaign_export(
            campaign=aid.campaign, by=people.district_staff, kind="bank_file", unmasked=True
        )
    with pytest.raises(PermissionDeniedError):
        exports.campaign_export(
            campaign=aid.campaign, by=people.town_a_staff, kind="bank_file", unmasked=True, reason="x"
        )
    assert AidApplication.objects.count() == 0

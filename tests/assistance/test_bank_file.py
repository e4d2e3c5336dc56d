"""The bank file and the payment record (issue 9.14): the payee's bank and account are kept
encrypted and shown masked; the bank file lists what is approved and not yet paid; an unmasked
download asks for a reason, which goes to the access log."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def _bank_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=gbk"
    return list(csv.reader(io.StringIO(response.content.decode("gbk"))))


def _bank_url(aid, fmt="csv"):
    return reverse("admin:assistance_campaign_bank_file", args=[aid.campaign.pk, fmt])


HEADER = [
    "no.", "payee's account number", "payee's name", "payee's bank", "amount (yuan)", "purpose",
    "remarks (application no.)",
]  # fmt: skip


def test_the_bank_file_lists_approved_unpaid_masked_by_default(client, tree, people, aid):
    unpaid = _approved(aid, people, payee_bank="农业银行三水支行", payee_account=ACCOUNT)
    other = make_member(tree.union_a, name="黄丽")
    make_file(other, people.district_staff)
    paid = _approved(aid, people, member=other)
    services.application_pay(application=paid, by=people.district_staff, method="cash")
    client.force_login(people.district_staff)

    rows = _bank_rows(client.get(_bank_url(aid)))

    assert rows == [
        ["total count", "1", "total amount (yuan)", "1000.00"],
        HEADER,
        [
            "1",
            "6228***********9012",
            "陈*明",
            "农业银行三水支行",
            "1000.00",
            aid.campaign.name,
            str(unpaid.pk),
        ],
    ]
    log = AccessLog.objects.get(actor=people.district_staff, action="export")
    assert log.row_count == 1 and "masked" in log.reason

    record = _rows(client.get(reverse("admin:assistance_campaign_payments", args=[aid.campaign.pk, "csv"])))
    assert [row[8] for row in record[1:]] == [str(paid.pk)]


def test_the_bank_file_leaves_out_and_reports_applications_without_an_account(client, tree, people, aid):
    given = _approved(aid, people, payee_account=ACCOUNT)
    members = [make_member(tree.union_a, name=name) for name in ("黄丽", "李华")]
    for member in members:
        make_file(member, people.district_staff)
    missing = [_approved(aid, people, member=m, payee_bank="", payee_account="") for m in members]
    client.force_login(people.district_staff)

    rows = _bank_rows(client.get(_bank_url(aid)))
    listed = client.get(reverse("admin:assistance_campaign_changelist")).content.decode()

    assert [row[6] for row in rows[2:]] == [str(given.pk)]
    assert rows[0] == ["total count", "1", "total amount (yuan)", "1000.00"]
    found = f"campaign={aid.campaign.pk}&amp;state__exact=approved&amp;payee=missing"
    assert (
        "2 approved application(s) have no payee" in listed and found in listed
    )  # the message, then the list
    assert (
        "2 approved application(s) have no payee" in listed.split("<tbody>")[1]
    )  # and in the campaign's row
    queue = client.get(
        reverse("admin:assistance_aidapplication_changelist") + "?" + found.replace("&amp;", "&")
    )
    assert sorted(a.pk for a in queue.context["cl"].result_list) == sorted(a.pk for a in missing)


def test_the_xlsx_bank_file_keeps_accounts_and_amounts_as_text(client, tree, people, aid):
    application = _approved(aid, people, payee_bank="=HYPERLINK(1)", payee_account=ACCOUNT)
    client.force_login(people.district_staff)
    url = _bank_url(aid, "xlsx") + "?unmasked=1"

    response = client.post(url, {"reason": "报送农业银行代发"})

    assert response.status_code == 200 and response.content.startswith(b"PK")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2] == [
        1,
        DIGITS,
        "陈晓明",
        "'=HYPERLINK(1)",
        "1000.00",
        aid.campaign.name,
        str(application.pk),
    ]
    assert [sheet.cell(row=3, column=c).data_type for c in (2, 5, 7)] == ["s", "s", "s"]
    assert values[0][:4] == ["total count", 1, "total amount (yuan)", "1000.00"]


def test_the_csv_escapes_formulas_too(client, tree, people, aid):
    _approved(aid, people, payee_bank="@SUM(1)", payee_account=ACCOUNT)
    client.force_login(people.district_staff)

    rows = _bank_rows(client.get(_bank_url(aid)))

    assert rows[2][3] == "'@SUM(1)"


def test_a_name_gbk_cannot_hold_is_refused_in_csv_and_kept_in_xlsx(client, tree, people, aid):
    rare = make_member(tree.union_a, name="陈𠮷")  # U+20BB7 is outside GBK
    make_file(rare, people.district_staff)
    application = _approved(aid, people, member=rare, payee_account=ACCOUNT)
    client.force_login(people.district_staff)
    url = _bank_url(aid) + "?unmasked=1"

    response = client.post(url, {"reason": "报送银行"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:assistance_campaign_changelist")
    assert f"Applications {application.pk} have characters" in response.content.decode()
    assert not AccessLog.objects.filter(action="export").exists()  # nothing was exported
    xlsx = client.post(_bank_url(aid, "xlsx") + "?unmasked=1", {"reason": "报送银行"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=3, column=3).value == "陈𠮷"


def test_an_unmasked_download_asks_for_a_reason_and_logs_it(client, tree, people, aid):
    _approved(aid, people, payee_bank="农业银行三水支行", payee_account=ACCOUNT)
    client.force_login(people.district_staff)
    url = _bank_url(aid) + "?unmasked=1"

    page = client.get(url)
    assert page.status_code == 200 and b'name="reason"' in page.content
    # the question names what the bank file carries: names and accounts (no ID numbers)
    assert "account numbers" in page.content.decode() and "ID numbers" not in page.content.decode()
    payments = client.get(
        reverse("admin:assistance_campaign_payments", args=[aid.campaign.pk, "csv"]) + "?unmasked=1"
    )
    assert "ID numbers" in payments.content.decode() and "account numbers" not in payments.content.decode()
    assert not AccessLog.objects.filter(action="export").exists()
    assert b"reason" in client.post(url, {"reason": ""}).content  # still the form
    assert not AccessLog.objects.filter(action="export").exists()

    rows = _bank_rows(client.post(url, {"reason": "报送农业银行代发"}))

    assert rows[2][1:4] == [DIGITS, aid.member.name, "农业银行三水支行"]
    log = AccessLog.objects.get(action="export")
    assert "报送农业银行代发" in log.reason and log.row_count == 1


def test_the_bank_file_costs_the_same_at_two_and_six_rows(client, tree, people, aid):
    client.force_login(people.district_staff)

    def add(count):
        for _ in range(count):
            member = make_member(tree.union_a)
            make_file(member, people.district_staff)
            _approved(aid, people, member=member)

    add(2)
    with CaptureQueriesContext(connection) as two:
        assert len(_bank_rows(client.get(_bank_url(aid)))) == 4
    add(4)
    with CaptureQueriesContext(connection) as six:
        assert len(_bank_rows(client.get(_bank_url(aid)))) == 8
    assert len(six) == len(two)


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


def test_the_campaign_list_counts_the_missing_accounts_in_one_query(client, tree, people, aid):
    """The count of approved applications without an account is a subquery of the list, not a query a row."""
    from .factories import make_campaign

    client.force_login(people.district_staff)
    url = reverse("admin:assistance_campaign_changelist")
    _approved(aid, people, payee_bank="", payee_account="")
    with CaptureQueriesContext(connection) as one:
        assert "1 approved application(s) have no payee" in client.get(url).content.decode()
    for festival, year in (("new_year", aid.campaign.year), ("spring", aid.campaign.year - 1)):
        campaign = make_campaign(tree.district, people.district_staff, festival=festival, year=year)
        member = make_member(tree.union_a)
        make_file(member, people.district_staff)
        _approved(aid, people, member=member, campaign=campaign, payee_bank="", payee_account="")
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert page.count("1 approved application(s) have no payee") == 3
    assert len(three) == len(one)

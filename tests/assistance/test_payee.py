"""The payee's bank account (issue 9.14): a bank transfer is recorded only for an application that has
one; staff set it on the application's page, the applicant on their aid page, both until payment,
through ``services.application_payee_set``; the account is shown masked and never put back in a form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistance import services
from assistance.models import AidApplication, Payment, State
from union_portal.core.errors import ApplicationError

from ..members.factories import make_member
from .factories import checked, make_file, submit_festival

ACCOUNT = "6222020200112233445"


def _approved(aid, people, member=None, **data):
    application = submit_festival(aid, member=member, by=people.officer_a, **data)
    return services.application_approve(application=checked(application, people), by=people.district_staff)


def test_a_bank_transfer_needs_the_payee_account(tree, people, aid):
    application = _approved(aid, people, payee_bank="", payee_account="")

    with pytest.raises(ApplicationError) as caught:
        services.application_pay(
            application=application, by=people.district_staff, method="bank", reference="R1"
        )

    assert (caught.value.code, caught.value.field) == ("no_payee_account", "payee_account")
    application.refresh_from_db()
    assert (
        application.state == State.APPROVED and not Payment.objects.filter(application=application).exists()
    )
    services.application_payee_set(
        application=application, by=people.district_staff, bank="工商银行", account=ACCOUNT
    )
    paid = services.application_pay(
        application=application, by=people.district_staff, method="bank", reference="R1"
    )
    assert paid.state == State.PAID


def test_cash_needs_no_account(tree, people, aid):
    application = _approved(aid, people, payee_bank="", payee_account="")

    paid = services.application_pay(application=application, by=people.district_staff, method="cash")

    assert paid.state == State.PAID


def _step_url(application):
    return reverse("admin:assistance_aidapplication_step", args=[application.pk, "payee"])


def test_staff_set_the_account_on_the_application_page(client, tree, people, aid):
    application = _approved(aid, people, payee_bank="", payee_account="")
    client.force_login(people.district_staff)
    change = client.get(
        reverse("admin:assistance_aidapplication_change", args=[application.pk])
    ).content.decode()
    assert _step_url(application) in change

    response = client.post(
        _step_url(application), {"payee_bank": "工商银行佛山分行", "payee_account": ACCOUNT}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.payee_bank, application.payee_account) == ("工商银行佛山分行", ACCOUNT)
    page = client.get(_step_url(application)).content.decode()
    assert application.masked_payee_account in page and ACCOUNT not in page  # masked, not in the field
    change = client.get(
        reverse("admin:assistance_aidapplication_change", args=[application.pk])
    ).content.decode()
    assert "工商银行佛山分行 · 6222***********3445" in change and ACCOUNT not in change


def test_a_refused_account_keeps_the_staff_on_the_form_with_their_input(client, tree, people, aid):
    application = _approved(aid, people, payee_bank="", payee_account="")
    client.force_login(people.district_staff)

    response = client.post(_step_url(application), {"payee_bank": "工商银行", "payee_account": "6222-12"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="6222-12"' in page and 'value="工商银行"' in page
    assert "8 to 30 digits" in page  # the service's message, on the field
    application.refresh_from_db()
    assert application.payee_account == ""


def test_the_step_is_gone_once_paid_and_refused_to_who_may_not_pay(client, tree, people, aid):
    application = _approved(aid, people)
    services.application_pay(application=application, by=people.district_staff, method="bank", reference="R1")
    client.force_login(people.district_staff)

    change = client.get(
        reverse("admin:assistance_aidapplication_change", args=[application.pk])
    ).content.decode()
    response = client.post(_step_url(application), {"payee_bank": "工商银行", "payee_account": ACCOUNT})

    assert _step_url(application) not in change
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.payee_account != ACCOUNT
    client.force_login(people.officer_a)  # checks, does not pay
    other = checked(submit_festival(aid, member=aid.other_member, by=aid.other_user), people)
    assert client.get(_step_url(other)).status_code in (403, 404)


def test_the_no_account_filter_finds_what_the_bank_file_leaves_out(client, tree, people, aid):
    with_account = _approved(aid, people)
    member = make_member(tree.union_a, name="黄丽")
    make_file(member, people.district_staff)
    without = _approved(aid, people, member=member, payee_bank="", payee_account="")
    client.force_login(people.district_staff)
    url = reverse("admin:assistance_aidapplication_changelist")

    missing = client.get(url, {"payee": "missing", "state__exact": "approved"}).context["cl"].result_list
    given = client.get(url, {"payee": "given", "state__exact": "approved"}).context["cl"].result_list

    assert [a.pk for a in missing] == [without.pk]
    assert [a.pk for a in given] == [with_account.pk]


def test_the_applicant_sets_the_account_on_their_aid_page_until_paid(client, tree, people, aid):
    application = submit_festival(aid, payee_bank="", payee_account="")
    client.force_login(aid.member_user)
    detail = reverse("aid:detail", args=[application.pk])
    assert (
        'action="{}"'.format(reverse("aid:payee", args=[application.pk]))
        in client.get(detail).content.decode()
    )

    refused = client.post(
        reverse("aid:payee", args=[application.pk]), {"payee_bank": "农业银行", "payee_account": "12"}
    )
    saved = client.post(
        reverse("aid:payee", args=[application.pk]), {"payee_bank": "农业银行", "payee_account": ACCOUNT}
    )

    assert refused.status_code == 400 and 'value="12"' in refused.content.decode()
    assert saved.status_code == 302
    application = AidApplication.objects.get(pk=application.pk)
    assert application.payee_account == ACCOUNT
    page = client.get(detail).content.decode()
    assert application.masked_payee_account in page and ACCOUNT not in page
    services.application_approve(application=checked(application, people), by=people.district_staff)
    services.application_pay(application=application, by=people.district_staff, method="bank", reference="R1")
    assert 'id="aid-payee-form"' not in client.get(detail).content.decode()
    late = client.post(
        reverse("aid:payee", args=[application.pk]),
        {"payee_bank": "工商银行", "payee_account": "6222020000000001"},
    )
    assert late.status_code == 400
    assert AidApplication.objects.get(pk=application.pk).payee_account == ACCOUNT


def test_someone_else_cannot_set_the_account(client, tree, people, aid):
    application = submit_festival(aid, payee_bank="", payee_account="")
    client.force_login(aid.other_user)

    response = client.post(
        reverse("aid:payee", args=[application.pk]), {"payee_bank": "农业银行", "payee_account": ACCOUNT}
    )

    assert response.status_code == 404
    assert AidApplication.objects.get(pk=application.pk).payee_account == ""


# --- through the API (partners' systems and staff tools) -------------------------------------------------


def _api_payee(user, application, **data):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    url = reverse("v1:aid-application-payee", args=[application.pk])
    return client.post(url, {"payee_bank": "农业银行", "payee_account": ACCOUNT, **data}, format="json")


def test_the_api_sets_the_account_answers_it_masked_and_stops_at_payment(tree, people, aid):
    application = _approved(aid, people, payee_bank="", payee_account="")

    refused = _api_payee(people.district_staff, application, payee_account="12")
    saved = _api_payee(people.district_staff, application)

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "payee_account"
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["payee_bank"] == "农业银行" and ACCOUNT not in saved.content.decode()
    assert body["payee_account_masked"] == AidApplication.objects.get(pk=application.pk).masked_payee_account
    assert AidApplication.objects.get(pk=application.pk).payee_account == ACCOUNT
    services.application_pay(application=application, by=people.district_staff, method="bank", reference="R1")
    late = _api_payee(people.district_staff, application, payee_account="6222020000000001")
    assert late.status_code in (400, 409) and late.json()["errors"][0]["code"] == "wrong_state"
    assert AidApplication.objects.get(pk=application.pk).payee_account == ACCOUNT


def test_through_the_api_the_applicant_may_and_an_officer_who_does_not_pay_may_not(tree, people, aid):
    application = submit_festival(aid, payee_bank="", payee_account="")

    officer = _api_payee(people.officer_a, application)  # sees it, checks it, does not pay
    stranger = _api_payee(aid.other_user, application)
    own = _api_payee(aid.member_user, application)

    assert officer.status_code == 403
    assert stranger.status_code == 404
    assert own.status_code == 200, own.content
    assert AidApplication.objects.get(pk=application.pk).payee_bank == "农业银行"

"""Admin of hardship aid: scoped queues, workflow actions through the services, the household view,
the bank's payment list."""

import csv
import io

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance import services
from assistance.models import AidApplication, AidStep, Campaign, HardshipFile, State
from union_portal.core.models import AccessLog

from ..accounts.factories import make_user
from ..members.factories import make_member
from .factories import make_file, submit_festival


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_aid_admin_page_opens(client, tree, people, aid):
    application = submit_festival(aid)
    for user in (people.district_staff, people.town_a_staff, people.officer_a):
        client.force_login(user)
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label != "assistance" or not model_admin.has_view_permission(
                type("R", (), {"user": user})()
            ):
                continue
            assert client.get(_changelist(model)).status_code == 200, (user, model)
        assert (
            client.get(reverse("admin:assistance_aidapplication_change", args=[application.pk])).status_code
            == 200
        )
        assert (
            client.get(reverse("admin:assistance_hardshipfile_change", args=[aid.file.pk])).status_code == 200
        )
    client.force_login(people.district_staff)
    assert client.get(reverse("admin:assistance_hardshipfile_add")).status_code == 200


def test_queues_are_scoped_to_the_town(client, tree, people, aid):
    mine = submit_festival(aid)
    theirs = submit_festival(aid, member=aid.other_member)
    client.force_login(people.town_a_staff)
    body = client.get(_changelist(AidApplication) + "?state=submitted").content.decode()
    assert f">{mine.pk}<" in body and f">{theirs.pk}<" not in body
    # the other town's case cannot be opened, nor moved by an action
    assert client.get(reverse("admin:assistance_aidapplication_change", args=[theirs.pk])).status_code == 302
    client.post(_changelist(AidApplication), {"action": "check_selected", ACTION_CHECKBOX_NAME: [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.state == State.SUBMITTED


def test_bulk_approve_within_one_campaign_reports_each_row(client, tree, people, aid):
    first = services.application_check(application=submit_festival(aid), by=people.officer_a)
    second = submit_festival(aid, member=aid.other_member)  # not checked yet: refused, with a message
    client.force_login(people.district_staff)
    response = client.post(
        _changelist(AidApplication),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("1" in t for t in texts) and any(str(second.pk) in t for t in texts)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.APPROVED, State.SUBMITTED)
    assert Campaign.objects.get(pk=aid.campaign.pk).approved_total == first.amount_approved


def test_officer_cannot_approve_through_the_admin(client, tree, people, aid):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    client.force_login(people.officer_a)
    client.post(
        _changelist(AidApplication), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [application.pk]}
    )
    application.refresh_from_db()
    assert application.state == State.CHECKED
    assert AidStep.objects.filter(application=application).count() == 2


def test_application_fields_cannot_be_edited_in_the_admin(client, tree, people, aid):
    application = submit_festival(aid)
    client.force_login(people.district_staff)
    response = client.post(
        reverse("admin:assistance_aidapplication_change", args=[application.pk]),
        {"state": "paid", "amount_approved": "99999"},
    )
    assert response.status_code in (302, 403)
    application.refresh_from_db()
    assert (application.state, application.amount_approved) == (State.SUBMITTED, None)


def test_household_incomes_only_for_staff_with_the_permission(client, tree, people, aid):
    url = reverse("admin:assistance_hardshipfile_change", args=[aid.file.pk])
    client.force_login(people.town_a_staff)
    page = client.get(url).content.decode()
    assert "700.00" in page and "配偶" in page
    client.force_login(people.officer_a)  # checks applications, may not see the household
    page = client.get(url).content.decode()
    assert "700.00" not in page and "配偶" not in page
    # the list never shows incomes
    client.force_login(people.district_staff)
    assert "700.00" not in client.get(_changelist(HardshipFile)).content.decode()


def test_admin_opens_a_file_with_its_household_through_the_service(client, tree, people):
    member = make_member(tree.union_a)
    client.force_login(people.district_staff)
    prefix = "household"
    data = {
        "member": member.pk, "level": "relative", "causes": ["unemployment"], "next_recheck_on": "", "notes": "",
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-name": "本人", f"{prefix}-0-relation": "self", f"{prefix}-0-age": "50", f"{prefix}-0-health": "healthy",
        f"{prefix}-0-work": "unemployed", f"{prefix}-0-monthly_income": "0",
        f"{prefix}-1-name": "配偶", f"{prefix}-1-relation": "spouse", f"{prefix}-1-age": "48", f"{prefix}-1-health": "healthy",
        f"{prefix}-1-work": "employed", f"{prefix}-1-monthly_income": "2500",
        "visits-TOTAL_FORMS": "0", "visits-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(reverse("admin:assistance_hardshipfile_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    file = HardshipFile.objects.get(member=member)
    assert (file.household_size, file.income_per_head, file.causes, file.opened_by) == (
        2,
        1250,
        ["unemployment"],
        people.district_staff,
    )
    # changing an income on the file page recomputes the income per head
    household = list(file.household.order_by("pk"))
    change = {
        "centre": "", "level": "relative", "causes": ["unemployment"], "next_recheck_on": file.next_recheck_on.isoformat(), "notes": "",
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "2", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        "visits-TOTAL_FORMS": "0", "visits-INITIAL_FORMS": "0",
    }  # fmt: skip
    for i, row in enumerate(household):
        change.update({
            f"{prefix}-{i}-id": row.pk, f"{prefix}-{i}-file": file.pk, f"{prefix}-{i}-name": row.name,
            f"{prefix}-{i}-relation": row.relation, f"{prefix}-{i}-age": row.age, f"{prefix}-{i}-health": row.health,
            f"{prefix}-{i}-work": row.work, f"{prefix}-{i}-monthly_income": "3000" if i == 1 else "1000",
        })  # fmt: skip
    response = client.post(reverse("admin:assistance_hardshipfile_change", args=[file.pk]), change)
    assert response.status_code == 302, response.content.decode()[:3000]
    file.refresh_from_db()
    assert file.income_per_head == 2000


def test_payment_list_for_the_bank_escapes_formulas_and_needs_the_permission(client, tree, people, aid):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    services.application_approve(application=application, by=people.district_staff)
    services.application_pay(
        application=application, by=people.district_staff, method="bank", reference="=HYPERLINK(1)"
    )
    url = reverse("admin:assistance_campaign_payments", args=[aid.campaign.pk, "csv"])
    client.force_login(people.town_a_staff)  # no export permission
    assert client.get(url).status_code == 403
    client.force_login(people.district_staff)
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == "陈*明" and rows[1][4] == "1000.00" and rows[1][6] == "'=HYPERLINK(1)"
    assert AccessLog.objects.filter(actor=people.district_staff, action="export", row_count=1).count() == 1
    xlsx = client.get(reverse("admin:assistance_campaign_payments", args=[aid.campaign.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_application_changelist_queries_do_not_grow(client, tree, people, aid):
    client.force_login(people.district_staff)

    def add(count):
        for _ in range(count):
            member = make_member(tree.union_a)
            make_file(member, people.district_staff)
            submit_festival(aid, member=member, by=people.officer_a)

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_changelist(AidApplication)).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_changelist(AidApplication)).status_code == 200
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as few_files:
        assert client.get(_changelist(HardshipFile)).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as more_files:
        assert client.get(_changelist(HardshipFile)).status_code == 200
    assert len(more_files) == len(few_files)


def test_a_member_without_staff_rights_sees_no_admin(client, tree, people, aid):
    client.force_login(aid.member_user)
    assert client.get(_changelist(AidApplication)).status_code == 302
    outsider = make_user(None, tree.town_b, username="outsider", is_staff=True)
    client.force_login(outsider)
    assert client.get(_changelist(AidApplication)).status_code == 403


def test_correcting_a_visit_in_the_admin_keeps_the_rule_of_recording_one(client, tree, people):
    import datetime as dt

    from django.utils import timezone

    from assistance.models import Visit

    file = make_file(make_member(tree.union_a), people.town_a_staff)
    visit = services.visit_record(
        file=file, by=people.town_a_staff, visited_on=timezone.localdate(), visitors="李四", gift_value=200
    )
    client.force_login(people.town_a_staff)
    url = reverse("admin:assistance_visit_change", args=[visit.pk])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = {"file": file.pk, "visitors": "李四、王五", "gift_value": "300", "notes": ""}

    refused = client.post(url, {**form, "visited_on": tomorrow.isoformat()})
    visit.refresh_from_db()
    assert (visit.visited_on, visit.visitors) == (timezone.localdate(), "李四")
    assert refused.status_code in (200, 302)

    client.post(url, {**form, "visited_on": timezone.localdate().isoformat()})
    visit.refresh_from_db()
    assert (visit.visitors, str(visit.gift_value)) == ("李四、王五", "300.00")
    assert Visit.history.filter(id=visit.pk).count() == 2


def test_the_member_picker_lists_nobody_up_front_and_answers_masked_within_scope(client, tree, people, aid):
    """The add form of a hardship file picks the member by search (not a list of every member, with
    full names); the search answers masked labels, and only members the user may see."""
    import json

    client.force_login(people.town_a_staff)
    form = client.get(reverse("admin:assistance_hardshipfile_add")).content.decode()
    assert aid.member.name not in form and aid.other_member.name not in form
    assert 'data-ajax--url="{}"'.format(reverse("admin:autocomplete")) in form

    def search(term):
        response = client.get(
            reverse("admin:autocomplete"),
            {"term": term, "app_label": "assistance", "model_name": "hardshipfile", "field_name": "member"},
        )
        assert response.status_code == 200, response.content
        return json.loads(response.content)["results"]

    mine = search(aid.member.name)
    assert [r["id"] for r in mine] == [str(aid.member.pk)]
    assert mine[0]["text"] == aid.member.choice_label() and aid.member.name not in mine[0]["text"]
    assert search(aid.other_member.name) == []  # another town's member: not found

"""The three money rules when staff click at the same moment, on PostgreSQL (real row locks).

Each test starts threads at a barrier; every thread has its own database connection and calls the
same service a person would. SQLite serialises writers on the whole file, so it cannot show this.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from assistance import services
from assistance.models import AidApplication, AidStep, Campaign, MutualAidEnrolment, Payment, State
from union_portal.core.errors import ApplicationError

from ..members.factories import make_member
from .factories import make_campaign, make_file, submit_festival

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(*calls):
    """Run the calls in threads released at once; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except ApplicationError as exc:
            results[index] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the test's assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _checked(member, campaign, people, aid):
    application = submit_festival(aid, member=member, by=people.officer_a, campaign=campaign)
    return services.application_check(application=application, by=people.officer_a)


def test_approved_total_never_exceeds_the_budget(tree, people, aid):
    # given a budget for three households and six checked applications
    campaign = make_campaign(
        tree.district, people.district_staff, budget="3000", standard="1000", festival="new_year"
    )
    applications = []
    for _ in range(6):
        member = make_member(tree.union_a)
        make_file(member, people.district_staff)
        applications.append(_checked(member, campaign, people, aid))
    # when six district staff approve one each at the same moment
    results = run_together(
        *[
            lambda a=a: services.application_approve(application=a, by=people.district_staff)
            for a in applications
        ]
    )
    # then three are approved, three are refused for the budget, and the total is exactly the budget
    approved = [r for r in results if isinstance(r, AidApplication)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(approved) == 3 and len(refused) == 3, results
    assert {e.code for e in refused} == {"over_budget"}
    assert Campaign.objects.get(pk=campaign.pk).approved_total == Decimal("3000.00")
    assert AidApplication.objects.filter(campaign=campaign, state=State.APPROVED).count() == 3


def test_a_member_is_paid_at_most_once_per_campaign(tree, people, aid):
    application = _checked(aid.member, aid.campaign, people, aid)
    services.application_approve(application=application, by=people.district_staff)
    # two staff record the payment of the same application at once
    results = run_together(
        lambda: services.application_pay(
            application=application, by=people.district_staff, method="bank", reference="A1"
        ),
        lambda: services.application_pay(
            application=application, by=people.district_staff, method="bank", reference="B2"
        ),
    )
    assert all(isinstance(r, AidApplication) for r in results), results
    assert Payment.objects.filter(member=aid.member, campaign=aid.campaign).count() == 1
    assert AidStep.objects.filter(application=application, to_state=State.PAID).count() == 1
    assert Campaign.objects.get(pk=aid.campaign.pk).paid_total == Decimal("1000.00")


def test_two_submissions_at_once_leave_one_live_application(tree, people, aid):
    results = run_together(
        lambda: submit_festival(aid),
        lambda: submit_festival(aid, by=people.proxy_a),
    )
    assert sorted(type(r).__name__ for r in results) == ["AidApplication", "ApplicationError"], results
    assert next(r for r in results if isinstance(r, ApplicationError)).code == "duplicate"
    assert AidApplication.objects.filter(member=aid.member, campaign=aid.campaign).count() == 1


def test_the_same_application_is_approved_once_at_one_amount(tree, people, aid):
    application = _checked(aid.member, aid.campaign, people, aid)
    results = run_together(
        lambda: services.application_approve(application=application, by=people.district_staff, amount="800"),
        lambda: services.application_approve(
            application=application, by=people.district_staff, amount="1500", override_reason="特批"
        ),
    )
    assert all(isinstance(r, AidApplication) for r in results), results
    application.refresh_from_db()
    assert application.amount_approved in (Decimal("800.00"), Decimal("1500.00"))
    assert AidStep.objects.filter(application=application, to_state=State.APPROVED).count() == 1
    assert Campaign.objects.get(pk=aid.campaign.pk).approved_total == application.amount_approved


def test_concurrent_claims_stay_within_the_scheme_cap(tree, people, aid):
    enrolment = services.mutual_aid_enrol(scheme=aid.scheme, member=aid.member, by=people.officer_a)
    claims = []
    for _ in range(3):
        claim = services.application_submit(
            member=aid.member,
            by=aid.member_user,
            kind="mutual_aid",
            data={"reason": "住院", "medical_expenses": "9000"},
        )
        claims.append(services.application_check(application=claim, by=people.officer_a))
    # each claim alone would be 4000; three approved at once must not pass the 5000 cap
    results = run_together(
        *[lambda c=c: services.application_approve(application=c, by=people.district_staff) for c in claims]
    )
    approved = [r for r in results if isinstance(r, AidApplication)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert (len(approved), [e.code for e in refused]) == (2, ["zero_amount"]), results
    amounts = AidApplication.objects.filter(pk__in=[c.pk for c in claims]).values_list(
        "amount_approved", flat=True
    )
    assert sum(a for a in amounts if a is not None) == Decimal("5000.00")
    assert MutualAidEnrolment.objects.get(pk=enrolment.pk).reimbursed_total == Decimal("5000.00")

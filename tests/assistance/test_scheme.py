"""The medical mutual-aid scheme: deductible, ratio, annual cap, and the steps shown to the member."""

from decimal import Decimal

import pytest

from assistance import services
from assistance.models import MutualAidEnrolment, MutualAidScheme
from union_portal.core.errors import ApplicationError

D = Decimal


def _scheme(**kwargs):
    values = {"deductible": D("1000"), "ratio": D("0.5"), "annual_cap": D("5000")} | kwargs
    return MutualAidScheme(name="s", year=2026, **values)


@pytest.mark.parametrize(
    ("expenses", "before", "expected"),
    [
        ("800", "0", "0.00"),  # under the deductible
        ("1000", "0", "0.00"),  # exactly the deductible
        ("3000", "0", "1000.00"),  # (3000 - 1000) x 0.5
        ("3001.01", "0", "1000.51"),  # half a fen rounds up
        ("20000", "0", "5000.00"),  # capped
        ("5000", "4000", "1000.00"),  # only what is left under the cap
        ("5000", "5000", "0.00"),  # cap used up
    ],
)
def test_compute_claim(expenses, before, expected):
    assert services.compute_claim(
        scheme=_scheme(), expenses=expenses, reimbursed_before=D(before)
    ).amount == D(expected)


def test_the_steps_tell_the_member_how_it_was_computed():
    computation = services.compute_claim(scheme=_scheme(), expenses="3000", reimbursed_before=D("4500"))
    amounts = [s.amount for s in computation.steps]
    assert amounts == [
        D("3000.00"),
        D("1000"),
        D("2000.00"),
        D("1000.00"),
        D("5000"),
        D("4500"),
        D("500"),
        D("500"),
    ]
    assert computation.amount == D("500")
    assert computation.as_json()[-1]["amount"] == "500"


def test_negative_expenses_are_refused():
    with pytest.raises(ApplicationError) as info:
        services.compute_claim(scheme=_scheme(), expenses="-1")
    assert info.value.field == "medical_expenses"


def test_claims_add_up_to_the_annual_cap(tree, people, aid):
    enrolment = services.mutual_aid_enrol(scheme=aid.scheme, member=aid.member, by=people.officer_a)

    def claim(expenses):
        application = services.application_submit(
            member=aid.member,
            by=aid.member_user,
            kind="mutual_aid",
            data={"reason": "住院", "medical_expenses": expenses},
        )
        services.application_check(application=application, by=people.officer_a)
        return services.application_approve(application=application, by=people.district_staff)

    assert claim("9000").amount_approved == D("4000.00")
    # the second claim was computed at submission as 4000, but at approval only 1000 is left
    second = claim("9000")
    assert second.amount_approved == D("1000.00") and second.amount_limit == D("1000.00")
    assert second.computation[-1]["amount"] == "1000.00"
    assert MutualAidEnrolment.objects.get(pk=enrolment.pk).reimbursed_total == D("5000.00")


def test_a_claim_needs_an_enrolment(tree, people, aid):
    with pytest.raises(ApplicationError) as info:
        services.application_submit(
            member=aid.member,
            by=aid.member_user,
            kind="mutual_aid",
            data={"reason": "住院", "medical_expenses": "3000"},
        )
    assert info.value.code == "not_enrolled"

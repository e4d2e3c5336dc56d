"""The applicant of a case is told when it is referred to a partner office."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from legal_aid import services
from union_portal.notifications.models import Notification

from ..members.factories import make_member


def test_the_applicant_reads_where_the_case_was_referred(tree, people, django_capture_on_commit_callbacks):
    member = make_member(tree.union_a, user=people.member_user)
    case = services.case_open(
        by=people.district_staff,
        applicant=member,
        data={"employer_name": "某厂", "claims": [{"type": "wages", "amount": "5000"}],
              "arose_on": timezone.localdate() - dt.timedelta(days=3), "organisation": tree.town_a},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.case_refer(case=case, to_office="arbitration", by=people.district_staff, note="一站式")
    [message] = Notification.objects.filter(kind="legal.case_stage", recipient=people.member_user)
    assert message.body == "Referred to Labour arbitration court. 一站式"

"""Aid data at scale for the benchmarks (issue 9.19): generate_scale builds files, campaigns and
applications in every state with their payments, and every constraint holds."""

from __future__ import annotations

from collections import Counter as Tally

import pytest
from django.core.management import call_command
from django.db.models import Sum

from assistance.models import AidApplication, AidStep, Campaign, HardshipFile, Payment, State


@pytest.mark.django_db
def test_generate_scale_builds_aid_in_every_state():
    call_command("generate_scale", members=400, seed=5, only="members,assistance", verbosity=0)

    assert AidApplication.objects.count() == 40
    assert HardshipFile.objects.count() == 20
    states = Tally(AidApplication.objects.values_list("state", flat=True))
    assert set(states) <= set(State.values)
    assert set(states) >= {"submitted", "checked", "approved", "paid", "closed"}
    paid = AidApplication.objects.filter(state__in=["paid", "closed"])
    assert Payment.objects.count() == paid.count() > 0
    assert not Payment.objects.exclude(application__state__in=["paid", "closed"]).exists()
    assert AidStep.objects.filter(to_state="submitted").count() == 40
    for campaign in Campaign.objects.all():
        granted = campaign.applications.filter(state__in=["approved", "paid", "closed"])
        assert campaign.approved_total == (granted.aggregate(s=Sum("amount_approved"))["s"] or 0)
        assert campaign.paid_total == (campaign.payments.aggregate(s=Sum("amount"))["s"] or 0)
        assert campaign.approved_total <= campaign.budget
    assert not AidApplication.objects.filter(campaign__isnull=False, hardship_file__isnull=True).exists()

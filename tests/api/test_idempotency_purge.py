"""Answers kept for Idempotency-Key retries are dropped after a day by a beat job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.accounts.factories import make_user
from union_portal.api.models import IdempotentRequest
from union_portal.api.tasks import SCHEDULES, idempotent_requests_purge
from union_portal.core.schedules import declared_schedules

pytestmark = pytest.mark.django_db


def test_answers_older_than_a_day_are_dropped_and_newer_ones_kept(settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    owner = make_user(None, None, username="partner")
    old = IdempotentRequest.objects.create(owner=owner, key="batch-1", body_hash="x", status=200, response={})
    new = IdempotentRequest.objects.create(owner=owner, key="batch-2", body_hash="y", status=200, response={})
    IdempotentRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))

    assert idempotent_requests_purge.delay().get() == 1

    assert list(IdempotentRequest.objects.values_list("pk", flat=True)) == [new.pk]


def test_the_purge_is_a_beat_job():
    name = "api: forget idempotent answers older than a day"
    assert name in SCHEDULES
    assert declared_schedules()[name] == ("union_portal.api.tasks.idempotent_requests_purge", "17", "3")

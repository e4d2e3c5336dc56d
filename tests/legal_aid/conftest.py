"""Legal-aid fixtures: two stations (one per town), three lawyers with portal accounts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from legal_aid.models import Lawyer, Station
from union_portal.notifications import backends

from .factories import make_lawyer, make_station


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@dataclass
class Legal:
    station_a: Station  # town A
    station_b: Station  # town B
    wang: Lawyer
    li: Lawyer
    zhao: Lawyer


@pytest.fixture
def legal(tree, people) -> Legal:
    staff = people.district_staff
    return Legal(
        station_a=make_station(tree.town_a, staff),
        station_b=make_station(tree.town_b, staff, name="乐平外来工维权服务中心", kind="migrant"),
        wang=make_lawyer(tree.district, staff, name="王明", password="Lawyer-pass-2026"),
        li=make_lawyer(tree.district, staff, name="李华", password="Lawyer-pass-2026"),
        zhao=make_lawyer(tree.district, staff, name="赵强", password="Lawyer-pass-2026"),
    )

"""Enterprises and unions of the organisation tree, made through the platform's services."""

from __future__ import annotations

import random

from members.fakes import fake_credit_code
from union_portal.organisations import services as org_services
from union_portal.organisations.models import Enterprise, Organisation, OrganisationKind

_rng = random.Random(11)


def make_enterprise(town: Organisation, **kwargs) -> Enterprise:
    kwargs.setdefault("name", f"企业{Enterprise.objects.count() + 1}有限公司")
    kwargs.setdefault("credit_code", fake_credit_code(_rng))
    kwargs.setdefault("headcount", 100)
    return Enterprise.objects.create(town=town, **kwargs)


def make_union(
    parent: Organisation,
    name: str | None = None,
    enterprise: Enterprise | None = None,
    kind: str = OrganisationKind.GRASSROOTS,
) -> Organisation:
    return org_services.organisation_add(
        parent=parent,
        name=name or f"基层工会{Organisation.objects.count()}",
        kind=kind,
        enterprise=enterprise,
    )

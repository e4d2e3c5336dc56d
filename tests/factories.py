"""Factories that build data through the services, as the application does."""

from __future__ import annotations

import itertools
import random

import factory
from django.contrib.auth.models import Group

from members import services
from members.fakes import fake_credit_code, fake_name, unique_id_numbers
from members.models import Channel, Member
from union_portal.accounts.models import User
from union_portal.accounts.roles import Role
from union_portal.organisations import services as org_services
from union_portal.organisations.models import Enterprise, Organisation, OrganisationKind

PASSWORD = "Test-pass-2026"
_ids = unique_id_numbers(10_000_000, seed=99)
_rng = random.Random(7)
_mobiles = itertools.count(13800000000)


def next_id_number() -> str:
    return next(_ids)


def wrong_check_digit(id_number: str) -> str:
    """The same ID number with a check digit that is certainly wrong (replacing it with a fixed digit
    is right one time in eleven)."""
    return id_number[:17] + ("1" if id_number[17] != "1" else "2")


def next_mobile() -> str:
    return str(next(_mobiles))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyFunction(lambda: fake_name(_rng))
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted in (Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.UNION_OFFICER, Role.AUDITOR):
                self.is_staff = True
        if create:
            self.save()


def make_user(role: str | None = None, organisation: Organisation | None = None, **kwargs) -> User:
    return UserFactory(role=role, organisation=organisation, **kwargs)


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


def member_data(union: Organisation, **overrides) -> dict:
    data = {
        "name": fake_name(_rng),
        "id_number": next_id_number(),
        "mobile": next_mobile(),
        "union": union,
        "employer": union.enterprise,
        "household_type": "local",
        "job": "操作工",
        "skill_grade": "",
    }
    data.update(overrides)
    return data


def make_member(union: Organisation, *, active: bool = True, user: User | None = None, **overrides) -> Member:
    """A member made the way the application makes them (apply, then approve)."""
    admin = _system_user()
    member = services.member_apply(data=member_data(union, **overrides), by=admin, channel=Channel.OFFICER)
    if user is not None:
        Member.objects.filter(pk=member.pk).update(user=user)
        member.user = user
    if active:
        member = services.member_approve(member=member, by=admin)
    return member


def _system_user() -> User:
    user = User.objects.filter(username="system-test").first()
    if user is None:
        user = User.objects.create_superuser("system-test", password=PASSWORD)
    return user

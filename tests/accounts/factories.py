"""Users of every role, made as the application makes them."""

from __future__ import annotations

import random

import factory
from django.contrib.auth.models import Group

from members.fakes import fake_name
from union_portal.accounts.models import User
from union_portal.accounts.roles import Role
from union_portal.organisations.models import Organisation

PASSWORD = "Test-pass-2026"
_rng = random.Random(7)


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


def system_user() -> User:
    """The superuser that stands for "the application" where a step needs an actor (made once)."""
    user = User.objects.filter(username="system-test").first()
    if user is None:
        user = User.objects.create_superuser("system-test", password=PASSWORD)
    return user

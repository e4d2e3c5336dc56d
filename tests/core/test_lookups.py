"""``field__any=[...]`` (union_portal/core/lookups.py): the rows ``__in`` finds, with one parameter."""

import datetime as dt

import pytest
from django.db import connection

from members.models import Member
from tests.members.factories import make_member

pytestmark = pytest.mark.django_db


def _values(queryset, field):
    return sorted(queryset.values_list(field, flat=True))


def test_any_finds_what_in_finds(tree):
    members = [make_member(tree.union_a) for _ in range(3)]
    cards = [m.card_number for m in members[:2]] + ["0000000000000"]
    assert _values(Member.objects.filter(card_number__any=cards), "card_number") == sorted(cards[:2])
    assert _values(Member.objects.filter(card_number__any=cards), "card_number") == _values(
        Member.objects.filter(card_number__in=cards), "card_number"
    )
    ids = [members[0].pk, members[2].pk]
    assert _values(Member.objects.filter(pk__any=ids), "pk") == sorted(ids)
    assert list(Member.objects.filter(pk__any=[])) == []
    assert Member.objects.exclude(pk__any=[members[0].pk]).count() == 2


def test_any_converts_values_the_field_keeps(tree):
    member = make_member(tree.union_a)
    born = member.birth_date
    assert list(Member.objects.filter(birth_date__any=[born, dt.date(1900, 1, 1)])) == [member]
    assert list(Member.objects.filter(birth_date__any=[born.isoformat()])) == [member]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter is PostgreSQL's")
def test_any_sends_one_parameter_whatever_the_length(tree):
    member = make_member(tree.union_a)
    cards = [str(n) for n in range(5000)] + [member.card_number]
    queryset = Member.objects.filter(card_number__any=cards).values_list("pk", flat=True)
    sql, params = queryset.query.sql_with_params()
    assert "= ANY(%s)" in sql
    assert len(params) == 1
    assert list(queryset) == [member.pk]

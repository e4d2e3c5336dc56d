"""``FlatReadSerializer`` gives exactly what DRF's own ``Serializer`` gives, for every serializer using it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from members import api as members_api
from members.models import TransferRequest
from members.selectors import member_list
from members.services import member_reject, member_transfer
from union_portal.api.serializers import FlatReadSerializer
from union_portal.organisations.models import Enterprise

from ..members.factories import make_member


def drf_output(serializer_class, rows) -> list[dict]:
    reference = type(
        "Reference", (serializer_class,), {"to_representation": serializers.Serializer.to_representation}
    )
    return reference(rows, many=True).data


def rows_for(serializer_class, tree, people):
    make_member(tree.union_a, skill_grade="senior", is_migrant_worker=True, household_type="non_local")
    make_member(tree.branch_a, employer=None)
    rejected = make_member(tree.union_b, active=False)
    member_reject(member=rejected, by=people.district_staff, reason="重复申请")
    if serializer_class in (members_api.MemberSerializer, members_api.ApplicationSerializer):
        return list(member_list(viewer=people.district_staff))
    if serializer_class is members_api.EnterpriseSerializer:
        return list(Enterprise.objects.all())
    if serializer_class is members_api.TransferRequestSerializer:
        for member in member_list(viewer=people.district_staff).filter(
            union__in=[tree.union_a, tree.branch_a]
        ):
            member_transfer(member=member, to_union=tree.union_b, by=people.town_a_staff, reason="调动")
        return list(TransferRequest.objects.select_related("member", "from_union", "to_union"))
    return list(members_api.organisation_list(viewer=people.district_staff))


FLAT_SERIALIZERS = [
    cls for cls in vars(members_api).values()
    if isinstance(cls, type) and issubclass(cls, FlatReadSerializer) and cls is not FlatReadSerializer
]  # fmt: skip


def test_every_list_serializer_is_flat():
    assert {cls.__name__ for cls in FLAT_SERIALIZERS} == {
        "OrganisationSerializer", "EnterpriseSerializer", "MemberSerializer", "ApplicationSerializer",
        "TransferRequestSerializer",
    }  # fmt: skip


@pytest.mark.parametrize("serializer_class", FLAT_SERIALIZERS, ids=lambda cls: cls.__name__)
def test_same_output_as_drf(tree, people, serializer_class):
    rows = rows_for(serializer_class, tree, people)

    fast = serializer_class(rows, many=True).data

    assert len(fast) >= 2
    assert fast == drf_output(serializer_class, rows)


def test_a_field_without_an_attribute_source_is_refused():
    class Whole(FlatReadSerializer):
        everything = serializers.DictField(source="*", read_only=True)

    with pytest.raises(ImproperlyConfigured, match="needs an attribute"):
        _ = Whole({"a": 1}).data

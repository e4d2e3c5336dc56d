"""Serializer fields every app's API uses."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class RefSerializer(serializers.Serializer):
    """A related row as id and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


@extend_schema_field(RefSerializer)
class RefField(serializers.Field):
    """``{"id", "name"}`` of a related row loaded with ``select_related``: cheaper than a nested serializer."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {"id": value.pk, "name": value.name}

"""Serializer fields every app's API uses."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy
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


class TextField(serializers.CharField):
    """A ``CharField`` that takes a JSON string only: DRF's own turns ``123`` or ``true`` into text, so
    a reason given as a number passed as if someone had typed it (issue 18.5)."""

    default_error_messages = {"invalid": gettext_lazy("Not a valid string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RequiredTextField(TextField):
    """Text that must be given (a reason the service requires): the schema says ``minLength: 1``, and an
    empty string is answered ``required``, the code the service itself would give."""

    def __init__(self, **kwargs):
        kwargs["allow_blank"] = False
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and data.strip() == "":
            self.fail("required")
        return super().run_validation(data)


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` only: DRF's own also takes ``0``, ``1``, ``"yes"`` ..., which the schema
    (``type: boolean``) forbids."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^\d{0,10}(?:\.\d{0,2})?$", "example": "1200.00"}
)
class MoneyField(serializers.DecimalField):
    """An amount of yuan that cannot be negative (a claim, an amount recovered): a string of at most ten
    whole digits and two decimals. The schema's pattern says "not negative" where DRF's own decimal
    field is documented with ``-?`` and ``min_value`` left out (a string has no ``minimum``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(**kwargs)


class PreloadedRelatedField(serializers.PrimaryKeyRelatedField):
    """A ``PrimaryKeyRelatedField`` that first looks the id up among rows loaded beforehand for a whole
    batch (``context["preloaded"][model]``: ``{pk: row}``, see :func:`preload_related`), so that a
    request of a thousand records makes one query per related model instead of one per record. An id
    not found there (malformed, unknown) goes through DRF's own lookup: the same errors as ever."""

    def to_internal_value(self, data):
        rows = self.context.get("preloaded", {}).get(self.get_queryset().model)
        key = _plain_pk(data)
        if rows is not None and key in rows:
            return rows[key]
        return super().to_internal_value(data)


def _plain_pk(value) -> int | None:
    """``value`` as an integer key when it plainly is one (``12`` or ``"12"``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def preload_related(serializer_class, records: list) -> dict:
    """``{model: {pk: row}}`` of the rows that the :class:`PreloadedRelatedField` fields of
    ``serializer_class`` name in ``records`` (dicts of input): one query per field's model."""
    preloaded: dict = {}
    for name, field in serializer_class().fields.items():
        if not isinstance(field, PreloadedRelatedField):
            continue
        keys = {_plain_pk(record.get(name)) for record in records if isinstance(record, dict)} - {None}
        queryset = field.get_queryset()
        rows = preloaded.setdefault(queryset.model, {})
        if keys:
            rows.update(queryset.in_bulk(keys))
    return preloaded

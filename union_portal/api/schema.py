"""The schema class of the API: drf-standardized-errors' own, plus the 400s our shared pieces raise.

Every list answers a malformed ``page_size`` (``StandardPagination``) and a malformed filter value
(``FilterBackend``) with a validation error naming the parameter; the library documents neither, so a
schemathesis run found those answers undocumented. They are added here, once, for every list.
"""

from __future__ import annotations

import re

from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_utils import (
    get_django_filter_backends,
    get_filter_forms,
    get_flat_serializer_fields,
    get_serializer_fields_with_error_codes,
)
from rest_framework import serializers

from .pagination import StandardPagination


class AutoSchema(StandardizedErrorsAutoSchema):
    def _get_extra_validation_errors(self):
        errors = dict(super()._get_extra_validation_errors())
        if self.method != "GET":
            return errors
        paginator = self._get_paginator()
        if isinstance(paginator, StandardPagination) and self._is_list_view():
            errors.setdefault(paginator.page_size_query_param, set()).add("invalid")
            errors.setdefault(paginator.page_query_param, set()).add("invalid")
        filter_backends = get_django_filter_backends(self.get_filter_backends())
        for form in get_filter_forms(self.view, filter_backends):
            for name in form.fields:
                errors.setdefault(name, set()).add("invalid")
        # a view that reads its query with a serializer (``@extend_schema(parameters=[QuerySerializer])``)
        # answers that serializer's errors, and a range check of its own on any of its fields
        for parameter in self.get_override_parameters():
            if isinstance(parameter, type) and issubclass(parameter, serializers.Serializer):
                for field in get_serializer_fields_with_error_codes(get_flat_serializer_fields(parameter)):
                    errors.setdefault(field.name, set()).update({*field.error_codes, "invalid"})
        return errors


def _attr_pattern(value: str) -> str:
    pattern = re.escape(value).replace("INDEX", "[0-9]+").replace("KEY", "[^.]+")
    suffix = re.escape(".non_field_errors")
    if pattern.endswith(suffix) and pattern != re.escape("non_field_errors"):
        # an error of the list itself (too long, not a list) is named after the list, as DRF names it
        pattern = pattern[: -len(suffix)] + f"(?:{suffix})?"
    return pattern


def postprocess_error_attrs(result, generator, request, public):
    """drf-standardized-errors names the item of a list ``members.INDEX`` (and a key of a dict ``KEY``) in
    the schema, while the answer names it ``members.3``; and it documents the list's own errors as
    ``claims.non_field_errors`` while DRF answers ``claims``. Such ``attr`` enums become the patterns the
    answers follow, and the ``attr`` discriminator over them goes (a pattern cannot be a mapping key)."""
    schemas = result.get("components", {}).get("schemas", {})
    patched = set()
    for name, component in schemas.items():
        attr = component.get("properties", {}).get("attr", {})
        values = attr.get("enum") or []
        if not name.endswith("ErrorComponent") or not any(
            "INDEX" in v or "KEY" in v or (v.endswith(".non_field_errors")) for v in values
        ):
            continue
        component["properties"]["attr"] = {
            "type": "string",
            "pattern": "^(?:" + "|".join(_attr_pattern(v) for v in values) + ")$",
            "description": ", ".join(values),
        }
        patched.add(f"#/components/schemas/{name}")
    for component in schemas.values():
        discriminator = component.get("discriminator")
        if (
            discriminator
            and discriminator.get("propertyName") == "attr"
            and patched & set(discriminator.get("mapping", {}).values())
        ):
            del component["discriminator"]
    return result

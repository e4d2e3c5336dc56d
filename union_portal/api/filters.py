"""Filter backends shared by every API list."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import OrderingFilter

BIGINT_MAX = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A primary key, as a whole number of any size, as the schema says (``type: integer``).

    ``NumberFilter`` reads ``1.5`` for an id and refuses a number above 1e50 (a guard for decimal
    parsing that an integer does not need): a larger id simply matches nothing, as a missing one does
    (without asking the database: an integer past 64 bits is an error to it).
    """

    field_class = forms.IntegerField

    def get_max_validator(self):
        return None

    def filter(self, qs, value):
        if value not in (None, "") and not -BIGINT_MAX <= value <= BIGINT_MAX:
            return qs.none()  # no row has it (and a database would refuse to compare it)
        return super().filter(qs, value)


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` over the view's ``ordering_fields``, with two additions.

    - A public name may stand for other columns: ``ordering_aliases = {"name": ("name_pinyin", "name")}``
      sorts Chinese names by their pinyin, which is what people expect of "by name".
    - The primary key is always the last key, so that pages of a list never overlap or skip rows.
    """

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        aliases = getattr(view, "ordering_aliases", {})
        columns: list[str] = []
        for term in ordering:
            descending = term.startswith("-")
            for column in aliases.get(term.lstrip("-"), (term.lstrip("-"),)):
                columns.append(f"-{column}" if descending else column)
        if not any(column.lstrip("-") in ("pk", "id") for column in columns):
            columns.append("pk")
        return queryset.order_by(*columns)


_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
_INTEGER_FIELDS = (models.IntegerField, models.AutoField, models.ForeignKey)


def _model_field(model, path: str):
    """The model field a filter's ``field_name`` (``member__union``) ends at, or None."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model or model
    return field


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend for the API, holding query parameters to the types the schema gives them.

    django-filter silently ignores a filter whose value is empty or that its widget cannot read (a
    date filter given ``?submitted_before=``, a yes/no filter given ``?revoked=null``) and a number
    filter reads ``0.5`` for an integer column: the list then answers as if the filter had not been
    sent. The portal's forms rely on empty fields being ignored, so the rule lives here, in the API
    only: a typed parameter that is present must hold one value of its type, else a 400 names it.
    """

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {}
            for name, filter_ in filterset.filters.items():
                values = request.query_params.getlist(name)
                if values and not self._valid(filter_, values, queryset.model):
                    errors[name] = [ErrorDetail(_("Not a valid value for this filter."), code="invalid")]
            if errors:
                # with the form's own errors (an unknown choice keeps its code), which are more precise
                if not filterset.is_valid():
                    errors.update(translate_validation(filterset.errors).detail)
                raise ValidationError(errors)
        return filterset

    @staticmethod
    def _valid(filter_, values: list[str], model) -> bool:
        many = isinstance(filter_, django_filters.MultipleChoiceFilter | django_filters.BaseInFilter)
        if len(values) > 1 and not many:
            return False
        if isinstance(filter_, django_filters.CharFilter) and not isinstance(
            filter_, django_filters.BaseInFilter
        ):
            return True
        for value in values:
            if value == "":
                choices = (
                    filter_.extra.get("choices") if isinstance(filter_, django_filters.ChoiceFilter) else None
                )
                if choices is None or "" not in [choice[0] for choice in choices]:
                    return False
                continue
            if isinstance(filter_, django_filters.BooleanFilter) and value.lower() not in ("true", "false"):
                return False
            if isinstance(filter_, django_filters.NumberFilter | django_filters.ModelChoiceFilter):
                field = _model_field(model, filter_.field_name)
                pattern = _INTEGER if isinstance(field, _INTEGER_FIELDS) else _NUMBER
                if not pattern.fullmatch(value):
                    return False
        return True

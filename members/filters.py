"""FilterSets of organisations, enterprises and members: one per model, for the API and the portal lists.

No model-choice filters: a foreign key is filtered by its number, so a request costs
no validation query (docs/pitfalls.md). ``within`` narrows a list to the subtree of one
organisation node, looked up among the nodes the requesting user may see: a node
outside the user's scope gives an empty list, never a hint that it exists.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from union_portal.api.filters import BIGINT_MAX, IdFilter
from union_portal.organisations.models import Enterprise, Industry, Organisation, OrganisationKind, Ownership

from .models import HouseholdType, Member, MemberStatus, SkillGrade
from .selectors import member_search


@extend_schema_field(OpenApiTypes.INT)
class SubtreeFilter(IdFilter):
    """Rows that belong to the subtree of one organisation node the requesting user may see.

    "Belongs to the subtree" is the scoping rule's own definition (``ScopedQuerySet.org_q``):
    members by their union, enterprises by their town or one of their unions, organisations by path.
    """

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if not -BIGINT_MAX <= value <= BIGINT_MAX:
            return qs.none()  # no node has it (see IdFilter)
        request = getattr(self.parent, "request", None)
        user = getattr(request, "user", None)
        path = Organisation.objects.visible_to(user).filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(qs.org_q(path))


class OrganisationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    within = SubtreeFilter(label=_("Within (organisation id)"))
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Organisation
        fields = ["kind", "within", "is_active"]


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or credit code"))
    town = IdFilter(field_name="town_id")
    within = SubtreeFilter(label=_("Within (organisation id)"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices)
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Enterprise
        fields = ["q", "town", "within", "industry", "ownership", "is_active"]

    def search(self, queryset, name, value):
        term = (value or "").strip()
        if not term:
            return queryset
        if len(term) == 18 and term.isalnum():
            return queryset.filter(credit_code=term.upper())
        return queryset.filter(name__contains=term)


class MemberFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Name, pinyin, initials, ID number, mobile or card number")
    )
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices)
    within = SubtreeFilter(label=_("Within (organisation id)"))
    union = IdFilter(field_name="union_id")
    employer = IdFilter(field_name="employer_id")
    household_type = django_filters.ChoiceFilter(choices=HouseholdType.choices)
    skill_grade = django_filters.ChoiceFilter(choices=SkillGrade.choices)
    is_migrant_worker = django_filters.BooleanFilter()

    class Meta:
        model = Member
        fields = [
            "q", "status", "within", "union", "employer", "household_type", "skill_grade", "is_migrant_worker",
        ]  # fmt: skip

    def search(self, queryset, name, value):
        return member_search(queryset, value)


#: Statuses listed as membership applications.
APPLICATION_STATUSES = (MemberStatus.PENDING, MemberStatus.REJECTED)


class ApplicationFilterSet(MemberFilterSet):
    status = django_filters.ChoiceFilter(choices=[(s.value, s.label) for s in APPLICATION_STATUSES])

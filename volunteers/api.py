"""REST API of volunteer service (``/api/v1/volunteers/...``).

- ``open-activities/`` (public, no login): activities taking sign-ups, by town and category;
  ``open-activities/{id}/signup/``: the caller signs themselves up (a place or the waiting list).
- ``signups/``, ``records/``, ``volunteers/``: scoped reads (``visible_to``): staff their subtree,
  a team leader their teams, a volunteer their own rows. Commands are viewset actions calling one
  service each: cancel a sign-up; verify or reject hours.
"""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from union_portal.api.commands import CommandMixin
from union_portal.api.fields import RefField
from union_portal.api.filters import FilterBackend, IdFilter, StableOrderingFilter
from union_portal.api.permissions import CommandPermissions
from union_portal.api.serializers import QuerySerializer

from . import selectors, services
from .models import (
    Activity,
    ActivityStatus,
    Category,
    RecordSource,
    RecordStatus,
    SignupStatus,
    VolunteerStatus,
)

# --- serializers ------------------------------------------------------------------------------------


class OpenActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    team = RefField()
    town = RefField(allow_null=True)
    place = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    capacity = serializers.IntegerField(read_only=True)
    free_places = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=ActivityStatus.choices, read_only=True)
    signup_closes_at = serializers.DateTimeField(read_only=True)
    description = serializers.CharField(read_only=True)


class SignupSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    activity = serializers.IntegerField(source="activity_id", read_only=True)
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    volunteer = serializers.IntegerField(source="volunteer_id", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.masked_name", read_only=True)
    status = serializers.ChoiceField(choices=SignupStatus.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    promoted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    volunteer = serializers.IntegerField(source="volunteer_id", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.masked_name", read_only=True)
    activity = serializers.IntegerField(source="activity_id", read_only=True)
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    team = RefField(source="activity.team")
    started_at = serializers.DateTimeField(read_only=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=RecordStatus.choices, read_only=True)
    source = serializers.ChoiceField(choices=RecordSource.choices, read_only=True)
    note = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class VolunteerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="masked_name", read_only=True)
    organisation = RefField()
    status = serializers.ChoiceField(choices=VolunteerStatus.choices, read_only=True)
    verified_hours = serializers.DecimalField(
        max_digits=8, decimal_places=2, read_only=True, help_text=gettext_lazy("Only verified hours count.")
    )
    star_level = serializers.IntegerField(read_only=True)
    registered_on = serializers.DateField(read_only=True)


class EmptyInputSerializer(serializers.Serializer):
    pass


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=gettext_lazy("The volunteer reads it."))


# --- permissions ------------------------------------------------------------------------------------


class OwnRowsOrViewPermission(BasePermission):
    """Staff and leaders need the model's view permission; a person without an organisation scope may
    read their own rows (the queryset is ``visible_to``: nothing else reaches them)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = view.get_queryset().model
        return (
            user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}") or not user.has_org_scope
        )


# --- filters ----------------------------------------------------------------------------------------


class RecordFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices)
    team = IdFilter(field_name="activity__team_id")
    started_after = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte")
    started_before = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte")


class SignupFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SignupStatus.choices)
    activity = IdFilter(field_name="activity_id")


# --- public: open activities ------------------------------------------------------------------------


class OpenActivitiesQuerySerializer(QuerySerializer):
    town = serializers.IntegerField(
        required=False, min_value=1, help_text=gettext_lazy("Only activities in this town.")
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False)


class OpenActivitiesView(generics.ListAPIView):
    """Activities taking sign-ups (or full, with a waiting list) that have not ended: public."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = OpenActivitySerializer
    filter_backends = []

    @extend_schema(parameters=[OpenActivitiesQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = OpenActivitiesQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        activities = selectors.open_activities(category=query.validated_data.get("category"))
        if query.validated_data.get("town"):
            activities = activities.filter(town_id=query.validated_data["town"])
        return activities


class SignupSelfView(APIView):
    """The caller signs themselves up for an open activity: a place while one is free, else the waiting list."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=EmptyInputSerializer, responses={200: SignupSerializer})
    def post(self, request, pk):
        activity = get_object_or_404(Activity.objects.public(), pk=pk)
        signup = services.signup_create(
            activity=activity, volunteer=services.volunteer_of(request.user), by=request.user
        )
        return Response(SignupSerializer(signup).data)


# --- scoped viewsets --------------------------------------------------------------------------------


class SignupViewSet(CommandMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sign-ups the caller may see; ``cancel`` frees the place for the first on the waiting list."""

    serializer_class = output_serializer_class = SignupSerializer
    permission_classes = [OwnRowsOrViewPermission]
    filterset_class = SignupFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "pk"]

    def get_queryset(self):
        return selectors.signup_list(viewer=self.request.user)

    @extend_schema(
        summary=gettext_lazy("Cancel a sign-up before the activity starts"),
        request=EmptyInputSerializer,
        responses={200: SignupSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], filter_backends=[])
    def cancel(self, request, pk=None):
        signup = services.signup_cancel(signup=self.get_object(), by=request.user)
        return self.render(self.get_queryset().get(pk=signup.pk))


class RecordViewSet(CommandMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Service records the caller may see; the team leader (or staff) verifies or rejects pending hours."""

    serializer_class = output_serializer_class = RecordSerializer
    permission_classes = [OwnRowsOrViewPermission]
    filterset_class = RecordFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["started_at", "pk"]

    def get_queryset(self):
        return selectors.record_list(viewer=self.request.user)

    def step(self, service, input_serializer):
        record = self.get_object()
        data = self.command_input(input_serializer)
        record = service(record=record, by=self.request.user, **data)
        return self.render(self.get_queryset().get(pk=record.pk))

    @extend_schema(
        summary=gettext_lazy("Verify the hours"),
        request=EmptyInputSerializer,
        responses={200: RecordSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def verify(self, request, pk=None):
        return self.step(services.record_verify, EmptyInputSerializer)

    @extend_schema(
        summary=gettext_lazy("Reject the hours, with a reason"),
        request=ReasonInputSerializer,
        responses={200: RecordSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def reject(self, request, pk=None):
        return self.step(services.record_reject, ReasonInputSerializer)


class VolunteerViewSet(viewsets.ReadOnlyModelViewSet):
    """Volunteers of the caller's scope with their verified hours and star level (names masked)."""

    serializer_class = VolunteerSerializer
    permission_classes = [OwnRowsOrViewPermission]
    filter_backends = [FilterBackend, StableOrderingFilter]
    filterset_fields = ["status", "star_level"]
    ordering_fields = ["verified_hours", "pk"]

    def get_queryset(self):
        return selectors.volunteer_list(viewer=self.request.user)


ROUTES = [
    ("volunteers/signups", SignupViewSet, "volunteer-signup"),
    ("volunteers/records", RecordViewSet, "volunteer-record"),
    ("volunteers/volunteers", VolunteerViewSet, "volunteer"),
]
COMMAND_URLS = [
    path("volunteers/open-activities/", OpenActivitiesView.as_view(), name="volunteer-open-activities"),
    path(
        "volunteers/open-activities/<int:pk>/signup/", SignupSelfView.as_view(), name="volunteer-signup-self"
    ),
]

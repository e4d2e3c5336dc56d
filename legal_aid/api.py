"""REST API of legal aid (``/api/v1/legal/...``).

Stations with their opening hours are public. Shifts, consultations and cases are scoped read
viewsets (``visible_to``: staff their subtree, a lawyer their own). A partner office's system
(justice bureau, arbitration court: the one-stop mechanism) refers a case with
``POST /legal/cases/`` and follows it through the stages; the stage moves are actions
(``POST /legal/cases/{id}/advance/``, ``close``, ``refer``), each calling its one service. The
details of a dispute are given only to whoever may read them (``selectors.may_read_details``).
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import Member
from union_portal.api.commands import CommandMixin
from union_portal.api.fields import MoneyField, RefField
from union_portal.api.filters import StableOrderingFilter
from union_portal.api.permissions import CommandPermissions
from union_portal.organisations.models import Enterprise, Organisation

from . import selectors, services
from .models import ClaimType, Outcome, PartnerOffice, ShiftStatus, Stage, Station, Topic


class StationSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="organisation.name", read_only=True)
    opening_hours = serializers.ListField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        read_only=True,
        help_text=gettext_lazy('Seven lists (Monday first) of ["HH:MM", "HH:MM"] periods.'),
    )

    class Meta:
        model = Station
        fields = ("id", "name", "kind", "town", "address", "phone", "opening_hours", "closed_on_holidays")


class ShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    station = RefField()
    lawyer = serializers.CharField(source="lawyer.name", read_only=True, allow_null=True, default=None)
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    status = serializers.ChoiceField(choices=ShiftStatus.choices, read_only=True)


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    channel = serializers.CharField(read_only=True)
    topic = serializers.ChoiceField(choices=Topic.choices, read_only=True)
    person = serializers.CharField(source="masked_person", read_only=True)
    lawyer = serializers.CharField(source="lawyer.name", read_only=True, allow_null=True, default=None)
    status = serializers.CharField(read_only=True)
    follow_up_needed = serializers.BooleanField(read_only=True)
    asked_at = serializers.DateTimeField(read_only=True)


class CaseStepSerializer(serializers.Serializer):
    from_stage = serializers.CharField(read_only=True)
    to_stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(read_only=True)
    #: Set on a step that interrupted the limitation period: the new limitation date (stage unchanged).
    limitation_on = serializers.DateField(read_only=True, allow_null=True)


class CaseSerializer(serializers.Serializer):
    """A case as partners and staff see it: the applicant's name masked, the details only when permitted."""

    id = serializers.IntegerField(read_only=True)
    applicant = serializers.SerializerMethodField()
    employer_name = serializers.CharField(read_only=True)
    claims = serializers.JSONField(read_only=True)
    claimed_total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    arose_on = serializers.DateField(read_only=True)
    limitation_on = serializers.DateField(read_only=True)
    days_to_limitation = serializers.SerializerMethodField()
    time_barred = serializers.BooleanField(source="is_time_barred", read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    lawyer = serializers.CharField(source="lawyer.name", read_only=True, allow_null=True, default=None)
    referred_from = serializers.CharField(read_only=True)
    referred_to = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    amount_recovered = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    applicant_id_number = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()

    def get_applicant(self, obj) -> str:
        return selectors.mask_name(obj.applicant_name)

    def get_applicant_id_number(self, obj) -> str:
        """A non-member applicant's ID number: whole only to whoever may read the details."""
        request = self.context.get("request")
        if request and selectors.may_read_details(request.user, obj):
            return obj.applicant_id_number
        return obj.masked_id_number

    def get_days_to_limitation(self, obj) -> int | None:
        return obj.days_to_limitation()

    def get_details(self, obj) -> str:
        request = self.context.get("request")
        return (
            obj.details if request and selectors.may_read_details(request.user, obj) else obj.masked_details
        )


class CaseDetailSerializer(CaseSerializer):
    steps = CaseStepSerializer(many=True, read_only=True)


class ClaimInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClaimType.choices)
    amount = MoneyField()


class CaseOpenInputSerializer(serializers.Serializer):
    applicant_name = serializers.CharField(max_length=50)
    applicant_mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    applicant_id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    applicant_member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False)
    employer = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), required=False)
    employer_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    claims = ClaimInputSerializer(many=True)
    arose_on = serializers.DateField()
    details = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    referred_from = serializers.ChoiceField(choices=PartnerOffice.choices, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AdvanceInputSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CloseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    amount_recovered = MoneyField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ReferInputSerializer(serializers.Serializer):
    to_office = serializers.ChoiceField(choices=PartnerOffice.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class StationListView(APIView):
    """Open duty stations with their weekly opening hours: public, no login (a command URL, not a
    scoped viewset: every station is meant to be found)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: StationSerializer(many=True)})
    def get(self, request):
        return Response(StationSerializer(selectors.station_list().order_by("name", "pk"), many=True).data)


class ShiftViewSet(viewsets.ReadOnlyModelViewSet):
    """Duty shifts of the caller's scope, or a lawyer's own, from today on unless ``?past=1``."""

    serializer_class = ShiftSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["start", "pk"]

    def get_queryset(self):
        queryset = selectors.shift_list(viewer=self.request.user)
        if self.action == "list" and self.request.GET.get("past") != "1":
            queryset = queryset.filter(end__gte=timezone.now())
        return queryset.order_by("start", "pk")


class ConsultationViewSet(viewsets.ReadOnlyModelViewSet):
    """Consultations of the caller's scope (names masked), or a lawyer's own."""

    serializer_class = ConsultationSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["asked_at", "pk"]

    def get_queryset(self):
        return selectors.consultation_list(viewer=self.request.user)


@extend_schema_view(
    create=extend_schema(
        summary=gettext_lazy("Refer or take in a labour-dispute case"),
        request=CaseOpenInputSerializer,
        responses={201: CaseSerializer},
    ),
    retrieve=extend_schema(responses={200: CaseDetailSerializer}),
)
class CaseViewSet(
    CommandMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Labour-dispute cases of the caller's scope, open ones nearest their limitation date first."""

    serializer_class = output_serializer_class = CaseSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["opened_at", "limitation_on", "pk"]

    def get_queryset(self):
        queryset = selectors.case_list(viewer=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("steps")
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return CaseOpenInputSerializer
        if self.action == "retrieve":
            return CaseDetailSerializer
        return CaseSerializer

    def create(self, request, *args, **kwargs):
        data = self.command_input(CaseOpenInputSerializer)
        applicant = data.pop("applicant_member", None)
        case = services.case_open(by=request.user, applicant=applicant, data=data)
        response = self.render(case)
        response.status_code = 201
        return response

    def step(self, service, input_serializer):
        case = self.get_object()
        data = self.command_input(input_serializer)
        case = service(case=case, by=self.request.user, **data)
        return self.render(self.get_queryset().get(pk=case.pk))

    @extend_schema(
        summary=gettext_lazy("Move the case one stage forward"),
        request=AdvanceInputSerializer,
        responses={200: CaseSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def advance(self, request, pk=None):
        return self.step(services.case_advance, AdvanceInputSerializer)

    @extend_schema(
        summary=gettext_lazy("Close the case with its outcome"),
        request=CloseInputSerializer,
        responses={200: CaseSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def close(self, request, pk=None):
        return self.step(services.case_close, CloseInputSerializer)

    @extend_schema(
        summary=gettext_lazy("Refer the case to a partner office"),
        request=ReferInputSerializer,
        responses={200: CaseSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def refer(self, request, pk=None):
        return self.step(services.case_refer, ReferInputSerializer)


ROUTES = [
    ("legal/shifts", ShiftViewSet, "legal-shift"),
    ("legal/consultations", ConsultationViewSet, "legal-consultation"),
    ("legal/cases", CaseViewSet, "legal-case"),
]
COMMAND_URLS = [
    path("legal/stations/", StationListView.as_view(), name="legal-stations"),
]

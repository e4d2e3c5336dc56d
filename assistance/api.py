"""REST API of hardship aid (``/api/v1/aid/...``).

Applications and hardship files are declarative, scoped read viewsets (``visible_to``); filing an
application is ``POST /aid/applications/`` through ``application_submit``; every workflow step is an
action of the viewset (``POST /aid/applications/{id}/approve/``) with an input and an output
serializer, calling the one service of that step (``union_portal.api.commands``). Partners with ``assistance.view_aid_figures``
read aggregate figures of a subtree they can see at ``/aid/figures/`` (from the figures registry). Nothing is deleted; nothing is edited in place.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import Member
from union_portal.api.commands import CommandMixin
from union_portal.api.fields import RefField
from union_portal.api.filters import FilterBackend, IdFilter, StableOrderingFilter
from union_portal.api.permissions import CommandPermissions
from union_portal.api.serializers import QuerySerializer
from union_portal.core.figures import figures_scope

from . import selectors, services
from .models import (
    AidApplication,
    AidKind,
    Campaign,
    Cause,
    FileStatus,
    HardshipFile,
    HardshipLevel,
    PaymentMethod,
    State,
    member_label,
)

# --- filters ------------------------------------------------------------------------------------------


class AidApplicationFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    kind = django_filters.ChoiceFilter(choices=AidKind.choices)
    campaign = IdFilter(field_name="campaign_id")
    member = IdFilter(field_name="member_id")
    submitted_after = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte")

    class Meta:
        model = AidApplication
        fields = ["state", "kind", "campaign", "member"]


class HardshipFileFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FileStatus.choices)
    level = django_filters.ChoiceFilter(choices=HardshipLevel.choices)
    recheck_before = django_filters.DateFilter(field_name="next_recheck_on", lookup_expr="lte")

    class Meta:
        model = HardshipFile
        fields = ["status", "level"]


# --- serializers: output ---------------------------------------------------------------------------------


class ComputationStepSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class AidStepSerializer(serializers.Serializer):
    from_state = serializers.CharField(read_only=True, help_text=gettext_lazy("Empty for the submission."))
    to_state = serializers.ChoiceField(choices=State.choices, read_only=True)
    at = serializers.DateTimeField(read_only=True)
    by = serializers.CharField(source="by.username", read_only=True)
    note = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)


class AidApplicationSerializer(serializers.Serializer):
    """An application as staff and partners see it: the member's name masked."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=AidKind.choices, read_only=True)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.masked_name", read_only=True)
    member_label = serializers.SerializerMethodField(
        help_text="The masked name with the card number's last four digits: tells equal masks apart."
    )
    union_name = serializers.CharField(source="member.union.name", read_only=True)
    payee_bank = serializers.CharField(read_only=True)
    payee_account_masked = serializers.CharField(source="masked_payee_account", read_only=True)

    def get_member_label(self, obj) -> str:
        return member_label(obj.member)

    union = RefField(source="member.union")
    campaign = serializers.IntegerField(source="campaign_id", read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True)
    student_name = serializers.CharField(read_only=True)
    university = serializers.CharField(read_only=True)
    admission_year = serializers.IntegerField(read_only=True, allow_null=True)
    medical_expenses = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    amount_requested = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    amount_limit = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)
    amount_approved = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    override_reason = serializers.CharField(read_only=True)
    rejection_reason = serializers.CharField(read_only=True)
    computation = ComputationStepSerializer(many=True, read_only=True)
    filed_by_proxy = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(read_only=True)
    state_changed_at = serializers.DateTimeField(read_only=True)

    def get_filed_by_proxy(self, obj) -> bool:
        return obj.filed_by_id != obj.member.user_id


class AidApplicationDetailSerializer(AidApplicationSerializer):
    steps = AidStepSerializer(many=True, read_only=True)


class HardshipFileSerializer(serializers.Serializer):
    """A hardship file without its household and incomes (those need ``assistance.view_household``)."""

    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.masked_name", read_only=True)
    member_label = serializers.SerializerMethodField(
        help_text="The masked name with the card number's last four digits: tells equal masks apart."
    )
    union_name = serializers.CharField(source="member.union.name", read_only=True)

    def get_member_label(self, obj) -> str:
        return member_label(obj.member)

    union = RefField(source="member.union")
    level = serializers.ChoiceField(choices=HardshipLevel.choices, read_only=True)
    causes = serializers.ListField(child=serializers.ChoiceField(choices=Cause.choices), read_only=True)
    status = serializers.ChoiceField(choices=FileStatus.choices, read_only=True)
    opened_on = serializers.DateField(read_only=True)
    next_recheck_on = serializers.DateField(read_only=True)
    exited_on = serializers.DateField(read_only=True, allow_null=True)


class HouseholdMemberSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    relation = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True)
    health = serializers.CharField(read_only=True)
    work = serializers.CharField(read_only=True)
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class HardshipFileDetailSerializer(HardshipFileSerializer):
    household_size = serializers.IntegerField(read_only=True)
    household_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    income_per_head = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    household = HouseholdMemberSerializer(many=True, read_only=True)


class MoneyMapField(serializers.DictField):
    child = serializers.DecimalField(max_digits=14, decimal_places=2)


class AidFiguresSerializer(serializers.Serializer):
    organisation = RefField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    households_helped = serializers.IntegerField(
        help_text=gettext_lazy("Members paid at least once in the period.")
    )
    students_helped = serializers.IntegerField()
    money_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    money_by_kind = MoneyMapField(help_text=gettext_lazy("Every kind of aid, zero included."))
    money_by_town = MoneyMapField(
        help_text=gettext_lazy(
            "By the organisations directly below the one asked for (the towns, for the district), by name."
        )
    )
    money_by_month = MoneyMapField(help_text=gettext_lazy("Every month of the period, zero included."))
    files_open = serializers.IntegerField()
    files_exited = serializers.IntegerField()
    exit_rate = serializers.FloatField(allow_null=True)


# --- serializers: input -----------------------------------------------------------------------------------


class AidSubmitInputSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    kind = serializers.ChoiceField(choices=AidKind.choices)
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(allow_blank=True)
    student_name = serializers.CharField(required=False, allow_blank=True)
    university = serializers.CharField(required=False, allow_blank=True)
    admission_year = serializers.IntegerField(required=False, allow_null=True)
    medical_expenses = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    amount_requested = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    payee_bank = serializers.CharField(required=False, allow_blank=True, max_length=100)
    payee_account = serializers.CharField(required=False, allow_blank=True, max_length=40, write_only=True)

    def to_representation(self, instance):
        return AidApplicationSerializer(instance, context=self.context).data


class AidNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AidApproveInputSerializer(AidNoteInputSerializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True,
        help_text=gettext_lazy("Left out: the limit of the rules (campaign standard, scheme computation, amount requested)."),
    )  # fmt: skip
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Required above the limit (district only)."),
    )


class AidRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=gettext_lazy("The applicant reads it."))


class AidPayInputSerializer(AidNoteInputSerializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    paid_on = serializers.DateField(required=False, allow_null=True)


class AidPayeeInputSerializer(serializers.Serializer):
    payee_bank = serializers.CharField(max_length=100, help_text=gettext_lazy("The bank of the account."))
    payee_account = serializers.CharField(
        max_length=40,
        write_only=True,
        help_text=gettext_lazy("The account number; answered masked, never in full."),
    )


class FiguresQuerySerializer(QuerySerializer):
    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy("The subtree whose figures are read; by default the caller's own node."),
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


# --- viewsets -------------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="File an aid application",
        description="By the member themselves, or by a proxy agent or officer for a member of their area.",
        request=AidSubmitInputSerializer,
        responses={201: AidApplicationSerializer},
    ),
    retrieve=extend_schema(responses={200: AidApplicationDetailSerializer}),
)
class AidApplicationViewSet(
    CommandMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Aid applications of the caller's scope (staff), or their own and what they filed (members, proxy agents).

    Each workflow step is an action (``POST /aid/applications/{id}/<step>/``) calling the step's service.
    """

    serializer_class = output_serializer_class = AidApplicationSerializer
    filterset_class = AidApplicationFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["submitted_at", "state_changed_at", "pk"]

    def get_queryset(self):
        queryset = selectors.application_list(viewer=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("steps__by")
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return AidSubmitInputSerializer
        if self.action == "retrieve":
            return AidApplicationDetailSerializer
        return AidApplicationSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        member, kind = data.pop("member"), data.pop("kind")
        serializer.instance = services.application_submit(
            member=member, by=self.request.user, kind=kind, data=data
        )

    def step(self, service, input_serializer):
        application = self.get_object()
        data = self.command_input(input_serializer)
        application = service(application=application, by=self.request.user, **data)
        return self.render(self.get_queryset().get(pk=application.pk))

    @extend_schema(
        summary=gettext_lazy("The grassroots union checked the application"),
        request=AidNoteInputSerializer,
        responses={200: AidApplicationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def check(self, request, pk=None):
        return self.step(services.application_check, AidNoteInputSerializer)

    @extend_schema(
        summary=gettext_lazy("The district approves an amount"),
        request=AidApproveInputSerializer,
        responses={200: AidApplicationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def approve(self, request, pk=None):
        return self.step(services.application_approve, AidApproveInputSerializer)

    @extend_schema(
        summary=gettext_lazy("Reject at either review, with a reason"),
        request=AidRejectInputSerializer,
        responses={200: AidApplicationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def reject(self, request, pk=None):
        return self.step(services.application_reject, AidRejectInputSerializer)

    @extend_schema(
        summary=gettext_lazy("Record the payment of the approved amount"),
        request=AidPayInputSerializer,
        responses={200: AidApplicationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def pay(self, request, pk=None):
        return self.step(services.application_pay, AidPayInputSerializer)

    @extend_schema(
        summary=gettext_lazy("Close a paid application"),
        request=AidNoteInputSerializer,
        responses={200: AidApplicationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])
    def close(self, request, pk=None):
        return self.step(services.application_close, AidNoteInputSerializer)

    # Members hold no model permissions; the service checks that the caller is the applicant or the
    # filer, or holds assistance.pay_aidapplication.
    @extend_schema(
        summary=gettext_lazy("Set the account the aid is transferred to, until payment"),
        request=AidPayeeInputSerializer,
        responses={200: AidApplicationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], filter_backends=[])
    def payee(self, request, pk=None):
        application = self.get_object()
        data = self.command_input(AidPayeeInputSerializer)
        application = services.application_payee_set(
            application=application, by=request.user, bank=data["payee_bank"], account=data["payee_account"]
        )
        return self.render(self.get_queryset().get(pk=application.pk))

    # Members hold no model permissions; the service checks that the caller is the applicant or the filer.
    @extend_schema(
        summary=gettext_lazy("The applicant withdraws before approval"),
        request=AidNoteInputSerializer,
        responses={200: AidApplicationSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], filter_backends=[])
    def withdraw(self, request, pk=None):
        return self.step(services.application_withdraw, AidNoteInputSerializer)


@extend_schema_view(retrieve=extend_schema(responses={200: HardshipFileDetailSerializer}))
class HardshipFileViewSet(viewsets.ReadOnlyModelViewSet):
    """Hardship files of the caller's scope; the household and incomes only with ``assistance.view_household``."""

    serializer_class = HardshipFileSerializer
    filterset_class = HardshipFileFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["opened_on", "next_recheck_on", "pk"]

    def get_queryset(self):
        queryset = selectors.file_list(viewer=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("household")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve" and self.request.user.has_perm("assistance.view_household"):
            return HardshipFileDetailSerializer
        return HardshipFileSerializer


class HasFiguresPermission(BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm("assistance.view_aid_figures")
        )


class AidFiguresView(APIView):
    """Aggregate figures of hardship aid for reports and partners: no personal data.

    The figures of one organisation's subtree (``organisation``, by default the caller's own node),
    which the caller must be able to see; they come from the figures registry
    (``assistance/figures.py``), so they equal the dashboard's and the reports'.
    """

    permission_classes = [HasFiguresPermission]

    @extend_schema(parameters=[FiguresQuerySerializer], responses={200: AidFiguresSerializer})
    def get(self, request):
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        date_from = query.validated_data.get("date_from") or dt.date(today.year, 1, 1)
        date_to = query.validated_data.get("date_to") or today
        if date_to < date_from:
            raise serializers.ValidationError(
                {"date_to": [gettext_lazy("The end cannot be before the start.")]}
            )
        scope = figures_scope(request.user, query.validated_data.get("organisation"))
        if scope is None:
            raise NotFound(gettext_lazy("No such organisation in your scope."))
        figures = selectors.aid_figures(scope=scope, date_from=date_from, date_to=date_to)
        return Response(AidFiguresSerializer(figures).data)


ROUTES = [
    ("aid/applications", AidApplicationViewSet, "aid-application"),
    ("aid/files", HardshipFileViewSet, "aid-file"),
]
COMMAND_URLS = [
    path("aid/figures/", AidFiguresView.as_view(), name="aid-figures"),
]

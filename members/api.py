"""REST API of organisations, enterprises, members and membership applications (``/api/v1/``).

Plain resources are declarative viewsets (NetBox): a queryset from a selector scoped with
``visible_to(request.user)``, a serializer, a filterset. Every write goes through a service of
:mod:`members.services`; a command on one member (transfer, end, reveal, approve, reject) is an
action with an input and an output serializer of its own. A row outside the caller's scope is a
404 for reads and writes alike; a missing permission is a 403; nothing is ever deleted.

``union_portal/api/urls.py`` mounts ``ROUTES`` on its router and ``COMMAND_URLS`` beside it.
"""

from __future__ import annotations

from dataclasses import asdict

import django_filters
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors.formatter import flatten_errors
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from union_portal.api.commands import CommandMixin
from union_portal.api.fields import (
    PreloadedRelatedField,
    RefField,
    RequiredTextField,
    StrictBooleanField,
    TextField,
    preload_related,
)
from union_portal.api.filters import FilterBackend, StableOrderingFilter
from union_portal.api.idempotency import replay_or_run
from union_portal.api.permissions import CommandPermissions
from union_portal.api.serializers import FlatReadSerializer, QuerySerializer
from union_portal.api.throttles import CardVerifyThrottle
from union_portal.organisations.models import Enterprise, Industry, Organisation, OrganisationKind, Ownership
from union_portal.organisations.services import enterprise_save

from .filters import (
    APPLICATION_STATUSES,
    ApplicationFilterSet,
    EnterpriseFilterSet,
    MemberFilterSet,
    OrganisationFilterSet,
)
from .models import Channel, HouseholdType, MemberStatus, Sex, SkillGrade, TransferRequest
from .selectors import (
    FEED_PAGE_MAX,
    Departure,
    coverage,
    decode_feed_cursor,
    encode_feed_cursor,
    member_changes,
    member_list,
    organisation_list,
)
from .services import (
    END_STATUSES,
    card_verify,
    member_apply,
    member_approve,
    member_end,
    member_register,
    member_reject,
    member_reveal,
    member_transfer,
    member_update,
    transfer_accept,
    transfer_cancel,
    transfer_decline,
)
from .sync import member_sync_many

NON_FIELD = "non_field_errors"

# Error codes the services raise, per input field, for the schema (drf-standardized-errors lists
# the codes each field can have; a code missing here would be an undocumented response).
ID_NUMBER_CODES = ["id_required", "id_length", "id_format", "id_province", "id_birth_date", "id_checksum"]
MOBILE_CODES = ["mobile_required", "mobile_invalid"]
#: What ``clean_text`` refuses in free text (names, jobs, reasons, notes).
TEXT_CODES = ["too_long", "invalid_characters"]
MEMBER_INPUT_CODES = {
    "name": ["required", "invalid", *TEXT_CODES],
    "id_number": [*ID_NUMBER_CODES, "duplicate", "too_young"],
    "job": TEXT_CODES,
    "mobile": MOBILE_CODES,
    "employer": ["invalid"],
    "household_type": ["invalid"],
    "skill_grade": ["invalid"],
}
MEMBER_CREATE_CODES = {**MEMBER_INPUT_CODES, "union": ["required", "union_kind"]}
ENTERPRISE_INPUT_CODES = {
    "name": ["required", *TEXT_CODES],
    "address": TEXT_CODES,
    "credit_code": ["uscc_length", "uscc_format", "uscc_checksum", "duplicate"],
}


def _document_codes(codes_by_field: dict[str, list[str]], *, actions: list[str]):
    """``extend_validation_errors`` for every field of ``codes_by_field``."""

    def decorate(view):
        for field, codes in codes_by_field.items():
            view = extend_validation_errors(codes, field_name=field, actions=actions)(view)
        return view

    return decorate


# --- serializers: output ------------------------------------------------------------------------


class OrganisationSerializer(FlatReadSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, read_only=True)
    parent = serializers.IntegerField(source="parent_pk", read_only=True, allow_null=True)
    depth = serializers.IntegerField(read_only=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)


class CoverageSerializer(serializers.Serializer):
    """建会率 and 入会率 below one node."""

    enterprises = serializers.IntegerField(read_only=True)
    unionised_enterprises = serializers.IntegerField(read_only=True)
    union_rate = serializers.FloatField(read_only=True, allow_null=True)
    headcount = serializers.IntegerField(read_only=True)
    members = serializers.IntegerField(read_only=True)
    membership_rate = serializers.FloatField(read_only=True, allow_null=True)


class EnterpriseSerializer(FlatReadSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    credit_code = serializers.CharField(read_only=True)
    industry = serializers.ChoiceField(choices=Industry.choices, read_only=True)
    ownership = serializers.ChoiceField(choices=Ownership.choices, read_only=True)
    town = serializers.IntegerField(source="town_id", read_only=True)
    headcount = serializers.IntegerField(read_only=True)
    address = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class MemberSerializer(FlatReadSerializer):
    """A member as staff and partners see one: ID number and mobile masked.

    Explicit read-only fields and no display labels: a list page costs one query and no per-row
    lookups (the union and employer come from the selector's ``select_related``).
    """

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    sex = serializers.ChoiceField(choices=Sex.choices, read_only=True)
    birth_date = serializers.DateField(read_only=True)
    masked_id_number = serializers.CharField(read_only=True)
    masked_mobile = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=MemberStatus.choices, read_only=True)
    union = RefField()
    employer = RefField(allow_null=True)
    card_number = serializers.CharField(read_only=True, allow_null=True)
    join_date = serializers.DateField(read_only=True, allow_null=True)
    household_type = serializers.ChoiceField(choices=HouseholdType.choices, read_only=True)
    is_migrant_worker = serializers.BooleanField(read_only=True)
    job = serializers.CharField(read_only=True)
    skill_grade = serializers.ChoiceField(choices=SkillGrade.choices, read_only=True)


class ApplicationSerializer(MemberSerializer):
    """A membership application: a member row while it is pending or after it was rejected."""

    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    applied_at = serializers.DateTimeField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    rejection_reason = serializers.CharField(read_only=True)


class TransferRequestSerializer(FlatReadSerializer):
    """A transfer between unions (会员组织关系转接): both sides see it; the member's name masked."""

    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.masked_name", read_only=True)
    from_union = RefField()
    to_union = RefField()
    reason = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=TransferRequest.State.choices, read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_note = serializers.CharField(read_only=True)


class TransferDecisionInputSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, default="")


class TransferDeclineInputSerializer(serializers.Serializer):
    reason = TextField(allow_blank=True)


class RevealedMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    id_number = serializers.CharField(read_only=True)
    mobile = serializers.CharField(read_only=True)


class MemberDepartureSerializer(serializers.Serializer):
    """A tombstone: the member was transferred out of the caller's area; drop or mark them on your side."""

    id = serializers.IntegerField(read_only=True)
    removed = serializers.ChoiceField(choices=[(True, "true")], read_only=True)
    reason = serializers.ChoiceField(
        choices=[("transferred_out", "transferred_out")],
        read_only=True,
        help_text="transferred_out: moved to a union outside your area (you no longer see the member)",
    )


FEED_ITEM = PolymorphicProxySerializer(
    component_name="MemberFeedItem",
    serializers=[MemberSerializer, MemberDepartureSerializer],
    resource_type_field_name=None,
    many=True,
)


def feed_items(items) -> list[dict]:
    """Members and departures in feed order, each rendered by its own serializer."""
    member, departure = MemberSerializer(), MemberDepartureSerializer()
    return [
        departure.to_representation(item) if isinstance(item, Departure) else member.to_representation(item)
        for item in items
    ]


class MemberFeedSerializer(serializers.Serializer):
    results = FEED_ITEM
    next_cursor = serializers.CharField(
        allow_null=True,
        help_text="Pass as ?cursor= to read what changed after this page; keep it for next time.",
    )
    has_more = serializers.BooleanField(
        help_text="true: read the next page at once; false: poll again later."
    )


class FeedQuerySerializer(QuerySerializer):
    cursor = serializers.CharField(
        required=False, max_length=200, help_text="next_cursor of the previous page; leave out to start"
    )
    limit = serializers.IntegerField(
        required=False, default=100, min_value=1, max_value=FEED_PAGE_MAX, help_text="members per page"
    )


class CardCheckSerializer(serializers.Serializer):
    valid = serializers.BooleanField(read_only=True)
    masked_name = serializers.CharField(read_only=True)
    union_name = serializers.CharField(read_only=True)


# --- serializers: input -------------------------------------------------------------------------
# Input serializers only translate types (numbers to rows, text to text); the rules (what an ID
# number looks like, which union a member may join, ...) are the services', and a service error
# comes back as a field error on the same input name.


class RendersAs:
    """An input serializer whose response is another serializer's representation of the saved row."""

    output_serializer: type[serializers.Serializer]

    def to_representation(self, instance):
        return self.output_serializer(instance, context=self.context).data


class EnterpriseInputSerializer(RendersAs, serializers.ModelSerializer):
    output_serializer = EnterpriseSerializer
    # Typed as text only: the service normalises it (spaces, lower case) and checks it, uniqueness included.
    name = TextField(max_length=150)
    credit_code = TextField()
    address = TextField(allow_blank=True, required=False, max_length=200)
    is_active = StrictBooleanField(required=False)

    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "industry", "ownership", "town", "headcount", "address", "is_active"]


class MemberInputSerializer(RendersAs, serializers.Serializer):
    output_serializer = MemberSerializer
    name = TextField(trim_whitespace=False)
    id_number = TextField(help_text=gettext_lazy("18 characters; an old 15-digit number is converted."))
    mobile = TextField()
    union = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    employer = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), allow_null=True, required=False
    )
    household_type = serializers.ChoiceField(choices=HouseholdType.choices, required=False)
    is_migrant_worker = StrictBooleanField(required=False)
    job = TextField(allow_blank=True, required=False)
    skill_grade = serializers.ChoiceField(choices=SkillGrade.choices, allow_blank=True, required=False)


class ApplicationInputSerializer(MemberInputSerializer):
    output_serializer = ApplicationSerializer


class MemberUpdateSerializer(RendersAs, serializers.Serializer):
    """The details ``member_update`` changes; the union and the status change through their own commands."""

    output_serializer = MemberSerializer
    name = TextField(required=False, trim_whitespace=False)
    id_number = TextField(required=False)
    mobile = TextField(required=False)
    employer = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), allow_null=True, required=False
    )
    household_type = serializers.ChoiceField(choices=HouseholdType.choices, required=False)
    is_migrant_worker = StrictBooleanField(required=False)
    job = TextField(allow_blank=True, required=False)
    skill_grade = serializers.ChoiceField(choices=SkillGrade.choices, allow_blank=True, required=False)
    note = TextField(allow_blank=True, required=False, write_only=True)

    def validate(self, attrs):
        # Anything else sent (``union``, ``status`` ...) goes to the service, which names what cannot change here.
        others = {key: self.initial_data[key] for key in self.initial_data if key not in self.fields}
        return {**attrs, **others}


class TransferInputSerializer(serializers.Serializer):
    to_union = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    reason = RequiredTextField()


class EndInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in END_STATUSES])
    reason = RequiredTextField()
    on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("Today when left out.")
    )


class RevealInputSerializer(serializers.Serializer):
    reason = TextField(max_length=300, help_text=gettext_lazy("Why you need the full data; it is logged."))


class ApproveInputSerializer(serializers.Serializer):
    note = TextField(allow_blank=True, required=False, default="")


class RejectInputSerializer(serializers.Serializer):
    reason = RequiredTextField(help_text=gettext_lazy("The applicant reads it."))


SYNC_MAX = 1000


class MemberSyncInputSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=SYNC_MAX,
        help_text=f"Up to {SYNC_MAX} records, each as in POST /members/ (keyed by id_number).",
    )


class SyncErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class SyncResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The record's position in the request, from 0.")
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    id = serializers.IntegerField(allow_null=True, help_text="The member's id, unless the record failed.")
    errors = SyncErrorSerializer(many=True)


class MemberSyncSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True)
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()


class SyncRecordSerializer(MemberInputSerializer):
    """One record of a sync: the fields of POST /members/, with the unions and employers of the whole
    request loaded in one query each (:func:`preload_related`)."""

    union = PreloadedRelatedField(queryset=Organisation.objects.all())
    employer = PreloadedRelatedField(queryset=Enterprise.objects.all(), allow_null=True, required=False)


def sync_members(records: list[dict], *, by) -> dict:
    """Each record checked on its own (one serializer for all of them), then synced by
    :func:`members.sync.member_sync_many`: one bad record does not stop the others, and no record is
    ever half written."""
    from rest_framework.exceptions import ValidationError

    child = SyncRecordSerializer(context={"preloaded": preload_related(SyncRecordSerializer, records)})
    inputs, refusals = [], {}
    for index, record in enumerate(records):
        try:
            inputs.append(child.run_validation(record))
        except ValidationError as exc:
            inputs.append(None)
            refusals[index] = [asdict(error) for error in flatten_errors(exc.detail)]
    outcomes = member_sync_many(inputs, by=by)
    results, counts = [], {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    for index, outcome in enumerate(outcomes):
        if outcome is None:
            result = {"index": index, "result": "error", "id": None, "errors": refusals[index]}
        elif outcome.error is not None:
            error = outcome.error
            result = {"index": index, "result": "error", "id": None,
                      "errors": [{"code": error.code, "detail": str(error), "attr": error.field}]}  # fmt: skip
        else:
            result = {"index": index, "result": outcome.result, "id": outcome.member_id, "errors": []}
        counts["failed" if result["result"] == "error" else result["result"]] += 1
        results.append(result)
    return {"results": results, **counts}


class CardVerifyInputSerializer(serializers.Serializer):
    card_number = TextField(max_length=32)


# --- helpers ----------------------------------------------------------------------------------


# --- viewsets --------------------------------------------------------------------------------


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisation tree below the caller's node, in tree order."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "depth", "path", "pk"]

    def get_queryset(self):
        return organisation_list(viewer=self.request.user)

    @extend_schema(responses={200: CoverageSerializer}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def coverage(self, request, pk=None):
        """Share of enterprises with a union (建会率) and of workers who are members (入会率) below this node."""
        figures = coverage(organisation=self.get_object())
        return Response(CoverageSerializer(figures).data)


@extend_schema_view(
    create=extend_schema(request=EnterpriseInputSerializer, responses={201: EnterpriseSerializer}),
    update=extend_schema(request=EnterpriseInputSerializer, responses={200: EnterpriseSerializer}),
    partial_update=extend_schema(request=EnterpriseInputSerializer, responses={200: EnterpriseSerializer}),
)
@_document_codes(ENTERPRISE_INPUT_CODES, actions=["create", "update", "partial_update"])
class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Enterprises and public bodies of the caller's scope. No delete: nothing is removed."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "headcount", "pk"]

    def get_queryset(self):
        return Enterprise.objects.visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return EnterpriseInputSerializer
        return EnterpriseSerializer

    def perform_create(self, serializer):
        serializer.instance = enterprise_save(by=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = enterprise_save(
            by=self.request.user, data=serializer.validated_data, enterprise=serializer.instance
        )


@extend_schema_view(
    create=extend_schema(
        summary=gettext_lazy("Register a member"),
        description=gettext_lazy(
            "An officer registers a member directly: the application and its approval in one step."
        ),
        request=MemberInputSerializer,
        responses={201: MemberSerializer},
    ),
    partial_update=extend_schema(request=MemberUpdateSerializer, responses={200: MemberSerializer}),
)
@_document_codes(MEMBER_CREATE_CODES, actions=["create"])
@_document_codes(MEMBER_INPUT_CODES, actions=["partial_update"])
@extend_validation_errors(["invalid"], field_name=NON_FIELD, actions=["partial_update"])
@extend_validation_errors(
    ["union_kind", "same_union", "transfer_pending"], field_name="to_union", actions=["transfer"]
)
@extend_validation_errors(
    ["required", *TEXT_CODES], field_name="reason", actions=["transfer", "end", "reveal"]
)
@extend_validation_errors(TEXT_CODES, field_name="note", actions=["partial_update"])
@extend_validation_errors(["invalid"], field_name="on", actions=["end"])
@extend_validation_errors(["not_active"], field_name=NON_FIELD, actions=["transfer", "end"])
class MemberViewSet(
    CommandMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the caller's scope, ID number and mobile masked. No delete: a membership ends instead."""

    serializer_class = output_serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "join_date", "pk"]
    ordering_aliases = {"name": ("name_pinyin", "name")}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return member_list(viewer=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return MemberInputSerializer
        if self.action == "partial_update":
            return MemberUpdateSerializer
        return MemberSerializer

    def perform_create(self, serializer):
        serializer.instance = member_register(
            data=serializer.validated_data, by=self.request.user, channel=Channel.API
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        note = data.pop("note", "")
        serializer.instance = member_update(
            member=serializer.instance, by=self.request.user, data=data, note=note
        )

    @extend_schema(
        summary="Members changed since a cursor",
        description=(
            "The change feed: every member of the caller's scope whose record changed after `cursor` "
            "(new, updated, transferred in, ended), each once per page at its latest change, oldest "
            "first; a member transferred out of the caller's scope appears once, where the move happened, "
            'as a tombstone `{"id": …, "removed": true, "reason": "transferred_out"}`. Start without a '
            "cursor; pass `next_cursor` back. No change is skipped or repeated while others are writing."
        ),
        parameters=[FeedQuerySerializer],
        responses={200: MemberFeedSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def changes(self, request):
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = None
        if query.validated_data.get("cursor"):
            after = decode_feed_cursor(query.validated_data["cursor"])
            if after is None:
                raise serializers.ValidationError(
                    {"cursor": [gettext_lazy("This cursor is not one we gave.")]}
                )
        items, cursor, has_more = member_changes(
            viewer=request.user, after=after, limit=query.validated_data["limit"]
        )
        return Response(
            {
                "results": feed_items(items),
                "next_cursor": encode_feed_cursor(*cursor) if cursor else None,
                "has_more": has_more,
            }
        )

    @extend_schema(
        summary="Sync members: create or update up to 1,000 records, keyed by ID number",
        description=(
            "Each record is validated and written by the same services as every other way in, on its "
            "own: the answer gives each record's result (created, updated, unchanged) or its errors. "
            "Send an `Idempotency-Key` header: a retry with the same key and body returns the first "
            "answer and changes nothing; the same key with another body is refused (409)."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="up to 100 characters",
            )
        ],
        request=MemberSyncInputSerializer,
        responses={200: MemberSyncSerializer},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def sync(self, request):
        def run():
            payload = MemberSyncInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            return Response(sync_members(payload.validated_data["members"], by=request.user))

        return replay_or_run(request, run)

    @extend_schema(
        request=TransferInputSerializer,
        responses={
            200: OpenApiResponse(
                MemberSerializer, description="Moved: the union is within the caller's area."
            ),
            202: OpenApiResponse(
                TransferRequestSerializer,
                description="Requested: the receiving union is outside the caller's area and accepts or "
                "declines it (POST /transfers/{id}/accept/ or /decline/).",
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def transfer(self, request, pk=None):
        """Move an active membership to another union (会员组织关系转接); its history stays. Into a union
        outside the caller's area it becomes a request that the receiving union decides (202)."""
        member = self.get_object()
        data = self.command_input(TransferInputSerializer)
        transfer = member_transfer(member=member, by=request.user, **data)
        if transfer.state == TransferRequest.State.PENDING:
            return Response(
                TransferRequestSerializer(transfer, context=self.get_serializer_context()).data, status=202
            )
        return self.render(transfer.member)

    @extend_schema(request=EndInputSerializer, responses={200: MemberSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def end(self, request, pk=None):
        """End a membership: lapsed, withdrawn or deceased. Nothing is deleted."""
        member = self.get_object()
        data = self.command_input(EndInputSerializer)
        return self.render(member_end(member=member, by=request.user, **data))

    @extend_schema(request=RevealInputSerializer, responses={200: RevealedMemberSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def reveal(self, request, pk=None):
        """The full ID number and mobile, for a stated reason, written to the access log."""
        member = self.get_object()
        data = self.command_input(RevealInputSerializer)
        member_reveal(member=member, by=request.user, reason=data["reason"], request=request)
        response = self.render(member, RevealedMemberSerializer)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema_view(
    create=extend_schema(
        summary=gettext_lazy("File a membership application"),
        request=ApplicationInputSerializer,
        responses={201: ApplicationSerializer},
    ),
)
@_document_codes(MEMBER_CREATE_CODES, actions=["create"])
@extend_validation_errors(["required", *TEXT_CODES], field_name="reason", actions=["reject"])
@extend_validation_errors(TEXT_CODES, field_name="note", actions=["approve"])
@extend_validation_errors(["not_pending"], field_name=NON_FIELD, actions=["approve", "reject"])
class ApplicationViewSet(
    CommandMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Membership applications (pending or rejected) of the caller's scope."""

    serializer_class = output_serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "applied_at", "pk"]
    ordering_aliases = {"name": ("name_pinyin", "name")}

    def get_queryset(self):
        members = member_list(viewer=self.request.user)
        if self.action in ("approve", "reject"):
            # A decided application is a member now: approving or rejecting it again answers as the
            # service does (the same result, or why not), instead of a 404.
            return members
        return members.filter(status__in=APPLICATION_STATUSES)

    def get_serializer_class(self):
        return ApplicationInputSerializer if self.action == "create" else ApplicationSerializer

    def perform_create(self, serializer):
        serializer.instance = member_apply(
            data=serializer.validated_data, by=self.request.user, channel=Channel.API
        )

    @extend_schema(request=ApproveInputSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def approve(self, request, pk=None):
        """Approve: the member becomes active with a card number. Safe to call twice."""
        member = self.get_object()
        data = self.command_input(ApproveInputSerializer)
        return self.render(member_approve(member=member, by=request.user, **data), ApplicationSerializer)

    @extend_schema(request=RejectInputSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def reject(self, request, pk=None):
        """Reject with a reason the applicant will read."""
        member = self.get_object()
        data = self.command_input(RejectInputSerializer)
        return self.render(member_reject(member=member, by=request.user, **data), ApplicationSerializer)


class TransferFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=TransferRequest.State.choices)
    direction = django_filters.ChoiceFilter(
        choices=[("in", "in"), ("out", "out")],
        method="filter_direction",
        help_text=gettext_lazy("in: into the caller's area (theirs to decide); out: out of it."),
    )

    class Meta:
        model = TransferRequest
        fields = ["state", "direction"]

    def filter_direction(self, queryset, name, value):
        return queryset.direction(self.request.user, value)


@extend_validation_errors(["required", *TEXT_CODES], field_name="reason", actions=["decline"])
@extend_validation_errors(TEXT_CODES, field_name="note", actions=["accept"])
@extend_validation_errors(TEXT_CODES, field_name="reason", actions=["cancel"])
@extend_validation_errors(["wrong_state", "stale", "union_kind"], field_name=NON_FIELD, actions=["accept"])
@extend_validation_errors(["wrong_state"], field_name=NON_FIELD, actions=["decline", "cancel"])
class TransferRequestViewSet(CommandMixin, viewsets.ReadOnlyModelViewSet):
    """Transfers into and out of the caller's area; the receiving union accepts or declines each."""

    serializer_class = output_serializer_class = TransferRequestSerializer
    filterset_class = TransferFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["requested_at", "pk"]

    def get_queryset(self):
        return TransferRequest.objects.visible_to(self.request.user).select_related(
            "member", "from_union", "to_union"
        )

    @extend_schema(request=TransferDecisionInputSerializer, responses={200: TransferRequestSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def accept(self, request, pk=None):
        """The receiving union accepts: the member moves into it. Safe to call twice."""
        transfer = self.get_object()
        data = self.command_input(TransferDecisionInputSerializer)
        return self.render(transfer_accept(transfer=transfer, by=request.user, **data))

    @extend_schema(request=TransferDeclineInputSerializer, responses={200: TransferRequestSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def decline(self, request, pk=None):
        """The receiving union declines, with a reason the sender and the member read."""
        transfer = self.get_object()
        data = self.command_input(TransferDeclineInputSerializer)
        return self.render(transfer_decline(transfer=transfer, by=request.user, **data))

    @extend_schema(request=TransferDeclineInputSerializer, responses={200: TransferRequestSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def cancel(self, request, pk=None):
        """The sending side withdraws a request still waiting."""
        transfer = self.get_object()
        data = self.command_input(TransferDeclineInputSerializer)
        return self.render(transfer_cancel(transfer=transfer, by=request.user, **data))


class CardVerifyView(APIView):
    """Whether a member card is valid, for a partner merchant (会员普惠): a masked name and the union.

    Callers must authenticate (a merchant's API key): card numbers are sequential with a check
    digit, so an open endpoint would let anyone walk the numbers and collect who belongs to which
    union. Throttled per key on top of the usual limits.
    """

    permission_classes = [IsAuthenticated]

    def get_throttles(self):
        return [CardVerifyThrottle(), *super().get_throttles()]

    @extend_schema(request=CardVerifyInputSerializer, responses={200: CardCheckSerializer})
    def post(self, request):
        serializer = CardVerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = card_verify(serializer.validated_data["card_number"])
        return Response(CardCheckSerializer(check).data)


ROUTES = [
    ("organisations", OrganisationViewSet, "organisation"),
    ("enterprises", EnterpriseViewSet, "enterprise"),
    ("members", MemberViewSet, "member"),
    ("applications", ApplicationViewSet, "application"),
    ("transfers", TransferRequestViewSet, "transfer"),
]
COMMAND_URLS = [
    path("cards/verify/", CardVerifyView.as_view(), name="card-verify"),
]

"""REST API of contests and honours (``/api/v1/contests/...``, ``/api/v1/honours/...``).

Scoped read viewsets (``visible_to``); registering an entry is ``POST /contests/entries/``; each
workflow step is an action calling the one service of that step (``union_portal.api.commands``).
The honours register and the public notice (公示) have public read endpoints with masked names;
certificates are checked at the platform's ``/certificates/verify/<code>/``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from members.models import Member
from union_portal.api.commands import CommandMixin
from union_portal.api.filters import StableOrderingFilter
from union_portal.api.permissions import CommandPermissions
from union_portal.organisations.models import Enterprise, Organisation

from . import selectors, services
from .models import (
    CareKind,
    Contest,
    Grade,
    Honour,
    HonourTitle,
    Judge,
    MentorPair,
    Objection,
    PartKind,
    Studio,
)

User = get_user_model()
HUNDRED = Decimal(100)
WHOLE = re.compile(r"-?[0-9]+", re.ASCII)

# --- output ---------------------------------------------------------------------------------------------


class ContestCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part = serializers.CharField(source="part.kind")
    name = serializers.CharField()
    max_marks = serializers.DecimalField(max_digits=7, decimal_places=2)


class ContestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    occupation = serializers.CharField()
    level = serializers.CharField()
    year = serializers.IntegerField()
    organiser = serializers.CharField(source="organisation.name")
    entry_kind = serializers.CharField()
    registration_opens_on = serializers.DateField()
    registration_closes_on = serializers.DateField()
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class ContestEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contest = serializers.IntegerField(source="contest_id")
    number = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    union = serializers.CharField(source="union.name")
    state = serializers.CharField()
    theory_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    practical_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    prize = serializers.CharField()
    grade = serializers.CharField()


class ContestMarkSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    marks = serializers.DecimalField(max_digits=7, decimal_places=2)


class ScoreSheetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entry = serializers.IntegerField(source="entry_id")
    entry_number = serializers.IntegerField(source="entry.number")
    contest = serializers.CharField(source="entry.contest.name")
    judge = serializers.CharField(source="judge.name")
    state = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    reopen_count = serializers.IntegerField()
    marks = ContestMarkSerializer(many=True)


class NominationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.CharField(source="round.name")
    title = serializers.CharField(source="title.name")
    holder_kind = serializers.CharField()
    nominee = serializers.CharField(source="masked_holder_name")
    union = serializers.CharField(source="union.name")
    state = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class ObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nomination = serializers.IntegerField(source="nomination_id")
    received_on = serializers.DateField()
    content = serializers.CharField()
    state = serializers.CharField()
    resolution = serializers.CharField()


class HonourSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="title.name")
    level = serializers.CharField(source="title.level")
    holder_kind = serializers.CharField()
    holder = serializers.CharField(source="masked_holder_name")
    union = serializers.CharField(source="organisation.name")
    conferred_on = serializers.DateField()
    status = serializers.CharField()


class NominationRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    organiser = serializers.CharField(source="organisation.name")
    nominations_close_on = serializers.DateField()
    publicity_days = serializers.IntegerField()
    status = serializers.CharField()
    publicity_starts_on = serializers.DateField(allow_null=True)
    publicity_ends_on = serializers.DateField(allow_null=True)
    concluded_on = serializers.DateField(allow_null=True)


class HonourTitleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()
    holder_kind = serializers.CharField()
    defined_by = serializers.CharField(source="organisation.name")
    is_model_worker = serializers.BooleanField()
    is_active = serializers.BooleanField()


class CareRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    honour = serializers.IntegerField(source="honour_id")
    holder = serializers.CharField(source="honour.masked_holder_name")
    kind = serializers.CharField()
    on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    note = serializers.CharField()


class StudioSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    named_after = serializers.CharField(source="namesake_name")
    union = serializers.CharField(source="organisation.name")
    founded_on = serializers.DateField()
    status = serializers.CharField()
    projects = serializers.IntegerField(source="project_count")


class MentorPairSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mentor = serializers.CharField(source="mentor.masked_name")
    apprentice = serializers.CharField(source="apprentice.masked_name")
    occupation = serializers.CharField()
    union = serializers.CharField(source="organisation.name")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    outcome = serializers.CharField()
    status = serializers.CharField()


class PublicNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.CharField(source="round.name")
    title = serializers.CharField(source="title.name")
    nominee = serializers.CharField(source="masked_holder_name")
    union = serializers.CharField(source="union.name")
    publicity_starts_on = serializers.DateField(source="round.publicity_starts_on")
    publicity_ends_on = serializers.DateField(source="round.publicity_ends_on")


# --- input ----------------------------------------------------------------------------------------------


class EntryRegisterInputSerializer(serializers.Serializer):
    contest = serializers.PrimaryKeyRelatedField(queryset=Contest.objects.all())
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    team_name = serializers.CharField(required=False, allow_blank=True, default="")
    team_members = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), many=True, required=False
    )
    team_cards = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        default=list,
        help_text="A team leader names the team-mates of their own enterprise by membership card number.",
    )
    project_title = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_member(self, member):
        user = self.context["request"].user
        if member.user_id != user.pk and not Member.objects.visible_to(user).filter(pk=member.pk).exists():
            raise serializers.ValidationError(gettext_lazy("No such member in your scope."))
        return member

    def validate_team_members(self, members):
        user = self.context["request"].user
        visible = set(
            Member.objects.visible_to(user)
            .filter(pk__in=[m.pk for m in members])
            .values_list("pk", flat=True)
        )
        if len(visible) != len({m.pk for m in members}):
            raise serializers.ValidationError(gettext_lazy("No such member in your scope."))
        return members

    def to_representation(self, instance):
        return ContestEntrySerializer(instance, context=self.context).data


class ContestReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ContestNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContestEmptyInputSerializer(serializers.Serializer):
    pass


class JudgeAssignInputSerializer(serializers.Serializer):
    judge = serializers.IntegerField()


class SheetMarkInputSerializer(serializers.Serializer):
    marks = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="{criterion id: marks}"
    )
    submit = serializers.BooleanField(default=False)


class NominationReviewInputSerializer(serializers.Serializer):
    shortlist = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ObjectionRecordInputSerializer(serializers.Serializer):
    content = serializers.CharField()
    raised_by = serializers.CharField(required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)


class EntryGradeInputSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=[c for c in Grade.choices if c[0]])


class RoundPublicityInputSerializer(serializers.Serializer):
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)


class RoundConcludeInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


class NominationSubmitInputSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    title = serializers.IntegerField()
    union = serializers.IntegerField()
    member = serializers.IntegerField(required=False, allow_null=True, default=None)
    holder_name = serializers.CharField(required=False, allow_blank=True, default="")
    deeds = serializers.CharField()

    def to_representation(self, instance):
        return NominationSerializer(instance, context=self.context).data


class ObjectionRaiseInputSerializer(serializers.Serializer):
    content = serializers.CharField()
    raised_by = serializers.CharField(required=False, allow_blank=True, default="")


class CareRecordInputSerializer(serializers.Serializer):
    honour = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CareKind.choices)
    on = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def to_representation(self, instance):
        return CareRecordSerializer(instance, context=self.context).data


def _in_scope(queryset, pk, field: str):
    """The row ``pk`` among those the caller sees, else a field error (never a hint that it exists)."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError({field: [gettext_lazy("Not found in your scope.")]})
    return found


class ObjectionResolveInputSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    resolution = serializers.CharField()


def _command(summary, request, response):
    return extend_schema(summary=summary, request=request, responses={200: response})


def _post():
    return action(detail=True, methods=["post"], permission_classes=[CommandPermissions], filter_backends=[])


# --- setup: contests, judges, titles, studios, mentor pairs (create and change through the services) -------


class _Scoped(serializers.PrimaryKeyRelatedField):
    """An id among the rows of ``model`` the caller may see (``visible_to``); any other id is "not found"."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("Not found in your scope."),
        "incorrect_type": gettext_lazy("Give the id (a whole number)."),
    }

    def get_queryset(self):
        return self.queryset.model._default_manager.visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or not WHOLE.fullmatch(str(data)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= int(data) <= 2**63 - 1:  # a whole number no row has: not found, like any other
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


def _scoped(model, **kwargs):
    return _Scoped(queryset=model.objects.all(), **kwargs)


class SavedThroughService:
    """``POST`` creates and ``PATCH``/``PUT`` change a row: the input serializer's data set on the model,
    written by the one service of that model (its rules, permission and scope); the answer is the row as
    the list shows it."""

    input_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.input_serializer_class
        return super().get_serializer_class()

    def save_through_service(self, obj, data):  # pragma: no cover - each viewset has its own
        raise NotImplementedError

    def _write(self, obj, data):
        for field, value in data.items():
            setattr(obj, field, value)
        saved = self.save_through_service(obj, data)
        return self.get_queryset().get(pk=saved.pk)

    def perform_create(self, serializer):
        model = self.get_queryset().model
        serializer.instance = self._write(model(), dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self._write(serializer.instance, dict(serializer.validated_data))


class _ShownAs:
    output_class: type[serializers.Serializer]

    def to_representation(self, instance):
        return self.output_class(instance, context=self.context).data


# DRF documents a decimal as a string matching "-?digits" with no bounds (a string has no minimum): the
# patterns below say what the fields take, so a partner (and the fuzzer) cannot read "-1" as allowed.
@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^0*(?:[1-9]\d{0,4}(?:\.\d{0,2})?|\.(?:0?[1-9]|[1-9]\d)|0\.(?:0[1-9]|[1-9]\d?))$",
        "example": "20.00",
    }
)
class MaxMarksField(serializers.DecimalField):
    """A criterion's maximum marks: more than 0, at most 99,999.99."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=7, decimal_places=2, min_value=Decimal("0.01"), **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^0*(?:100(?:\.0{0,2})?|\d{0,2}(?:\.\d{0,2})?)$",
        "example": "60.00",
    }
)
class WeightField(serializers.DecimalField):
    """A part's weight in per cent: 0 to 100, two decimals."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=HUNDRED, **kwargs)


class SchemeCriterionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    max_marks = MaxMarksField()


class SchemePartInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PartKind.choices)
    weight = WeightField()
    criteria = serializers.ListField(child=SchemeCriterionInputSerializer(), min_length=1, max_length=100)


class ContestInputSerializer(_ShownAs, serializers.ModelSerializer):
    output_class = ContestSerializer
    organisation = _scoped(Organisation, help_text="The organiser: a federation or union in your scope.")
    next_contest = _scoped(Contest, required=False, allow_null=True)
    scheme = serializers.ListField(
        child=SchemePartInputSerializer(),
        required=False,
        write_only=True,
        min_length=1,
        max_length=10,
        help_text="The scoring scheme (only while the contest is being prepared): the parts with their "
        "weights (adding up to 100) and criteria.",
    )

    class Meta:
        model = Contest
        fields = [
            "name", "kind", "occupation", "level", "year", "organisation", "entry_kind", "team_min", "team_max",
            "registration_opens_on", "registration_closes_on", "held_on", "description", "trim_extremes",
            "trim_min_judges", "quota_first", "quota_second", "quota_third", "quota_excellent", "next_contest",
            "scheme",
        ]  # fmt: skip
        extra_kwargs = {"year": {"min_value": 1949, "max_value": 2200}}


class JudgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField()
    panel_of = serializers.CharField(source="organisation.name")
    enterprise = serializers.IntegerField(source="enterprise_id", allow_null=True)
    speciality = serializers.CharField()
    is_active = serializers.BooleanField()


class JudgeInputSerializer(_ShownAs, serializers.ModelSerializer):
    output_class = JudgeSerializer
    user = _scoped(User, help_text="The judge's account: a user in your scope (one panel place each).")
    organisation = _scoped(Organisation, help_text="Whose panel: a federation in your scope.")
    enterprise = _scoped(Enterprise, required=False, allow_null=True)

    class Meta:
        model = Judge
        fields = ["user", "name", "organisation", "enterprise", "speciality", "is_active"]
        validators = []  # the service answers a user already on a panel


class HonourTitleInputSerializer(_ShownAs, serializers.ModelSerializer):
    output_class = HonourTitleSerializer
    organisation = _scoped(Organisation, help_text="The federation defining the title: one in your scope.")

    class Meta:
        model = HonourTitle
        fields = [
            "name",
            "level",
            "holder_kind",
            "organisation",
            "is_model_worker",
            "description",
            "is_active",
        ]
        validators = []  # the service answers a title that exists


class StudioInputSerializer(_ShownAs, serializers.ModelSerializer):
    output_class = StudioSerializer
    organisation = _scoped(Organisation)
    namesake = _scoped(
        Honour, required=False, allow_null=True, help_text="The honour of the model worker or craftsman."
    )
    enterprise = _scoped(Enterprise, required=False, allow_null=True)

    class Meta:
        model = Studio
        fields = [
            "name",
            "kind",
            "namesake",
            "namesake_name",
            "organisation",
            "enterprise",
            "founded_on",
            "status",
        ]


class MentorPairInputSerializer(_ShownAs, serializers.ModelSerializer):
    output_class = MentorPairSerializer
    organisation = _scoped(Organisation)
    mentor = _scoped(Member)
    apprentice = _scoped(Member)

    class Meta:
        model = MentorPair
        fields = ["organisation", "mentor", "apprentice", "occupation", "goals", "starts_on", "ends_on"]
        validators = []  # the service answers a pair that exists


class MentorPairOutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=300)


# --- viewsets --------------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=ContestInputSerializer, responses={201: ContestSerializer}),
    update=extend_schema(request=ContestInputSerializer, responses={200: ContestSerializer}),
    partial_update=extend_schema(request=ContestInputSerializer, responses={200: ContestSerializer}),
)
class ContestViewSet(
    SavedThroughService,
    CommandMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Contests of the caller's federation, its ancestors and its subtree; ``POST`` creates one and
    ``PATCH`` changes its settings (``contest_save``) and, while it is being prepared, its scoring scheme
    (``scheme_set``); the steps of a contest as commands."""

    serializer_class = output_serializer_class = ContestSerializer
    input_serializer_class = ContestInputSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["registration_opens_on", "pk"]

    def get_queryset(self):
        return selectors.contest_list(viewer=self.request.user)

    def _write(self, obj, data):
        scheme = data.pop("scheme", None)
        with transaction.atomic():
            for field, value in data.items():
                setattr(obj, field, value)
            contest = services.contest_save(contest=obj, by=self.request.user)
            if scheme is not None:
                services.scheme_set(contest=contest, by=self.request.user, parts=scheme)
        return self.get_queryset().get(pk=contest.pk)

    def _step(self, service):
        contest = service(contest=self.get_object(), by=self.request.user)
        return self.render(self.get_queryset().get(pk=contest.pk))

    @_command(gettext_lazy("Open registration"), ContestEmptyInputSerializer, ContestSerializer)
    @_post()
    def open(self, request, pk=None):
        return self._step(services.contest_open)

    @_command(
        gettext_lazy("Close registration and start judging"), ContestEmptyInputSerializer, ContestSerializer
    )
    @_post()
    def judge(self, request, pk=None):
        return self._step(services.contest_close_registration)

    @_command(gettext_lazy("Compute the results"), ContestEmptyInputSerializer, ContestSerializer)
    @_post()
    def compute(self, request, pk=None):
        contest = self.get_object()
        services.contest_compute_results(contest=contest, by=request.user)
        return self.render(self.get_queryset().get(pk=contest.pk))

    @_command(
        gettext_lazy("Publish the results and issue certificates"),
        ContestEmptyInputSerializer,
        ContestSerializer,
    )
    @_post()
    def publish(self, request, pk=None):
        return self._step(services.contest_publish)


@extend_schema_view(
    create=extend_schema(request=EntryRegisterInputSerializer, responses={201: ContestEntrySerializer})
)
class ContestEntryViewSet(
    CommandMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Entries of the caller's scope (staff) or their own (members); ``POST`` registers one."""

    serializer_class = output_serializer_class = ContestEntrySerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["number", "rank", "pk"]

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated()]  # a member enters themselves; entry_register checks the rest
        return super().get_permissions()

    def get_queryset(self):
        queryset = selectors.entry_list(viewer=self.request.user)
        contest = self.request.GET.get("contest")
        return queryset.filter(contest_id=contest) if contest and contest.isdigit() else queryset

    def get_serializer_class(self):
        return EntryRegisterInputSerializer if self.action == "create" else ContestEntrySerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.entry_register(
            contest=data["contest"],
            member=data["member"],
            by=self.request.user,
            team_name=data.get("team_name", ""),
            team_members=data.get("team_members", []),
            team_cards=data.get("team_cards", []),
            project_title=data.get("project_title", ""),
        )

    @_command(
        gettext_lazy("Assign a judge (a score sheet)"), JudgeAssignInputSerializer, ScoreSheetSerializer
    )
    @_post()
    def assign(self, request, pk=None):
        from .models import Judge

        entry = self.get_object()
        data = self.command_input(JudgeAssignInputSerializer)
        judge = Judge.objects.visible_to(request.user).filter(pk=data["judge"]).first()
        if judge is None:
            raise serializers.ValidationError({"judge": [gettext_lazy("No such judge in your scope.")]})
        sheet = services.judge_assign(entry=entry, judge=judge, by=request.user)
        return self.render(selectors.sheet_list(viewer=request.user).get(pk=sheet.pk), ScoreSheetSerializer)

    @_command(gettext_lazy("Withdraw the entry"), ContestNoteInputSerializer, ContestEntrySerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], filter_backends=[])
    def withdraw(self, request, pk=None):
        entry = self.get_object()
        data = self.command_input(ContestNoteInputSerializer)
        services.entry_withdraw(entry=entry, by=request.user, reason=data["note"])
        return self.render(self.get_queryset().get(pk=entry.pk))

    @_command(
        gettext_lazy("Grade a project (innovation contests)"),
        EntryGradeInputSerializer,
        ContestEntrySerializer,
    )
    @_post()
    def grade(self, request, pk=None):
        entry = self.get_object()
        data = self.command_input(EntryGradeInputSerializer)
        services.entry_set_grade(entry=entry, by=request.user, grade=data["grade"])
        return self.render(self.get_queryset().get(pk=entry.pk))

    @_command(gettext_lazy("Disqualify the entry"), ContestReasonInputSerializer, ContestEntrySerializer)
    @_post()
    def disqualify(self, request, pk=None):
        entry = self.get_object()
        data = self.command_input(ContestReasonInputSerializer)
        services.entry_disqualify(entry=entry, by=request.user, reason=data["reason"])
        return self.render(self.get_queryset().get(pk=entry.pk))


class ScoreSheetViewSet(CommandMixin, viewsets.ReadOnlyModelViewSet):
    """Score sheets: a judge's own, or those of the caller's scope (staff)."""

    serializer_class = output_serializer_class = ScoreSheetSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["pk"]

    def get_queryset(self):
        return selectors.sheet_list(viewer=self.request.user)

    @_command(
        gettext_lazy("The judge enters marks (and submits)"), SheetMarkInputSerializer, ScoreSheetSerializer
    )
    @_post()
    def mark(self, request, pk=None):
        sheet = self.get_object()
        data = self.command_input(SheetMarkInputSerializer)
        try:
            marks = {int(k): v for k, v in data["marks"].items()}
        except ValueError:
            raise serializers.ValidationError(
                {"marks": [gettext_lazy("Marks are keyed by criterion id.")]}
            ) from None
        services.sheet_mark(sheet=sheet, by=request.user, marks=marks, submit=data["submit"])
        return self.render(self.get_queryset().get(pk=sheet.pk))

    @_command(
        gettext_lazy("District staff reopen a submitted sheet"),
        ContestReasonInputSerializer,
        ScoreSheetSerializer,
    )
    @_post()
    def reopen(self, request, pk=None):
        sheet = self.get_object()
        data = self.command_input(ContestReasonInputSerializer)
        services.sheet_reopen(sheet=sheet, by=request.user, reason=data["reason"])
        return self.render(self.get_queryset().get(pk=sheet.pk))


@extend_schema_view(
    create=extend_schema(request=NominationSubmitInputSerializer, responses={201: NominationSerializer})
)
class NominationViewSet(
    CommandMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Nominations of the caller's scope; ``POST`` nominates (a union, with the record of deeds); review,
    withdrawal and objections as commands."""

    serializer_class = output_serializer_class = NominationSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["submitted_at", "pk"]

    def get_queryset(self):
        return selectors.nomination_list(viewer=self.request.user)

    def get_serializer_class(self):
        return NominationSubmitInputSerializer if self.action == "create" else NominationSerializer

    def perform_create(self, serializer):
        from union_portal.organisations.models import Organisation

        from .models import HonourTitle, NominationRound

        data, user = serializer.validated_data, self.request.user
        member = None
        if data.get("member"):
            member = _in_scope(Member.objects.visible_to(user), data["member"], "member")
        serializer.instance = services.nomination_submit(
            round_=_in_scope(NominationRound.objects.visible_to(user), data["round"], "round"),
            title=_in_scope(HonourTitle.objects.visible_to(user), data["title"], "title"),
            union=_in_scope(Organisation.objects.visible_to(user), data["union"], "union"),
            by=user,
            deeds=data["deeds"],
            member=member,
            holder_name=data.get("holder_name", ""),
        )

    @_command(gettext_lazy("Withdraw the nomination"), ContestNoteInputSerializer, NominationSerializer)
    @_post()
    def withdraw(self, request, pk=None):
        nomination = self.get_object()
        data = self.command_input(ContestNoteInputSerializer)
        services.nomination_withdraw(nomination=nomination, by=request.user, note=data["note"])
        return self.render(self.get_queryset().get(pk=nomination.pk))

    @_command(gettext_lazy("Review: shortlist or not"), NominationReviewInputSerializer, NominationSerializer)
    @_post()
    def review(self, request, pk=None):
        nomination = self.get_object()
        data = self.command_input(NominationReviewInputSerializer)
        services.nomination_review(nomination=nomination, by=request.user, **data)
        return self.render(self.get_queryset().get(pk=nomination.pk))

    @_command(
        gettext_lazy("Record an objection received in the public notice"),
        ObjectionRecordInputSerializer,
        ObjectionSerializer,
    )
    @_post()
    def object(self, request, pk=None):
        nomination = self.get_object()
        data = self.command_input(ObjectionRecordInputSerializer)
        objection = services.objection_record(nomination=nomination, by=request.user, **data)
        return self.render(objection, ObjectionSerializer)


class ObjectionViewSet(CommandMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = output_serializer_class = ObjectionSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["received_on", "pk"]

    def get_queryset(self):
        return Objection.objects.visible_to(self.request.user).order_by("-pk")

    @_command(gettext_lazy("Resolve the objection"), ObjectionResolveInputSerializer, ObjectionSerializer)
    @_post()
    def resolve(self, request, pk=None):
        objection = self.get_object()
        data = self.command_input(ObjectionResolveInputSerializer)
        services.objection_resolve(objection=objection, by=request.user, **data)
        return self.render(self.get_queryset().get(pk=objection.pk))


class NominationRoundViewSet(CommandMixin, viewsets.ReadOnlyModelViewSet):
    """Nomination rounds run by the caller's federation, its ancestors and its subtree; the public notice
    (公示) and the conclusion as commands."""

    serializer_class = output_serializer_class = NominationRoundSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["year", "pk"]

    def get_queryset(self):
        return selectors.round_list(viewer=self.request.user)

    @_command(
        gettext_lazy("Announce the shortlist (public notice of working days)"),
        RoundPublicityInputSerializer,
        NominationRoundSerializer,
    )
    @_post()
    def publicity(self, request, pk=None):
        round_ = self.get_object()
        data = self.command_input(RoundPublicityInputSerializer)
        services.round_start_publicity(round_=round_, by=request.user, starts_on=data["starts_on"])
        return self.render(self.get_queryset().get(pk=round_.pk))

    @_command(
        gettext_lazy("Conclude the round: confer the titles"),
        RoundConcludeInputSerializer,
        NominationRoundSerializer,
    )
    @_post()
    def conclude(self, request, pk=None):
        round_ = self.get_object()
        data = self.command_input(RoundConcludeInputSerializer)
        services.round_conclude(round_=round_, by=request.user, on=data["on"])
        return self.render(self.get_queryset().get(pk=round_.pk))


def _setup_schema(input_class, output_class):
    return extend_schema_view(
        create=extend_schema(request=input_class, responses={201: output_class}),
        update=extend_schema(request=input_class, responses={200: output_class}),
        partial_update=extend_schema(request=input_class, responses={200: output_class}),
    )


@_setup_schema(HonourTitleInputSerializer, HonourTitleSerializer)
class HonourTitleViewSet(
    SavedThroughService, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Titles defined by the caller's federation, its ancestors and its subtree; ``POST`` defines one and
    ``PATCH`` changes it (``title_save``)."""

    serializer_class = HonourTitleSerializer
    input_serializer_class = HonourTitleInputSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["name", "pk"]

    def get_queryset(self):
        return HonourTitle.objects.visible_to(self.request.user).select_related("organisation").order_by("pk")

    def save_through_service(self, obj, data):
        return services.title_save(title=obj, by=self.request.user)


@_setup_schema(JudgeInputSerializer, JudgeSerializer)
class JudgeViewSet(
    SavedThroughService, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The judges' panels of the caller's scope; ``POST`` puts a user on a panel (they get the judge role)
    and ``PATCH`` changes them (``judge_save``). Judges are assigned to entries by the entries' ``assign``."""

    serializer_class = JudgeSerializer
    input_serializer_class = JudgeInputSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["name", "pk"]

    def get_queryset(self):
        return Judge.objects.visible_to(self.request.user).select_related("organisation").order_by("pk")

    def save_through_service(self, obj, data):
        return services.judge_save(judge=obj, by=self.request.user)


@extend_schema_view(
    create=extend_schema(request=CareRecordInputSerializer, responses={201: CareRecordSerializer})
)
class CareRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Model-worker care of the caller's scope; ``POST`` records a visit, a health check or an allowance."""

    serializer_class = CareRecordSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["on", "pk"]

    def get_queryset(self):
        return selectors.care_list(viewer=self.request.user)

    def get_serializer_class(self):
        return CareRecordInputSerializer if self.action == "create" else CareRecordSerializer

    def perform_create(self, serializer):
        from .models import Honour

        data, user = serializer.validated_data, self.request.user
        serializer.instance = services.care_record(
            honour=_in_scope(Honour.objects.visible_to(user), data["honour"], "honour"),
            by=user,
            kind=data["kind"],
            on=data["on"],
            amount=data.get("amount"),
            note=data.get("note", ""),
        )


@_setup_schema(StudioInputSerializer, StudioSerializer)
class StudioViewSet(
    SavedThroughService, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Innovation studios of the caller's scope, with the number of their projects; ``POST`` founds one
    and ``PATCH`` changes it (``studio_save``)."""

    serializer_class = StudioSerializer
    input_serializer_class = StudioInputSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["name", "pk"]

    def get_queryset(self):
        return selectors.studio_list(viewer=self.request.user)

    def save_through_service(self, obj, data):
        return services.studio_save(studio=obj, by=self.request.user)


@_setup_schema(MentorPairInputSerializer, MentorPairSerializer)
class MentorPairViewSet(
    SavedThroughService,
    CommandMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Mentor-apprentice pairs of the caller's scope (names masked); ``POST`` pairs two members and
    ``PATCH`` changes the pair (``mentor_pair_save``); ``conclude`` records the outcome and ends it."""

    serializer_class = output_serializer_class = MentorPairSerializer
    input_serializer_class = MentorPairInputSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["starts_on", "pk"]

    def get_queryset(self):
        return selectors.mentor_pair_list(viewer=self.request.user)

    def save_through_service(self, obj, data):
        return services.mentor_pair_save(pair=obj, by=self.request.user)

    @_command(
        gettext_lazy("Record the outcome and end the pair"),
        MentorPairOutcomeInputSerializer,
        MentorPairSerializer,
    )
    @_post()
    def conclude(self, request, pk=None):
        pair = self.get_object()
        data = self.command_input(MentorPairOutcomeInputSerializer)
        services.mentor_pair_conclude(pair=pair, by=request.user, outcome=data["outcome"])
        return self.render(self.get_queryset().get(pk=pair.pk))


class HonourViewSet(viewsets.ReadOnlyModelViewSet):
    """The honours register of the caller's scope (staff) or their own (members)."""

    serializer_class = HonourSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["conferred_on", "pk"]

    def get_queryset(self):
        return selectors.honour_list(viewer=self.request.user)


class PublicRegisterView(generics.ListAPIView):
    """The public register of conferred honours: masked names of people, no personal data."""

    serializer_class = HonourSerializer
    permission_classes = [AllowAny]
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["conferred_on", "pk"]

    def get_queryset(self):
        return selectors.public_register()


class NoticeObjectionView(generics.GenericAPIView):
    """Anyone signed in raises an objection to a nomination under public notice today."""

    permission_classes = [IsAuthenticated]
    serializer_class = ObjectionRaiseInputSerializer

    def get_queryset(self):
        return selectors.public_notice(day=timezone.localdate())

    @extend_schema(
        summary=gettext_lazy("Object to a nomination under public notice"),
        request=ObjectionRaiseInputSerializer,
        responses={201: PublicNoticeSerializer},
    )
    def post(self, request, pk):
        nomination = get_object_or_404(self.get_queryset(), pk=pk)
        data = ObjectionRaiseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.objection_raise(nomination=nomination, by=request.user, **data.validated_data)
        return Response(PublicNoticeSerializer(nomination).data, status=201)


class PublicNoticeView(generics.ListAPIView):
    """The shortlists under public notice (公示) today, with masked names."""

    serializer_class = PublicNoticeSerializer
    permission_classes = [AllowAny]
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["pk"]

    def get_queryset(self):
        return selectors.public_notice(day=timezone.localdate())


ROUTES = [
    ("contests/contests", ContestViewSet, "contest"),
    ("contests/entries", ContestEntryViewSet, "contest-entry"),
    ("contests/sheets", ScoreSheetViewSet, "contest-sheet"),
    ("contests/judges", JudgeViewSet, "contest-judge"),
    ("honours/nominations", NominationViewSet, "honour-nomination"),
    ("honours/objections", ObjectionViewSet, "honour-objection"),
    ("honours/register", HonourViewSet, "honour"),
    ("honours/rounds", NominationRoundViewSet, "honour-round"),
    ("honours/titles", HonourTitleViewSet, "honour-title"),
    ("honours/care", CareRecordViewSet, "honour-care"),
    ("honours/studios", StudioViewSet, "honour-studio"),
    ("honours/mentor-pairs", MentorPairViewSet, "honour-mentor-pair"),
]
COMMAND_URLS = [
    path("honours/public/register/", PublicRegisterView.as_view(), name="honour-public-register"),
    path("honours/public/notice/", PublicNoticeView.as_view(), name="honour-public-notice"),
    path(
        "honours/public/notice/<int:pk>/object/",
        NoticeObjectionView.as_view(),
        name="honour-public-notice-object",
    ),
]

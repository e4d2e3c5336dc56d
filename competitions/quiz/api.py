"""REST API of the knowledge quiz (``/api/v1/quiz/...``).

- ``quiz/attempts/``: the caller's attempts (a member's own; staff: their subtree), read only. An
  open attempt's questions carry no right answers; a closed one's do. ``POST quiz/attempts/start/``
  starts one (``attempt_start``), ``POST quiz/attempts/{id}/submit/`` scores it (``attempt_submit``).
- ``quiz/<quiz id>/leaderboard/``: public, the month's top 100 with masked names (and the caller's
  own standing when they take part).
- ``quiz/participation/``: participants, attempts and average score per union of a subtree the
  caller may see, with ``quiz.view_quiz_figures``.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from union_portal.api.commands import CommandMixin
from union_portal.api.serializers import QuerySerializer
from union_portal.api.throttles import APIKeyRateThrottle
from union_portal.core.errors import ApplicationError, NotFoundError
from union_portal.core.figures import figures_scope
from union_portal.organisations.models import Organisation

from . import ranking, selectors, services
from .models import Attempt, Quiz, QuizStatus
from .ranking import month_start

# --- serializers -------------------------------------------------------------------------------------


class OptionSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=gettext_lazy("What to send back to choose this option."))
    letter = serializers.CharField()
    text = serializers.CharField()
    chosen = serializers.BooleanField()
    right = serializers.BooleanField(help_text=gettext_lazy("Always false until the attempt is closed."))


class ShownQuestionSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    options = OptionSerializer(many=True)
    is_correct = serializers.BooleanField(allow_null=True)
    explanation = serializers.CharField()


class AttemptSerializer(serializers.ModelSerializer):
    quiz = serializers.IntegerField(source="participant.quiz_id", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text=gettext_lazy("open, submitted or expired (time ran out: no points)")
    )

    class Meta:
        model = Attempt
        fields = [
            "id", "quiz", "day", "number", "state", "started_at", "deadline", "submitted_at", "correct", "score",
        ]  # fmt: skip
        read_only_fields = fields


class AttemptDetailSerializer(AttemptSerializer):
    questions = serializers.SerializerMethodField()

    class Meta(AttemptSerializer.Meta):
        fields = [*AttemptSerializer.Meta.fields, "questions"]
        read_only_fields = fields

    @extend_schema_field(ShownQuestionSerializer(many=True))
    def get_questions(self, attempt) -> list[dict]:
        return ShownQuestionSerializer(selectors.shown_questions(attempt), many=True).data


class ServiceErrorCode:
    """Documents an error code the command's service answers as a 400 of the whole input (the schema
    lists a serializer's codes from its validators); it never refuses anything itself."""

    def __init__(self, code: str):
        self.code = code

    def __call__(self, value) -> None:
        return None


class StartInputSerializer(serializers.Serializer):
    quiz = serializers.IntegerField()

    def get_validators(self):
        return [ServiceErrorCode(c) for c in ("quiz_closed", "no_attempts_left", "bank_too_small")]


class SubmitInputSerializer(serializers.Serializer):
    """Documents the submit's input; the service checks the answers (``command_fields``): each question
    drawn for the attempt, each index among the options shown, one for a single choice."""

    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=0), max_length=6),
        help_text=gettext_lazy("{question id: [shown option indexes]}; questions left out are unanswered."),
    )

    def get_validators(self):
        return [ServiceErrorCode(c) for c in ("not_drawn", "bad_option", "bad_answers")]


class StandingSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    points = serializers.IntegerField()


class BoardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField(help_text=gettext_lazy("Masked."))
    union = serializers.CharField()
    points = serializers.IntegerField()


class LeaderboardSerializer(serializers.Serializer):
    month = serializers.CharField()
    rows = BoardRowSerializer(many=True)
    mine = StandingSerializer(allow_null=True)


class MonthQuerySerializer(QuerySerializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)


class ParticipationQuerySerializer(MonthQuerySerializer):
    quiz = serializers.IntegerField()
    organisation = serializers.IntegerField(required=False)


class ParticipationRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    participants = serializers.IntegerField()
    attempts = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True)


class ParticipationSerializer(serializers.Serializer):
    quiz = serializers.IntegerField()
    organisation = serializers.IntegerField()
    month = serializers.CharField()
    rows = ParticipationRowSerializer(many=True)


def attempt_detail(attempt: Attempt) -> dict:
    """What :class:`AttemptDetailSerializer` renders, built directly: the submit is the quiz's busiest
    call, and the nested serializers cost more than its two statements (tests/quiz/test_api.py holds
    the two equal)."""

    zone = timezone.get_current_timezone()

    def moment(value):  # as DateTimeField renders it (ISO 8601 in the current zone), minus its checks
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return {
        "id": attempt.pk,
        "quiz": attempt.participant.quiz_id,
        "day": attempt.day.isoformat(),
        "number": attempt.number,
        "state": attempt.state,
        "started_at": moment(attempt.started_at),
        "deadline": moment(attempt.deadline),
        "submitted_at": moment(attempt.submitted_at),
        "correct": attempt.correct,
        "score": attempt.score,
        "questions": [
            {
                "question_id": q.question_id,
                "position": q.position,
                "kind": q.kind,
                "text": q.text,
                "options": [
                    {
                        "index": o.index,
                        "letter": o.letter,
                        "text": o.text,
                        "chosen": o.chosen,
                        "right": o.right,
                    }
                    for o in q.options
                ],
                "is_correct": q.is_correct,
                "explanation": q.explanation,
            }
            for q in selectors.shown_questions(attempt)
        ],
    }


# --- attempts ----------------------------------------------------------------------------------------


class AttemptViewSet(CommandMixin, viewsets.ReadOnlyModelViewSet):
    """Attempts the caller may see: a member their own, staff with the view permission those of their
    subtree (a staff role without it, such as the auditor, sees only its own)."""

    serializer_class = AttemptSerializer
    lookup_value_regex = r"\d+"
    output_serializer_class = AttemptDetailSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        user = self.request.user
        attempts = Attempt.objects.visible_to(user)
        if not user.has_perm("quiz.view_attempt"):
            attempts = attempts.filter(participant__user_id=user.pk)
        return attempts.select_related("participant").order_by("-started_at", "-pk")

    def get_serializer_class(self):
        return AttemptDetailSerializer if self.action == "retrieve" else AttemptSerializer

    @extend_schema(
        summary=gettext_lazy("Start an attempt (within the day's allowance)"),
        request=StartInputSerializer,
        responses={201: AttemptDetailSerializer},
    )
    @action(detail=False, methods=["post"], filter_backends=[])
    def start(self, request):
        data = self.command_input(StartInputSerializer)
        quiz = Quiz.objects.filter(pk=data["quiz"], status=QuizStatus.OPEN).first()
        participant = services.participant_of(quiz=quiz, user=request.user) if quiz else None
        if participant is None:
            raise NotFoundError(gettext_lazy("Join the quiz on the portal first."))
        attempt = services.attempt_start(participant=participant, by=request.user)
        response = self.render(attempt)
        response.status_code = 201
        return response

    # Members hold no model permissions; the service checks that the caller owns the attempt.
    @extend_schema(
        summary=gettext_lazy("Submit the answers of an attempt (scored once)"),
        request=SubmitInputSerializer,
        responses={200: AttemptDetailSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        # No get_object(): the service loads the attempt once, locked, among the caller's own (else 404).
        data = self.command_fields(SubmitInputSerializer)  # the service checks the answers
        attempt = services.attempt_submit(
            attempt=Attempt(pk=int(pk)), by=request.user, answers=data["answers"]
        )
        return Response(attempt_detail(attempt))


# --- leaderboard and figures -----------------------------------------------------------------------


class LeaderboardThrottle(SimpleRateThrottle):
    """The public leaderboard's own limit (``QUIZ_LEADERBOARD_API_RATE``), per signed-in user or else per
    client address. Not the anonymous API rate: at peak many phones share one carrier address."""

    scope = "quiz_leaderboard"

    def get_rate(self):
        return settings.QUIZ_LEADERBOARD_API_RATE

    def get_cache_key(self, request, view):
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _public_top(quiz: Quiz, month) -> list[dict]:
    """The month's top 100, masked, as the API shows them (cached: :func:`selectors.public_top`)."""
    return [
        {"rank": r["rank"], "name": r["name"], "union": r["union"], "points": r["points"]}
        for r in selectors.public_top(quiz=quiz, month=month)
    ]


class LeaderboardView(APIView):
    """The month's top 100 with masked names; public. With a signed-in participant, their own standing.

    The top 100 is cached a few seconds (the same for everybody); the caller's own standing is read
    each time."""

    permission_classes = [AllowAny]
    throttle_classes = [APIKeyRateThrottle, LeaderboardThrottle]

    @extend_schema(parameters=[MonthQuerySerializer], responses={200: LeaderboardSerializer})
    def get(self, request, quiz_id: int):
        quiz = get_object_or_404(Quiz.objects.exclude(status=QuizStatus.DRAFT), pk=quiz_id)
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = selectors.parse_month(query.validated_data.get("month")) or month_start(services.local_day())
        participant = services.participant_of(quiz=quiz, user=request.user)
        mine = None
        if participant is not None:
            mine = ranking.standing(quiz_id=quiz.pk, month=month, participant_id=participant.pk)
        data = {
            "month": f"{month:%Y-%m}",
            "rows": _public_top(quiz, month),
            "mine": {"rank": mine.rank, "points": mine.points} if mine else None,
        }
        return Response(LeaderboardSerializer(data).data)


class UnionInputSerializer(serializers.Serializer):
    union = serializers.IntegerField(
        help_text=gettext_lazy(
            "The union to play for from next month: the caller's own, or a town or industry federation of the quiz's area."
        )
    )

    def get_validators(self):
        return [ServiceErrorCode("quiz_closed")]


class MyUnionSerializer(serializers.Serializer):
    union = serializers.IntegerField(help_text=gettext_lazy("The union played for this month."))
    union_name = serializers.CharField()
    next_union = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The union asked for, from next_union_from on.")
    )
    next_union_name = serializers.CharField(allow_null=True)
    next_union_from = serializers.DateField(allow_null=True)


def _my_union(participant) -> dict:
    return {
        "union": participant.union_id,
        "union_name": participant.union.name,
        "next_union": participant.next_union_id,
        "next_union_name": participant.next_union.name if participant.next_union_id else None,
        "next_union_from": participant.next_union_from,
    }


class MyUnionView(APIView):
    """The union the caller plays for in a quiz, and a change of it, which applies from next month."""

    permission_classes = [IsAuthenticated]

    def _participant(self, request, quiz_id: int):
        quiz = Quiz.objects.exclude(status=QuizStatus.DRAFT).filter(pk=quiz_id).first()
        participant = services.participant_of(quiz=quiz, user=request.user) if quiz else None
        if participant is None:
            raise NotFoundError(gettext_lazy("Join the quiz on the portal first."))
        return participant

    @extend_schema(responses={200: MyUnionSerializer}, operation_id="quiz_union_retrieve")
    def get(self, request, quiz_id: int):
        participant = self._participant(request, quiz_id)
        return Response(MyUnionSerializer(_my_union(participant)).data)

    @extend_schema(
        summary=gettext_lazy("Play for another union from next month (the same union: cancel the change)"),
        request=UnionInputSerializer,
        responses={200: MyUnionSerializer},
        operation_id="quiz_union_change",
    )
    def post(self, request, quiz_id: int):
        participant = self._participant(request, quiz_id)
        data = UnionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        union = Organisation.objects.filter(pk=data.validated_data["union"]).first()
        if union is None:
            raise ApplicationError(
                gettext_lazy("Choose your union or a local or industry federation of the area."),
                code="invalid",
                field="union",
            )
        participant = services.participant_change_union(participant=participant, by=request.user, union=union)
        participant = services.participant_of(quiz=participant.quiz, user=request.user)
        return Response(MyUnionSerializer(_my_union(participant)).data)


class HasQuizFigures(BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("quiz.view_quiz_figures")
        )


class ParticipationView(APIView):
    """Participation per union below a node the caller may see (default: their own node)."""

    permission_classes = [HasQuizFigures]

    @extend_schema(parameters=[ParticipationQuerySerializer], responses={200: ParticipationSerializer})
    def get(self, request):
        query = ParticipationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        quiz = Quiz.objects.filter(pk=query.validated_data["quiz"]).first()
        scope = figures_scope(request.user, query.validated_data.get("organisation"))
        if quiz is None or scope is None:
            raise NotFound(gettext_lazy("No such quiz or organisation in your scope."))
        month = selectors.parse_month(query.validated_data.get("month")) or month_start(services.local_day())
        rows = selectors.participation_by_union(quiz=quiz, month=month, scope=scope)
        data = {
            "quiz": quiz.pk,
            "organisation": scope.pk,
            "month": f"{month:%Y-%m}",
            "rows": [r.__dict__ for r in rows],
        }
        return Response(ParticipationSerializer(data).data)


ROUTES = [
    ("quiz/attempts", AttemptViewSet, "quiz-attempt"),
]
COMMAND_URLS = [
    path("quiz/<int:quiz_id>/leaderboard/", LeaderboardView.as_view(), name="quiz-leaderboard"),
    path("quiz/participation/", ParticipationView.as_view(), name="quiz-participation"),
    path("quiz/<int:quiz_id>/union/", MyUnionView.as_view(), name="quiz-union"),
]

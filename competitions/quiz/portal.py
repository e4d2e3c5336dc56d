"""The knowledge quiz on the member's phone: join, take an attempt, see the result with the right
answers, the monthly leaderboard, my history, my share link.

Views only translate: every rule is in :mod:`competitions.quiz.services`. An attempt is looked up
among the user's own (``selectors.attempt_for``): someone else's id is a 404. An open attempt's page
carries no right answers; they appear once the attempt is closed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.selectors import current_membership
from union_portal.core.errors import ApplicationError, add_to_form
from union_portal.core.portal import absolute_url

from . import ranking, selectors, services
from .forms import AttemptForm, JoinForm, UnionForm
from .models import AttemptState, Quiz, QuizStatus
from .ranking import month_start

PAGE_SIZE = 20


def _quiz(quiz_id: int, *, open_only: bool = False) -> Quiz:
    quizzes = Quiz.objects.exclude(status=QuizStatus.DRAFT).select_related("organisation")
    quiz = get_object_or_404(quizzes, pk=quiz_id)
    if open_only and quiz.status != QuizStatus.OPEN:
        raise Http404
    return quiz


@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    quizzes = selectors.quizzes_for(request.user)
    if len(quizzes) == 1:
        return redirect("quiz:home", quiz_id=quizzes[0].pk)
    return render(request, "quiz/index.html", {"quizzes": quizzes})


def _join_form(request, quiz, membership, data=None):
    unions = services.union_choices(quiz=quiz, membership=membership)
    initial = {"mobile": membership.mobile, "union": membership.union_id}
    return JoinForm(data, unions=unions, initial=initial)


@never_cache
@login_required
def home(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _quiz(quiz_id)
    participant = services.participant_of(quiz=quiz, user=request.user)
    if participant is None:
        membership = current_membership(request.user)
        if membership is None or membership.status != "active":
            return render(request, "quiz/not_member.html", {"quiz": quiz})
        form = _join_form(request, quiz, membership, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.participant_join(
                    quiz=quiz,
                    by=request.user,
                    mobile=form.cleaned_data["mobile"],
                    code=form.cleaned_data["code"],
                    union=form.unions[form.cleaned_data["union"]],
                )
            except ApplicationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("You have joined the quiz. Good luck!"))
                return redirect("quiz:home", quiz_id=quiz.pk)
        return render(request, "quiz/join.html", {"quiz": quiz, "form": form})
    today = services.local_day()
    allowance = services.allowance_of(participant=participant, day=today)
    open_attempt = (
        selectors.my_attempts(participant=participant)
        .filter(state=AttemptState.OPEN, deadline__gt=timezone.now())
        .first()
    )
    mine = ranking.standing(quiz_id=quiz.pk, month=month_start(today), participant_id=participant.pk)
    membership = current_membership(request.user)
    union_form = None
    if membership is not None and quiz.status == QuizStatus.OPEN:
        unions = services.union_choices(quiz=quiz, membership=membership)
        union_form = UnionForm(
            unions=unions, initial={"union": participant.next_union_id or participant.union_id}
        )
    share_url = absolute_url(request, reverse("quiz:share", args=[services.share_token(participant)]))
    context = {
        "quiz": quiz,
        "participant": participant,
        "allowance": allowance,
        "open_attempt": open_attempt,
        "mine": mine,
        "share_url": share_url,
        "month": month_start(today),
        "union_form": union_form,
    }
    return render(request, "quiz/home.html", context)


@require_POST
@login_required
def change_union(request: HttpRequest, quiz_id: int) -> HttpResponse:
    """Play for another union from next month (``participant_change_union``)."""
    quiz = _quiz(quiz_id, open_only=True)
    participant = services.participant_of(quiz=quiz, user=request.user)
    membership = current_membership(request.user)
    if participant is None or membership is None:
        raise Http404
    form = UnionForm(request.POST, unions=services.union_choices(quiz=quiz, membership=membership))
    if not form.is_valid():
        messages.error(request, _("Choose your union or a local or industry federation of the area."))
        return redirect("quiz:home", quiz_id=quiz.pk)
    try:
        participant = services.participant_change_union(
            participant=participant, by=request.user, union=form.unions[form.cleaned_data["union"]]
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        if participant.next_union_id:
            messages.success(
                request,
                _("From %(day)s you play for %(union)s.")
                % {"day": f"{participant.next_union_from:%Y-%m-%d}", "union": participant.next_union.name},
            )
        else:
            messages.success(
                request, _("You keep playing for %(union)s.") % {"union": participant.union.name}
            )
    return redirect("quiz:home", quiz_id=quiz.pk)


@require_POST
@login_required
def send_code(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _quiz(quiz_id, open_only=True)
    try:
        mobile = services.join_code_send(quiz=quiz, by=request.user, mobile=request.POST.get("mobile", ""))
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("A code has been sent to %(mobile)s.") % {"mobile": mobile[:3] + "****" + mobile[-4:]}
        )
    return redirect("quiz:home", quiz_id=quiz.pk)


@require_POST
@login_required
def start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _quiz(quiz_id, open_only=True)
    participant = services.participant_of(quiz=quiz, user=request.user)
    if participant is None:
        return redirect("quiz:home", quiz_id=quiz.pk)
    try:
        attempt = services.attempt_start(participant=participant, by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("quiz:home", quiz_id=quiz.pk)
    return redirect("quiz:attempt", pk=attempt.pk)


@never_cache
@login_required
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.attempt_for(user=request.user, pk=pk)
    if found is None:
        raise Http404
    questions = selectors.shown_questions(found)
    if found.state == AttemptState.OPEN:
        form = AttemptForm(request.POST or None, questions=questions)
        if request.method == "POST" and form.is_valid():
            try:
                found = services.attempt_submit(attempt=found, by=request.user, answers=form.answers())
            except ApplicationError as error:
                add_to_form(form, error)
            else:
                if found.state == AttemptState.EXPIRED:
                    messages.error(request, _("Time ran out: this attempt scores no points."))
                return redirect("quiz:attempt", pk=found.pk)
        if found.state == AttemptState.OPEN:
            seconds_left = max(int((found.deadline - timezone.now()).total_seconds()), 0)
            return render(
                request,
                "quiz/attempt.html",
                {
                    "attempt": found,
                    "form": form,
                    "seconds_left": seconds_left,
                    "quiz": found.participant.quiz,
                },
            )
    return render(
        request,
        "quiz/result.html",
        {"attempt": found, "questions": questions, "quiz": found.participant.quiz},
    )


@never_cache
def board(request: HttpRequest, quiz_id: int) -> HttpResponse:
    """The month's top 100 (masked names) for anyone; the participant's own rank when signed in."""
    quiz = _quiz(quiz_id)
    month = selectors.parse_month(request.GET.get("month")) or month_start(services.local_day())
    participant = services.participant_of(quiz=quiz, user=request.user)
    mine = None
    if participant is not None:
        mine = ranking.standing(quiz_id=quiz.pk, month=month, participant_id=participant.pk)
    # The top 100 is the same for every viewer but one in it (their row is marked): its rendered list
    # is cached with the rows (QUIZ_LEADERBOARD_CACHE_SECONDS), and read only when it is not.
    me = participant.pk if mine is not None and mine.rank <= ranking.PRIZE_WINNERS else 0
    rows = SimpleLazyObject(lambda: selectors.public_top(quiz=quiz, month=month))
    return render(
        request,
        "quiz/board.html",
        {
            "quiz": quiz,
            "rows": rows,
            "me": me,
            "mine": mine,
            "month": month,
            "participant": participant,
            "board_seconds": settings.QUIZ_LEADERBOARD_CACHE_SECONDS,
        },
    )


@never_cache
@login_required
def history(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _quiz(quiz_id)
    participant = services.participant_of(quiz=quiz, user=request.user)
    if participant is None:
        return redirect("quiz:home", quiz_id=quiz.pk)
    page = Paginator(selectors.my_attempts(participant=participant), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "quiz/history.html", {"quiz": quiz, "page": page})


@never_cache
@login_required
def share(request: HttpRequest, token: str) -> HttpResponse:
    """A member's share link opened: one more attempt for them today (not when they open it)."""
    try:
        outcome = services.share_open(token=token, by=request.user)
    except ApplicationError:
        raise Http404 from None
    return render(
        request,
        "quiz/share.html",
        {"quiz": outcome.sharer.quiz, "sharer": outcome.sharer, "reason": outcome.reason},
    )

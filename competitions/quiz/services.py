"""Every write of the knowledge quiz that carries a rule.

A member's way through a day::

    join (mobile confirmed by a code, union chosen)
      └─ attempt_start ──▶ open ──submit──▶ submitted (scored once)
            │ locks the day's counter        └─(after the deadline)─▶ expired (0 points)
            └─ refused when the day's allowance (1, or 2 after a share) is used

    share_open (someone else opens the member's signed link) ──▶ +1 attempt today, once a day

Locks are always taken in one order: the day's counter, then the attempt, then the month's score.
The database holds the limits even without the locks (see :mod:`competitions.quiz.models`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from members.models import MemberStatus
from members.selectors import current_membership
from union_portal.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text, normalize_mobile
from union_portal.notifications.services import (
    notify,
    verification_code_check,
    verification_code_send,
)
from union_portal.organisations.models import Organisation, OrganisationKind

from . import ranking
from .models import (
    DAILY_ATTEMPTS,
    POINTS_PER_QUESTION,
    PRIZE_WINNERS,
    QUESTIONS_PER_ATTEMPT,
    Attempt,
    AttemptQuestion,
    AttemptState,
    DailyAllowance,
    MonthScore,
    MonthState,
    Participant,
    Prize,
    PrizeTier,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionStatus,
    Quiz,
    QuizMonth,
    QuizStatus,
    Topic,
)

#: Seconds allowed after the deadline for the network (a submit sent in time that arrives late).
SUBMIT_GRACE_SECONDS = 5
SHARE_SALT = "quiz.share"
JOIN_CODE_PURPOSE = "quiz-join"
#: The default tiers of a new month (yuan of phone credit by rank).
DEFAULT_TIERS = (
    (1, 10, Decimal("100")),
    (11, 30, Decimal("80")),
    (31, 60, Decimal("50")),
    (61, 100, Decimal("30")),
)

_random = secrets.SystemRandom()


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def local_day(now: dt.datetime | None = None) -> dt.date:
    """The Asia/Shanghai calendar day of a moment (the day of the daily allowance)."""
    return timezone.localdate(_now(now))


# --- questions ----------------------------------------------------------------------------------------


def clean_question(data: dict) -> dict:
    """A question's fields checked: text, 2 to 6 distinct options, the right ones by kind."""
    topic = data.get("topic")
    if topic not in Topic.values:
        raise _invalid(_("Choose the topic."), "topic", "required")
    kind = data.get("kind")
    if kind not in QuestionKind.values:
        raise _invalid(_("Choose single or multiple choice."), "kind", "required")
    try:
        text = clean_text(data.get("text"), max_length=500, multiline=True, required=True)
        options = [clean_text(o, max_length=200) for o in (data.get("options") or [])]
        explanation = clean_text(data.get("explanation") or "", max_length=1000, multiline=True)
    except Exception as exc:  # ValidationError from clean_text
        raise ApplicationError.from_validation_error(exc, field="text") from None
    options = [o for o in options if o]
    if not 2 <= len(options) <= 6:
        raise _invalid(_("Give between 2 and 6 options."), "options")
    if len(set(options)) != len(options):
        raise _invalid(_("Two options are the same."), "options")
    try:
        answer = sorted({int(i) for i in (data.get("answer") or [])})
    except (TypeError, ValueError):
        raise _invalid(_("Mark the right options."), "answer") from None
    if not answer or any(not 0 <= i < len(options) for i in answer):
        raise _invalid(_("Mark the right options."), "answer")
    if kind == QuestionKind.SINGLE and len(answer) != 1:
        raise _invalid(_("A single choice question has exactly one right option."), "answer")
    if kind == QuestionKind.MULTIPLE and len(answer) < 2:
        raise _invalid(_("A multiple choice question has at least two right options."), "answer")
    return {
        "topic": topic,
        "kind": kind,
        "text": text,
        "options": options,
        "answer": answer,
        "explanation": explanation,
    }


@transaction.atomic
def question_add(*, bank: QuestionBank, by, data: dict) -> Question:
    require_perm(by, "quiz.add_question")
    require_visible(by, bank)
    return Question.objects.create(bank=bank, **clean_question(data))


@transaction.atomic
def question_update(*, question: Question, by, data: dict) -> Question:
    """Edit a question. One already drawn in an attempt keeps its words: retire it and add another."""
    require_perm(by, "quiz.change_question")
    require_visible(by, question)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    cleaned = clean_question(data)
    if AttemptQuestion.objects.filter(question=question).exists() and any(
        getattr(question, f) != cleaned[f] for f in ("text", "options", "answer", "kind")
    ):
        raise _invalid(
            _("This question has been drawn in attempts: retire it and add a new one instead."),
            code="drawn",
        )
    for field, value in cleaned.items():
        setattr(question, field, value)
    question.save()
    return question


@transaction.atomic
def question_retire(*, question: Question, by, now: dt.datetime | None = None) -> Question:
    """Never drawn again; past attempts keep it and show it."""
    require_perm(by, "quiz.change_question")
    require_visible(by, question)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.status == QuestionStatus.RETIRED:
        return question
    question.status = QuestionStatus.RETIRED
    question.retired_at = _now(now)
    question.save(update_fields=["status", "retired_at"])
    return question


@transaction.atomic
def question_restore(*, question: Question, by) -> Question:
    require_perm(by, "quiz.change_question")
    require_visible(by, question)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.status == QuestionStatus.ACTIVE:
        return question
    question.status = QuestionStatus.ACTIVE
    question.retired_at = None
    question.save(update_fields=["status", "retired_at"])
    return question


# --- joining --------------------------------------------------------------------------------------


def _active_membership(user):
    membership = current_membership(user)
    if membership is None or membership.status != MemberStatus.ACTIVE:
        raise PermissionDeniedError(
            _("The quiz is for union members: your membership must be active."), code="not_a_member"
        )
    return membership


def union_choices(*, quiz: Quiz, membership) -> list[Organisation]:
    """The unions a member may play for: their membership's union (first, the default), and the
    local (town) and industry federations of the quiz's area."""
    choices = [membership.union]
    choices += list(
        Organisation.objects.filter(
            path__startswith=quiz.organisation.path,
            kind__in=[OrganisationKind.TOWN, OrganisationKind.INDUSTRY],
            is_active=True,
        )
        .exclude(pk=membership.union_id)
        .order_by("path")
    )
    return choices


def _open_quiz(quiz: Quiz) -> Quiz:
    if quiz.status != QuizStatus.OPEN:
        raise _invalid(_("This quiz is not open."), code="quiz_closed")
    return quiz


def join_code_send(*, quiz: Quiz, by, mobile: str) -> str:
    """Send the code that confirms the mobile before the first attempt. Returns the number used."""
    _open_quiz(quiz)
    _active_membership(by)
    try:
        mobile = normalize_mobile(mobile)
    except Exception:  # noqa: BLE001 - ValidationError of the validator
        raise _invalid(_("Enter a valid mobile number."), "mobile") from None
    verification_code_send(
        mobile=mobile,
        purpose=JOIN_CODE_PURPOSE,
        text=_("Your code to join the union knowledge quiz is %(code)s. It is valid for 10 minutes."),
    )
    return mobile


@transaction.atomic
def participant_join(*, quiz: Quiz, by, mobile: str, code: str, union: Organisation) -> Participant:
    """Rule 1: confirm the mobile (the code sent to it) and choose the union, once."""
    _open_quiz(quiz)
    membership = _active_membership(by)
    if not membership.union.path.startswith(quiz.organisation.path):
        raise PermissionDeniedError(_("This quiz is for the members of another area."), code="other_area")
    existing = Participant.objects.filter(quiz=quiz, user=by).first()
    if existing is not None:
        return existing
    try:
        mobile = normalize_mobile(mobile)
    except Exception:  # noqa: BLE001 - ValidationError of the validator
        raise _invalid(_("Enter a valid mobile number."), "mobile") from None
    if union.pk not in {o.pk for o in union_choices(quiz=quiz, membership=membership)}:
        raise _invalid(_("Choose your union or a local or industry federation of the area."), "union")
    if not verification_code_check(mobile=mobile, purpose=JOIN_CODE_PURPOSE, code=code):
        raise _invalid(_("The code is wrong or has expired. Ask for a new one."), "code", "wrong_code")
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                quiz=quiz, user=by, member=membership, name=membership.name, mobile=mobile, union=union
            )
    except IntegrityError:
        return Participant.objects.get(quiz=quiz, user=by)
    return participant


def participant_of(*, quiz: Quiz, user) -> Participant | None:
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(quiz=quiz, user=user).select_related("union").first()


# --- the daily allowance ----------------------------------------------------------------------------


def _locked_allowance(participant: Participant, day: dt.date) -> DailyAllowance:
    """The day's counter row, created if missing, locked (two phones wait for each other here)."""
    DailyAllowance.objects.bulk_create(
        [DailyAllowance(participant=participant, day=day)],
        ignore_conflicts=True,
    )
    return DailyAllowance.objects.select_for_update(of=("self",)).get(participant=participant, day=day)


def allowance_of(*, participant: Participant, day: dt.date | None = None) -> DailyAllowance:
    """The day's allowance as it stands (unsaved when nothing happened yet that day)."""
    day = day or local_day()
    found = DailyAllowance.objects.filter(participant=participant, day=day).first()
    return found or DailyAllowance(participant=participant, day=day)


@transaction.atomic
def attempt_start(*, participant: Participant, by, now: dt.datetime | None = None) -> Attempt:
    """Rule 2 and 3: draw five questions with shuffled options, within the day's allowance."""
    if participant.user_id != getattr(by, "pk", None):
        raise NotFoundError(_("Not found."))
    quiz = _open_quiz(Quiz.objects.get(pk=participant.quiz_id))
    now = _now(now)
    day = local_day(now)
    allowance = _locked_allowance(participant, day)
    if allowance.started >= allowance.allowed:
        if allowance.allowed == DAILY_ATTEMPTS:
            message = _(
                "You have used today's attempt. Share your link: when a friend opens it, you get one more."
            )
        else:
            message = _("You have used both of today's attempts. Come back tomorrow.")
        raise _invalid(message, code="no_attempts_left")
    pool = list(Question.objects.drawable().filter(bank__quiz=quiz).values_list("pk", flat=True))
    if len(pool) < QUESTIONS_PER_ATTEMPT:
        raise _invalid(_("The question bank is not ready yet. Please try later."), code="bank_too_small")
    drawn = _random.sample(pool, QUESTIONS_PER_ATTEMPT)
    option_counts = dict(Question.objects.filter(pk__in=drawn).values_list("pk", "options"))
    allowance.started += 1
    allowance.save(update_fields=["started"])
    attempt = Attempt.objects.create(
        participant=participant,
        union_id=participant.union_id,
        day=day,
        month=ranking.month_start(day),
        number=allowance.started,
        started_at=now,
        deadline=now + dt.timedelta(seconds=quiz.attempt_seconds),
    )
    rows = []
    for position, pk in enumerate(drawn, start=1):
        order = list(range(len(option_counts[pk])))
        _random.shuffle(order)
        rows.append(AttemptQuestion(attempt=attempt, question_id=pk, position=position, order=order))
    bulk_create_with_history(rows, AttemptQuestion)
    return attempt


def _clean_answers(attempt: Attempt, drawn: list[AttemptQuestion], answers: dict) -> dict[int, list[int]]:
    """``{question id: [shown option indexes]}`` -> ``{question id: [bank option indexes]}``."""
    by_question = {d.question_id: d for d in drawn}
    cleaned: dict[int, list[int]] = {}
    for key, shown in (answers or {}).items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            raise _invalid(_("This question was not drawn for this attempt."), code="not_drawn") from None
        row = by_question.get(question_id)
        if row is None:
            raise _invalid(_("This question was not drawn for this attempt."), code="not_drawn")
        if isinstance(shown, int | str):
            shown = [shown]
        try:
            indexes = sorted({int(i) for i in shown or []})
        except (TypeError, ValueError):
            raise _invalid(_("Choose among the options shown."), code="bad_option") from None
        if any(not 0 <= i < len(row.order) for i in indexes):
            raise _invalid(_("Choose among the options shown."), code="bad_option")
        if row.question.kind == QuestionKind.SINGLE and len(indexes) > 1:
            raise _invalid(_("Choose one option for a single choice question."), code="bad_option")
        cleaned[question_id] = sorted(row.order[i] for i in indexes)
    return cleaned


def _add_to_month(attempt: Attempt, now: dt.datetime) -> MonthScore:
    """Rule 4: the attempt's points to its month (the month of the day it started)."""
    participant = attempt.participant
    MonthScore.objects.bulk_create(
        [
            MonthScore(
                quiz_id=participant.quiz_id,
                participant=participant,
                month=attempt.month,
                reached_at=now,
                rank_key=ranking.rank_key(points=0, reached_at=now, month=attempt.month),
            )
        ],
        ignore_conflicts=True,
    )
    score = MonthScore.objects.select_for_update(of=("self",)).get(
        participant=participant, month=attempt.month
    )
    score.attempts += 1
    if attempt.score:
        score.points += attempt.score
        score.reached_at = now
        score.rank_key = ranking.rank_key(points=score.points, reached_at=now, month=attempt.month)
    score.save(update_fields=["attempts", "points", "reached_at", "rank_key"])
    key = score.rank_key
    transaction.on_commit(lambda: ranking.redis_push(participant.quiz_id, attempt.month, participant.pk, key))
    return score


@transaction.atomic
def attempt_submit(*, attempt: Attempt, by, answers: dict, now: dt.datetime | None = None) -> Attempt:
    """Score an attempt on the server, once. Late (past the deadline): expired, no points."""
    if attempt.participant.user_id != getattr(by, "pk", None):
        raise NotFoundError(_("Not found."))
    now = _now(now)
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("participant").get(pk=attempt.pk)
    if attempt.state != AttemptState.OPEN:
        return attempt  # submitting twice scores once
    drawn = list(attempt.questions.select_related("question").order_by("position"))
    chosen = _clean_answers(attempt, drawn, answers)
    attempt.submitted_at = now
    if now > attempt.deadline + dt.timedelta(seconds=SUBMIT_GRACE_SECONDS):
        attempt.state = AttemptState.EXPIRED
        attempt.save(update_fields=["state", "submitted_at"])
        _add_to_month(attempt, now)
        return attempt
    correct = 0
    for row in drawn:
        row.chosen = chosen.get(row.question_id)
        row.is_correct = row.chosen is not None and row.chosen == sorted(row.question.answer)
        correct += row.is_correct
    AttemptQuestion.objects.bulk_update(drawn, ["chosen", "is_correct"])
    attempt.state = AttemptState.SUBMITTED
    attempt.correct = correct
    attempt.score = correct * POINTS_PER_QUESTION
    attempt.save(update_fields=["state", "submitted_at", "correct", "score"])
    _add_to_month(attempt, now)
    return attempt


@transaction.atomic
def attempt_expire(*, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """Close an attempt nobody submitted before its deadline (a task; safe twice)."""
    now = _now(now)
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("participant").get(pk=attempt.pk)
    if attempt.state != AttemptState.OPEN or now <= attempt.deadline + dt.timedelta(
        seconds=SUBMIT_GRACE_SECONDS
    ):
        return attempt
    attempt.state = AttemptState.EXPIRED
    attempt.submitted_at = now
    attempt.save(update_fields=["state", "submitted_at"])
    _add_to_month(attempt, now)
    return attempt


def attempts_expire_overdue(*, now: dt.datetime | None = None) -> int:
    now = _now(now)
    cutoff = now - dt.timedelta(seconds=SUBMIT_GRACE_SECONDS)
    ids = list(
        Attempt.objects.filter(state=AttemptState.OPEN, deadline__lt=cutoff).values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        attempt = attempt_expire(attempt=Attempt(pk=pk), now=now)
        done += attempt.state == AttemptState.EXPIRED
    return done


# --- sharing ----------------------------------------------------------------------------------------


def share_token(participant: Participant) -> str:
    """The signed token of a participant's share link (it names them; nobody can forge another's)."""
    return signing.dumps(participant.pk, salt=SHARE_SALT)


def _sharer(token: str) -> Participant:
    try:
        pk = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        raise NotFoundError(_("This share link is not valid.")) from None
    participant = Participant.objects.filter(pk=pk).select_related("quiz", "user").first()
    if participant is None:
        raise NotFoundError(_("This share link is not valid."))
    return participant


@transaction.atomic
def share_open(*, token: str, by, now: dt.datetime | None = None) -> tuple[Participant, bool]:
    """Rule 3: someone other than the member opened their link: one more attempt today, once a day.
    Returns the sharer and whether this opening granted the extra attempt."""
    sharer = _sharer(token)
    if by is None or not by.is_authenticated or by.pk == sharer.user_id:
        return sharer, False
    now = _now(now)
    allowance = _locked_allowance(sharer, local_day(now))
    if allowance.bonus_at is not None:
        return sharer, False
    allowance.bonus_at = now
    allowance.bonus_by = by
    allowance.save(update_fields=["bonus_at", "bonus_by"])
    notify(
        user=sharer.user,
        event="quiz.share_bonus",
        key=f"quiz.share_bonus:{sharer.pk}:{allowance.day:%Y%m%d}",
        context={"quiz": sharer.quiz.name},
        link=_portal_link(sharer.quiz),
    )
    return sharer, True


def _portal_link(quiz: Quiz) -> str:
    from django.urls import reverse

    return reverse("quiz:home", args=[quiz.pk])


# --- months and prizes ------------------------------------------------------------------------------


@transaction.atomic
def quiz_month_ensure(*, quiz: Quiz, month: dt.date) -> QuizMonth:
    """The month's row with the default tiers (idempotent)."""
    month = ranking.month_start(month)
    QuizMonth.objects.bulk_create([QuizMonth(quiz=quiz, month=month)], ignore_conflicts=True)
    quiz_month = QuizMonth.objects.get(quiz=quiz, month=month)
    if not quiz_month.tiers.exists():
        for rank_from, rank_to, amount in DEFAULT_TIERS:
            PrizeTier.objects.create(
                quiz_month=quiz_month, rank_from=rank_from, rank_to=rank_to, amount=amount
            )
    return quiz_month


def _check_tiers(tiers: list[PrizeTier]) -> None:
    covered: set[int] = set()
    for tier in tiers:
        ranks = set(range(tier.rank_from, tier.rank_to + 1))
        if covered & ranks:
            raise _invalid(_("Two prize tiers cover the same rank."), code="tiers_overlap")
        covered |= ranks


def tiers_check(*, quiz_month: QuizMonth) -> None:
    """The tiers of a month may not overlap (after the admin saved them)."""
    _check_tiers(list(quiz_month.tiers.order_by("rank_from")))


@transaction.atomic
def month_close(*, quiz_month: QuizMonth, by, now: dt.datetime | None = None) -> QuizMonth:
    """Rule 5: after the month, fix the top 100 and their phone credit, and tell each winner.
    ``by`` None: the monthly task (:func:`months_close_due`)."""
    if by is not None:
        require_perm(by, "quiz.export_prize")
        require_visible(by, quiz_month)
    now = _now(now)
    quiz_month = (
        QuizMonth.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=quiz_month.pk)
    )
    if quiz_month.state == MonthState.CLOSED:
        return quiz_month
    if local_day(now) < ranking.next_month(quiz_month.month):
        raise _invalid(_("The month is not over yet."), code="month_not_over")
    tiers = list(quiz_month.tiers.order_by("rank_from"))
    _check_tiers(tiers)
    top = [s for s in ranking.db_top(quiz_month.quiz_id, quiz_month.month, PRIZE_WINNERS) if s.points > 0]
    people = ranking.participants_of(top)
    prizes = []
    for standing in top:
        tier = next((t for t in tiers if t.rank_from <= standing.rank <= t.rank_to), None)
        if tier is None:
            continue
        participant = people[standing.participant_id]
        prizes.append(
            Prize(
                quiz_month=quiz_month,
                rank=standing.rank,
                participant=participant,
                points=standing.points,
                amount=tier.amount,
                mobile=participant.mobile,
            )
        )
    bulk_create_with_history(prizes, Prize)
    quiz_month.state = MonthState.CLOSED
    quiz_month.closed_at = now
    quiz_month.closed_by = by
    quiz_month.save(update_fields=["state", "closed_at", "closed_by"])
    for prize in prizes:
        notify(
            user=prize.participant.user,
            event="quiz.prize",
            key=f"quiz.prize:{quiz_month.pk}:{prize.participant_id}",
            context={
                "quiz": quiz_month.quiz.name,
                "month": f"{quiz_month.month:%Y-%m}",
                "rank": prize.rank,
                "amount": prize.amount,
                "points": prize.points,
            },
            link=_portal_link(quiz_month.quiz),
        )
    return quiz_month


def months_close_due(*, now: dt.datetime | None = None) -> int:
    """On and after the 1st: draw up last month's prize list of every quiz that had scores (safe twice)."""
    now = _now(now)
    last_month = ranking.month_start(ranking.month_start(local_day(now)) - dt.timedelta(days=1))
    closed = 0
    quiz_ids = MonthScore.objects.filter(month=last_month).values_list("quiz_id", flat=True).distinct()
    for quiz in Quiz.objects.filter(pk__in=list(quiz_ids)):
        quiz_month = quiz_month_ensure(quiz=quiz, month=last_month)
        if quiz_month.state != MonthState.CLOSED:
            month_close(quiz_month=quiz_month, by=None, now=now)
            closed += 1
    return closed


def prize_list_rows(*, quiz_month: QuizMonth, viewer) -> list[list]:
    """The month's prize list for payment (a header row, then one row per winner)."""
    require_perm(viewer, "quiz.export_prize")
    require_visible(viewer, quiz_month)
    header = [_("Rank"), _("Name"), _("Mobile number"), _("Union"), _("Points"), _("Phone credit (yuan)")]
    rows = [header]
    prizes = Prize.objects.filter(quiz_month=quiz_month).select_related("participant__union").order_by("rank")
    for prize in prizes:
        rows.append(
            [
                prize.rank,
                prize.participant.name,
                prize.mobile,
                prize.participant.union.name,
                prize.points,
                prize.amount,
            ]
        )
    return rows

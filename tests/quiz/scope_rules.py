"""Scope-walk rules of the knowledge quiz (discovered by ``tests/scope/rules.py``)."""

from __future__ import annotations


def _quiz(w):
    """Town B's quiz, its bank, the victim member as a participant with an attempt, and a closed month
    with a prize, made once per world through the services."""
    cached = w.__dict__.get("_quiz")
    if cached is not None:
        return cached
    import datetime as dt

    from django.utils import timezone

    from competitions.quiz import services
    from competitions.quiz.models import Prize, Question

    from .factories import join, make_bank, make_quiz, right_answers

    staff = w.people.district_staff
    quiz = make_quiz(w.tree.town_b, name="乐平秘密竞答")
    bank = make_bank(quiz, staff, questions=6, name="乐平秘密题库")
    participant = join(quiz, w.victim_user)
    attempt = services.attempt_start(participant=participant, by=w.victim_user)
    services.attempt_submit(attempt=attempt, by=w.victim_user, answers=right_answers(attempt))
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    then = timezone.make_aware(dt.datetime.combine(last_month + dt.timedelta(days=9), dt.time(20)))
    earlier = services.attempt_start(participant=participant, by=w.victim_user, now=then)
    services.attempt_submit(attempt=earlier, by=w.victim_user, answers=right_answers(earlier), now=then)
    quiz_month = services.quiz_month_ensure(quiz=quiz, month=last_month)
    services.month_close(quiz_month=quiz_month, by=staff)
    cached = {
        "quiz": quiz,
        "bank": bank,
        "question": Question.objects.filter(bank=bank).first(),
        "participant": participant,
        "attempt": attempt,
        "month": quiz_month,
        "prize": Prize.objects.filter(quiz_month=quiz_month).first(),
    }
    w.__dict__["_quiz"] = cached
    return cached


def _open_attempt(w):
    """An open attempt of the victim (their second of the day, after a share), made once per world."""
    cached = w.__dict__.get("_quiz_open_attempt")
    if cached is None:
        from competitions.quiz import services

        participant = _quiz(w)["participant"]
        services.share_open(token=services.share_token(participant), by=w.people.member_user)
        cached = services.attempt_start(participant=participant, by=w.victim_user)
        w.__dict__["_quiz_open_attempt"] = cached
    return cached


def register(rules) -> None:
    from competitions.quiz import models as quiz
    from competitions.quiz import services

    rules.VICTIMS.update({
        quiz.Quiz: lambda w: _quiz(w)["quiz"],
        quiz.QuestionBank: lambda w: _quiz(w)["bank"],
        quiz.Question: lambda w: _quiz(w)["question"],
        quiz.Participant: lambda w: _quiz(w)["participant"],
        quiz.Attempt: lambda w: _quiz(w)["attempt"],
        quiz.QuizMonth: lambda w: _quiz(w)["month"],
        quiz.Prize: lambda w: _quiz(w)["prize"],
    })  # fmt: skip
    rules.ADMIN_EXTRA_URLS["quiz_quizmonth_prizes"] = {"fmt": "csv"}
    rules.PORTAL_ARGS.update({
        "quiz:home": {"quiz_id": lambda w: _quiz(w)["quiz"].pk},
        "quiz:send_code": {"quiz_id": lambda w: _quiz(w)["quiz"].pk},
        "quiz:start": {"quiz_id": lambda w: _quiz(w)["quiz"].pk},
        "quiz:union": {"quiz_id": lambda w: _quiz(w)["quiz"].pk},
        "quiz:board": {"quiz_id": lambda w: _quiz(w)["quiz"].pk},
        "quiz:history": {"quiz_id": lambda w: _quiz(w)["quiz"].pk},
        "quiz:share": {"token": lambda w: services.share_token(_quiz(w)["participant"])},
    })  # fmt: skip
    rules.PORTAL_URLS.update({
        "quiz:index": ("own", "the quizzes open to the viewer's own union"),
        "quiz:home": ("own", "the viewer's own participation, or the form to join"),
        "quiz:send_code": ("own", "sends a code to the viewer's own mobile (POST only)"),
        "quiz:start": ("own", "starts the viewer's own attempt (POST only)"),
        "quiz:union": ("own", "changes the viewer's own union from next month (POST only)"),
        "quiz:board": ("public", "the month's top 100 with masked names, and the viewer's own rank"),
        "quiz:history": ("own", "the viewer's own attempts"),
        "quiz:attempt": (quiz.Attempt, "pk"),
        "quiz:share": ("own", "a share link anyone may open: it names the sharer masked, nothing else"),
    })  # fmt: skip
    rules.COMMANDS.update({
        "v1:quiz-attempt-start": lambda w: {"quiz": _quiz(w)["quiz"].pk},
        "v1:quiz-attempt-submit": lambda w: {"answers": {}},
    })  # fmt: skip
    rules.COMMAND_VICTIMS["v1:quiz-attempt-submit"] = _open_attempt
    rules.COMMAND_ACTORS["v1:quiz-attempt-submit"] = lambda w: w.victim_user
    rules.API_COMMAND_URLS.update({
        "v1:quiz-leaderboard": "public: the top 100 with masked names, and the caller's own standing",
        "v1:quiz-participation": "aggregates only, of a node the caller sees, with quiz.view_quiz_figures",
        "v1:quiz-union": "own: the caller's own participation (their union, and its change from next month)",
    })  # fmt: skip

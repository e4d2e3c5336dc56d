"""The knowledge quiz's part of the scale data: the demo's quiz, question banks and questions,
participants with a month of attempts and a closed month with its prizes, built through the services
on the scale district (:func:`union_portal.core.scale.demo_context`).

The rows come at the demo's size, not in proportion to the members: enough for the admin lists and
the API to be measured on real rows (``bench/run.py``'s query counts at 10 and 100 rows), each one
written by the service that writes it in production.
"""

from __future__ import annotations

from django.apps import apps

from union_portal.core.scale import demo_context

from .models import Attempt, Participant, Question, QuestionBank, Quiz, QuizMonth

#: What this part writes (every model of the app): emptied by ``generate_scale --reset``, analysed after.
MODELS = tuple(apps.get_app_config("quiz").get_models())


def build(ctx) -> dict:
    from . import demo

    demo.build(demo_context(ctx, "quiz"))
    return {
        "quiz.Quiz": Quiz.objects.count(),
        "quiz.QuestionBank": QuestionBank.objects.count(),
        "quiz.Question": Question.objects.count(),
        "quiz.Participant": Participant.objects.count(),
        "quiz.Attempt": Attempt.objects.count(),
        "quiz.QuizMonth": QuizMonth.objects.count(),
    }

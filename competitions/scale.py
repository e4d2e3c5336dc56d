"""Contests and honours' part of the scale data: the demo's contests with entries, judges and
score sheets, honour titles, nomination rounds, honours, care records, studios and mentor pairs,
built through the services on the scale district (:func:`union_portal.core.scale.demo_context`).

The rows come at the demo's size, not in proportion to the members: enough for the admin lists and
the API to be measured on real rows (``bench/run.py``'s query counts at 10 and 100 rows), each one
written by the service that writes it in production.
"""

from __future__ import annotations

from django.apps import apps

from union_portal.core.scale import demo_context

from .models import Contest, Entry, Honour, HonourTitle, Judge, Nomination, NominationRound, ScoreSheet

#: What this part writes (every model of the app): emptied by ``generate_scale --reset``, analysed after.
MODELS = tuple(apps.get_app_config("competitions").get_models())


def build(ctx) -> dict:
    from . import demo

    demo.build(demo_context(ctx, "competitions"))
    return {
        "competitions.Contest": Contest.objects.count(),
        "competitions.Entry": Entry.objects.count(),
        "competitions.Judge": Judge.objects.count(),
        "competitions.ScoreSheet": ScoreSheet.objects.count(),
        "competitions.HonourTitle": HonourTitle.objects.count(),
        "competitions.NominationRound": NominationRound.objects.count(),
        "competitions.Nomination": Nomination.objects.count(),
        "competitions.Honour": Honour.objects.count(),
    }

"""Volunteers' part of the scale data: the demo's corps, its teams, volunteers from the
members, a year of activities with sign-ups and verified hours, star levels and training sessions,
built through the services on the scale district (:func:`union_portal.core.scale.demo_context`).

The rows come at the demo's size, not in proportion to the members: enough for the admin lists and
the API to be measured on real rows (``bench/run.py``'s query counts at 10 and 100 rows), each one
written by the service that writes it in production.
"""

from __future__ import annotations

from django.apps import apps

from union_portal.core.scale import demo_context

from .models import Activity, ServiceRecord, Signup, StarLevelEvent, Team, TrainingSession, Volunteer

#: What this part writes (every model of the app): emptied by ``generate_scale --reset``, analysed after.
MODELS = tuple(apps.get_app_config("volunteers").get_models())


def build(ctx) -> dict:
    from . import demo

    demo.build(demo_context(ctx, "volunteers"))
    return {
        "volunteers.Team": Team.objects.count(),
        "volunteers.Volunteer": Volunteer.objects.count(),
        "volunteers.Activity": Activity.objects.count(),
        "volunteers.Signup": Signup.objects.count(),
        "volunteers.ServiceRecord": ServiceRecord.objects.count(),
        "volunteers.StarLevelEvent": StarLevelEvent.objects.count(),
        "volunteers.TrainingSession": TrainingSession.objects.count(),
    }

"""Legal aid's part of the scale data: the demo's stations, lawyers, advisers, a month of
duty roster, consultations and dispute cases, built through the services on the scale district (:func:`union_portal.core.scale.demo_context`).

The rows come at the demo's size, not in proportion to the members: enough for the admin lists and
the API to be measured on real rows (``bench/run.py``'s query counts at 10 and 100 rows), each one
written by the service that writes it in production.
"""

from __future__ import annotations

from django.apps import apps

from union_portal.core.scale import demo_context

from .models import Consultation, DisputeCase, Lawyer, Shift, Station

#: What this part writes (every model of the app): emptied by ``generate_scale --reset``, analysed after.
MODELS = tuple(apps.get_app_config("legal_aid").get_models())


def build(ctx) -> dict:
    from . import demo

    demo.build(demo_context(ctx, "legal_aid"))
    return {
        "legal_aid.Station": Station.objects.count(),
        "legal_aid.Lawyer": Lawyer.objects.count(),
        "legal_aid.Shift": Shift.objects.count(),
        "legal_aid.Consultation": Consultation.objects.count(),
        "legal_aid.DisputeCase": DisputeCase.objects.count(),
    }

"""Work waiting in contests and honours: score sheets to reopen are not work; these are."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.core.queues import WorkQueue

from .models import ActiveState, MentorPair, Nomination, NominationState, Objection, ObjectionState

QUEUES = [
    WorkQueue(
        key="honours.nominations_to_review",
        label=_("Nominations to review"),
        permission="competitions.review_nomination",
        count=lambda viewer: (
            Nomination.objects.visible_to(viewer).filter(state=NominationState.SUBMITTED).count()
        ),
        url=lambda: reverse("admin:competitions_nomination_changelist") + "?state__exact=submitted",
    ),
    WorkQueue(
        key="honours.objections_open",
        label=_("Objections to resolve"),
        permission="competitions.resolve_objection",
        count=lambda viewer: Objection.objects.visible_to(viewer).filter(state=ObjectionState.OPEN).count(),
        url=lambda: reverse("admin:competitions_objection_changelist") + "?state__exact=open",
    ),
    WorkQueue(
        key="honours.mentor_pairs_past_term",
        label=_("Mentor pairs past their term without an outcome"),
        permission="competitions.change_mentorpair",
        count=lambda viewer: (
            MentorPair.objects.visible_to(viewer)
            .filter(status=ActiveState.ACTIVE, ends_on__lt=timezone.localdate())
            .count()
        ),
        url=lambda: reverse("admin:competitions_mentorpair_changelist") + "?status__exact=active",
    ),
]

"""Legal aid on a member's timeline: their consultations and dispute cases (masked, scoped)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from union_portal.core.timeline import TimelineEvent

from .models import Consultation, DisputeCase
from .services.common import link


def member_events(*, member, viewer) -> list[TimelineEvent]:
    """Two queries: what ``viewer`` may see of the member's consultations and cases."""
    events = []
    for item in Consultation.objects.visible_to(viewer).filter(member=member):
        events.append(
            TimelineEvent(
                at=item.asked_at, app="legal_aid", kind="consultation",
                title=_("Legal consultation: %(topic)s") % {"topic": item.get_topic_display()},
                detail=item.get_status_display(), link=link("legal:consultation", item.pk),
            )
        )  # fmt: skip
    for case in DisputeCase.objects.visible_to(viewer).filter(applicant=member):
        events.append(
            TimelineEvent(
                at=case.opened_at, app="legal_aid", kind="case",
                title=_("Labour-dispute case no. %(pk)s") % {"pk": case.pk},
                detail=case.get_stage_display(), link=link("legal:case", case.pk),
            )
        )  # fmt: skip
    return events

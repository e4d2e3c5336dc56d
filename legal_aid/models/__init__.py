"""Legal aid: the lawyer panel and stations, duty rosters, consultations and labour-dispute cases."""

from .cases import (
    BEFORE_ARBITRATION,
    NEXT_STAGES,
    OPEN_STAGES,
    CaseQuerySet,
    CaseStep,
    Channel,
    ClaimType,
    Consultation,
    ConsultationStatus,
    DisputeCase,
    Outcome,
    PartnerOffice,
    Stage,
    limitation_date,
)
from .common import MONEY, ZERO, Topic
from .panel import (
    AdviserAssignment,
    AssignmentStatus,
    EnterpriseEvent,
    EventKind,
    Lawyer,
    LawyerStatus,
    Leave,
    Station,
    StationKind,
)
from .roster import (
    KEPT_SHIFT_STATES,
    LIVE_SHIFT_STATES,
    OVERLAP_CONSTRAINT,
    Shift,
    ShiftStatus,
    SwapRequest,
    SwapStatus,
)

__all__ = [
    "BEFORE_ARBITRATION", "KEPT_SHIFT_STATES", "LIVE_SHIFT_STATES", "MONEY", "NEXT_STAGES", "OPEN_STAGES",
    "OVERLAP_CONSTRAINT", "ZERO", "AdviserAssignment", "AssignmentStatus", "CaseQuerySet", "CaseStep", "Channel",
    "ClaimType", "Consultation", "ConsultationStatus", "DisputeCase", "EnterpriseEvent", "EventKind", "Lawyer",
    "LawyerStatus", "Leave", "Outcome", "PartnerOffice", "Shift", "ShiftStatus", "Stage", "Station", "StationKind",
    "SwapRequest", "SwapStatus", "Topic", "limitation_date",
]  # fmt: skip

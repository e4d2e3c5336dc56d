"""Every write of legal aid that carries a rule (one module per sub-domain, re-exported here)."""

from .cases import (
    case_advance,
    case_assign_lawyer,
    case_close,
    case_limitation_interrupt,
    case_open,
    case_refer,
    clean_claims,
    consultation_answer,
    consultation_record,
    consultation_request,
    find_cases_by_id_number,
    limitation_threshold,
    limitation_warnings_send,
)
from .panel import (
    adviser_assign,
    adviser_end,
    calendar_token_reset,
    clean_lawyer_input,
    clean_licence,
    clean_opening_hours,
    enterprise_event_record,
    lawyer_add,
    lawyer_end,
    lawyer_update,
    leave_add,
    station_save,
)
from .roster import (
    ensure_free,
    free_lawyers_ranked,
    shift_add,
    shift_assign,
    shift_confirm,
    shift_cover,
    shift_reminders_send,
    shift_report_absence,
    swap_accept,
    swap_decline,
    swap_request,
)

__all__ = [
    "adviser_assign", "adviser_end", "calendar_token_reset", "case_advance", "case_assign_lawyer", "case_close",
    "case_limitation_interrupt", "case_open", "case_refer", "clean_claims", "clean_lawyer_input", "clean_licence", "clean_opening_hours",
    "consultation_answer", "consultation_record", "consultation_request", "ensure_free", "enterprise_event_record",
    "find_cases_by_id_number",
    "free_lawyers_ranked", "lawyer_add", "lawyer_end", "lawyer_update", "leave_add", "limitation_threshold",
    "limitation_warnings_send", "shift_add", "shift_assign", "shift_confirm", "shift_cover", "shift_reminders_send",
    "shift_report_absence", "station_save", "swap_accept", "swap_decline", "swap_request",
]  # fmt: skip

"""Every write of hardship aid that carries a rule, one module per subject, re-exported here so that
``from assistance.services import X`` and ``services.X`` name the one place each rule lives:

- :mod:`.common`: amounts in yuan, typed text, the payee's bank account;
- :mod:`.files`: hardship files (the household, the annual re-check, exit, closing) and visits;
- :mod:`.campaigns`: festival and education campaigns, the mutual-aid scheme and its claims;
- :mod:`.applications`: the workflow of an application and the messages of its steps;
- :mod:`.documents`: documents kept with an application;
- :mod:`.reminders`: reminders to staff (re-checks due, applications waiting).

The workflow of an application lives in :mod:`.applications` and only there::

    submitted ─check─▶ checked ─approve─▶ approved ─pay─▶ paid ─close─▶ closed
        │                 │
        ├─reject──────────┴─reject─▶ rejected
        └─withdraw (also from checked) ─▶ withdrawn

Each step checks the actor's permission and scope, locks what it changes (the campaign or the
mutual-aid enrolment first, then the application: always in that order, so two steps never wait
on each other in a circle), records an :class:`AidStep` and notifies the applicant after commit.
Calling a step again on an application already there returns it unchanged.
"""

from .applications import (
    STEP_EVENTS,
    application_approve,
    application_check,
    application_close,
    application_limit,
    application_pay,
    application_payee_set,
    application_reject,
    application_submit,
    application_withdraw,
    applications_bulk,
    step_context,
)
from .campaigns import (
    ClaimComputation,
    ClaimStep,
    campaign_save,
    compute_claim,
    current_enrolment,
    mutual_aid_enrol,
)
from .common import CENT, REASON_MAX, clean_bank_account
from .documents import (
    CLOSED_STATES,
    MAGIC,
    NO_UPLOAD_STATES,
    document_add,
    document_digest,
    documents_accepted,
    sniff_document,
)
from .files import (
    HouseholdFigures,
    clean_causes,
    clean_household_row,
    hardship_file_close,
    hardship_file_exit,
    hardship_file_open,
    hardship_file_recheck,
    hardship_file_recompute,
    hardship_file_update,
    household_figures,
    visit_record,
    visit_update,
)
from .reminders import recheck_reminders_send, waiting_applications, waiting_filter, waiting_reminders_send

__all__ = [
    "CENT", "CLOSED_STATES", "MAGIC", "NO_UPLOAD_STATES", "REASON_MAX", "STEP_EVENTS", "ClaimComputation",
    "ClaimStep", "HouseholdFigures", "application_approve", "application_check", "application_close",
    "application_limit", "application_pay", "application_payee_set", "application_reject", "application_submit",
    "application_withdraw", "applications_bulk", "campaign_save", "clean_bank_account", "clean_causes",
    "clean_household_row", "compute_claim", "current_enrolment", "document_add", "document_digest",
    "documents_accepted", "hardship_file_close", "hardship_file_exit", "hardship_file_open",
    "hardship_file_recheck", "hardship_file_recompute", "hardship_file_update", "household_figures",
    "mutual_aid_enrol", "recheck_reminders_send", "sniff_document", "step_context", "visit_record",
    "visit_update", "waiting_applications", "waiting_filter", "waiting_reminders_send",
]  # fmt: skip

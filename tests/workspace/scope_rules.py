"""Scope-walk rules of the staff workspace: the workflow-step pages on records (union_portal.core.record_steps)."""

from __future__ import annotations


def register(rules) -> None:
    # <object_id> is filled with the victim of the admin's model; the step is a fixed word
    rules.ADMIN_EXTRA_URLS["members_member_step"] = {"step": "reject"}
    rules.ADMIN_EXTRA_URLS["assistance_aidapplication_step"] = {"step": "reject"}
    rules.ADMIN_EXTRA_URLS["competitions_entry_step"] = {"step": "disqualify"}
    rules.ADMIN_EXTRA_URLS["competitions_nomination_step"] = {"step": "reject"}
    rules.ADMIN_EXTRA_URLS["competitions_nominationround_step"] = {"step": "confer"}
    rules.ADMIN_EXTRA_URLS["competitions_objection_step"] = {"step": "dismiss"}
    rules.ADMIN_EXTRA_URLS["competitions_mentorpair_step"] = {"step": "end"}
    rules.ADMIN_EXTRA_URLS["volunteers_activity_step"] = {"step": "cancel"}
    rules.ADMIN_EXTRA_URLS["volunteers_servicerecord_step"] = {"step": "reject"}

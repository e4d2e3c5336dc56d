"""Scope-walk rules of the staff workspace: the workflow-step pages on records (union_portal.core.record_steps)."""

from __future__ import annotations


def register(rules) -> None:
    # <object_id> is filled with the victim of the admin's model; the step is a fixed word
    rules.ADMIN_EXTRA_URLS["members_member_step"] = {"step": "reject"}
    rules.ADMIN_EXTRA_URLS["assistance_aidapplication_step"] = {"step": "reject"}

"""What each role may do in hardship aid (discovered by ``sync_roles``)."""

from union_portal.accounts.roles import Role

# --- hardship aid (assistance/) -------------------------------------------------------------------
_AID_READ = [
    "assistance.view_helpcentre", "assistance.view_hardshipfile", "assistance.view_householdmember",
    "assistance.view_campaign", "assistance.view_mutualaidscheme", "assistance.view_mutualaidenrolment",
    "assistance.view_aidapplication", "assistance.view_aidstep", "assistance.view_payment",
    "assistance.view_document", "assistance.view_visit", "assistance.view_pairing",
]  # fmt: skip
_AID_FILES = [
    "assistance.add_hardshipfile", "assistance.change_hardshipfile", "assistance.view_household",
    "assistance.add_householdmember", "assistance.change_householdmember", "assistance.delete_householdmember",
    "assistance.add_visit", "assistance.change_visit", "assistance.add_pairing", "assistance.change_pairing",
    "assistance.add_mutualaidenrolment", "assistance.add_aidapplication", "assistance.check_aidapplication",
]  # fmt: skip
PERMISSIONS = {
    Role.DISTRICT_STAFF: [
        *_AID_READ, *_AID_FILES,
        "assistance.add_helpcentre", "assistance.change_helpcentre",
        "assistance.add_campaign", "assistance.change_campaign", "assistance.export_payment",
        "assistance.add_mutualaidscheme", "assistance.change_mutualaidscheme",
        "assistance.approve_aidapplication", "assistance.override_aid_amount", "assistance.pay_aidapplication",
        "assistance.import_hardshipfile", "assistance.view_aid_figures",
    ],
    Role.TOWN_STAFF: [*_AID_READ, *_AID_FILES, "assistance.view_aid_figures"],
    Role.UNION_OFFICER: [
        "assistance.view_helpcentre", "assistance.view_hardshipfile", "assistance.view_campaign",
        "assistance.view_mutualaidscheme", "assistance.view_mutualaidenrolment", "assistance.view_aidapplication",
        "assistance.view_aidstep", "assistance.view_payment", "assistance.view_document",
        "assistance.add_aidapplication", "assistance.check_aidapplication", "assistance.add_mutualaidenrolment",
    ],
    Role.AUDITOR: ["assistance.view_aid_figures"],
    Role.PROXY_AGENT: ["assistance.add_aidapplication", "assistance.view_aidapplication"],
    Role.PARTNER: ["assistance.view_aid_figures"],  # aggregates only, no personal data
}  # fmt: skip

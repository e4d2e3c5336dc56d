"""What each role may do in legal aid (discovered by ``sync_roles``)."""

from union_portal.accounts.roles import Role

_READ = [
    "legal_aid.view_lawyer", "legal_aid.view_leave", "legal_aid.view_station", "legal_aid.view_adviserassignment",
    "legal_aid.view_enterpriseevent", "legal_aid.view_shift", "legal_aid.view_swaprequest",
    "legal_aid.view_consultation", "legal_aid.view_disputecase", "legal_aid.view_casestep",
]  # fmt: skip
_WORK = [
    "legal_aid.add_consultation", "legal_aid.change_consultation",
    "legal_aid.add_disputecase", "legal_aid.change_disputecase", "legal_aid.advance_disputecase",
    "legal_aid.add_enterpriseevent", "legal_aid.add_shift", "legal_aid.change_shift", "legal_aid.add_leave",
    "legal_aid.view_legal_figures",
]  # fmt: skip
PERMISSIONS = {
    Role.DISTRICT_STAFF: [
        *_READ, *_WORK, "legal_aid.view_case_details",
        "legal_aid.add_lawyer", "legal_aid.change_lawyer", "legal_aid.import_lawyer",
        "legal_aid.add_station", "legal_aid.change_station",
        "legal_aid.add_adviserassignment", "legal_aid.change_adviserassignment",
    ],
    Role.TOWN_STAFF: [*_READ, *_WORK, "legal_aid.view_case_details"],
    Role.UNION_OFFICER: [
        "legal_aid.view_station", "legal_aid.view_adviserassignment", "legal_aid.view_enterpriseevent",
        "legal_aid.view_consultation", "legal_aid.view_disputecase", "legal_aid.add_consultation",
    ],
    Role.AUDITOR: ["legal_aid.view_legal_figures"],
    # A lawyer reads their own rows through the API (``visible_to`` gives a lawyer only their own).
    Role.LAWYER: [
        "legal_aid.view_shift", "legal_aid.view_consultation", "legal_aid.view_disputecase",
        "legal_aid.view_casestep",
    ],
    Role.PARTNER: [
        "legal_aid.view_disputecase", "legal_aid.add_disputecase", "legal_aid.advance_disputecase",
        "legal_aid.view_casestep", "legal_aid.view_legal_figures",
    ],
}  # fmt: skip

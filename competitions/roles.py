"""What each role may do in contests and honours (discovered by ``sync_roles``)."""

from union_portal.accounts.roles import Role

# --- contests and honours (competitions/) ------------------------------------------------------------
_READ = [
    "competitions.view_contest", "competitions.view_entry", "competitions.view_judge",
    "competitions.view_scoresheet", "competitions.view_honourtitle", "competitions.view_nominationround",
    "competitions.view_nomination", "competitions.view_nominationstep", "competitions.view_objection",
    "competitions.view_honour", "competitions.view_carerecord", "competitions.view_studio",
    "competitions.view_mentorpair",
]  # fmt: skip
_TOWN = [
    "competitions.add_contest", "competitions.change_contest", "competitions.add_entry", "competitions.change_entry",
    "competitions.add_judge", "competitions.change_judge", "competitions.add_scoresheet",
    "competitions.add_nomination", "competitions.add_carerecord", "competitions.add_studio",
    "competitions.change_studio", "competitions.add_mentorpair", "competitions.change_mentorpair",
    "competitions.view_contest_figures",
]  # fmt: skip
PERMISSIONS = {
    Role.DISTRICT_STAFF: [
        *_READ, *_TOWN,
        "competitions.publish_contest", "competitions.reopen_scoresheet", "competitions.import_contest",
        "competitions.add_honourtitle", "competitions.change_honourtitle",
        "competitions.add_nominationround", "competitions.change_nominationround",
        "competitions.confer_nominationround", "competitions.review_nomination",
        "competitions.add_objection", "competitions.resolve_objection",
        "competitions.add_honour", "competitions.change_honour", "competitions.import_honour",
    ],
    Role.TOWN_STAFF: [*_READ, *_TOWN],
    Role.UNION_OFFICER: [
        "competitions.view_contest", "competitions.view_entry", "competitions.view_honourtitle",
        "competitions.view_nominationround", "competitions.view_nomination", "competitions.view_honour",
        "competitions.add_entry", "competitions.add_nomination",
    ],
    Role.JUDGE: ["competitions.score_scoresheet", "competitions.view_scoresheet"],
    Role.AUDITOR: ["competitions.view_contest_figures"],
    Role.PARTNER: ["competitions.view_contest_figures"],
}  # fmt: skip

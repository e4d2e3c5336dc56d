"""What each role may do in volunteer service (discovered by ``sync_roles``).

Team leaders are not staff: they manage their own teams' activities and verify their hours in the
portal; which teams are theirs is ``Team.leaders``, checked by the services and the scoping."""

from union_portal.accounts.roles import Role

_READ = [
    "volunteers.view_team", "volunteers.view_volunteer", "volunteers.view_teammembership",
    "volunteers.view_activity", "volunteers.view_signup", "volunteers.view_servicerecord",
    "volunteers.view_starlevelevent", "volunteers.view_trainingsession", "volunteers.view_trainingattendance",
    "volunteers.view_honourrecommendation",
]  # fmt: skip
_MANAGE = [
    "volunteers.add_volunteer", "volunteers.change_volunteer",
    "volunteers.add_teammembership", "volunteers.change_teammembership",
    "volunteers.add_activity", "volunteers.change_activity",
    "volunteers.add_signup", "volunteers.change_signup",
    "volunteers.add_servicerecord", "volunteers.verify_servicerecord",
    "volunteers.add_trainingsession", "volunteers.change_trainingsession", "volunteers.add_trainingattendance",
    "volunteers.view_volunteer_figures", "volunteers.export_hours",
    "volunteers.import_volunteer", "volunteers.recommend_volunteer",
]  # fmt: skip
PERMISSIONS = {
    Role.DISTRICT_STAFF: [*_READ, *_MANAGE, "volunteers.add_team", "volunteers.change_team"],
    Role.TOWN_STAFF: [*_READ, *_MANAGE],
    Role.UNION_OFFICER: ["volunteers.view_volunteer", "volunteers.add_volunteer", "volunteers.view_team"],
    Role.VOLUNTEER_LEADER: [
        "volunteers.view_team", "volunteers.view_activity", "volunteers.add_activity", "volunteers.change_activity",
        "volunteers.view_signup", "volunteers.view_servicerecord", "volunteers.add_servicerecord",
        "volunteers.verify_servicerecord", "volunteers.add_teammembership", "volunteers.add_trainingattendance",
    ],
    Role.AUDITOR: ["volunteers.view_volunteer_figures"],
    Role.PARTNER: ["volunteers.view_volunteer_figures"],
}  # fmt: skip

"""What each role may do in the knowledge quiz (discovered by ``sync_roles``)."""

from union_portal.accounts.roles import Role

# --- knowledge quiz (competitions.quiz) ------------------------------------------------------------
_QUIZ_READ = [
    "quiz.view_quiz", "quiz.view_questionbank", "quiz.view_question", "quiz.view_participant",
    "quiz.view_attempt", "quiz.view_quizmonth", "quiz.view_prizetier", "quiz.view_prize",
    "quiz.view_monthscore", "quiz.view_quiz_figures",
]  # fmt: skip
PERMISSIONS = {
    Role.DISTRICT_STAFF: [
        *_QUIZ_READ,
        "quiz.add_quiz", "quiz.change_quiz",
        "quiz.add_questionbank", "quiz.change_questionbank",
        "quiz.add_question", "quiz.change_question", "quiz.import_question",
        "quiz.add_quizmonth", "quiz.add_prizetier", "quiz.change_prizetier", "quiz.export_prize",
        "quiz.pay_prize",
    ],
    Role.TOWN_STAFF: [*_QUIZ_READ],
    Role.UNION_OFFICER: ["quiz.view_participant", "quiz.view_attempt", "quiz.view_quiz_figures"],
    Role.AUDITOR: ["quiz.view_quiz_figures"],
    Role.PARTNER: ["quiz.view_quiz_figures"],  # aggregates only, no personal data
}  # fmt: skip

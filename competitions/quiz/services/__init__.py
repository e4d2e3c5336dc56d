"""Every write of the knowledge quiz that carries a rule.

A member's way through a day::

    join (mobile confirmed by a code, union chosen)
      └─ attempt_start ──▶ open ──submit──▶ submitted (scored once)
            │ locks the day's counter        └─(after the deadline)─▶ expired (0 points)
            └─ refused when the day's allowance (1, or 2 after a share) is used

    share_open (someone else opens the member's signed link) ──▶ +1 attempt today, once a day

Locks are always taken in one order: the day's counter, then the attempt, then the month's score.
The database holds the limits even without the locks (see :mod:`competitions.quiz.models`).
"""

from .attempts import allowance_of, attempt_expire, attempt_start, attempt_submit, attempts_expire_overdue
from .common import DEFAULT_TIERS, JOIN_CODE_PURPOSE, SHARE_SALT, SUBMIT_GRACE_SECONDS, local_day
from .joining import (
    join_code_send,
    participant_change_union,
    participant_join,
    participant_of,
    union_changes_apply,
    union_choices,
)
from .prizes import month_close, months_close_due, prize_list_rows, prize_pay, quiz_month_ensure, tiers_check
from .questions import clean_question, question_add, question_restore, question_retire, question_update
from .sharing import ShareOutcome, share_open, share_token

__all__ = [
    "SUBMIT_GRACE_SECONDS",
    "SHARE_SALT",
    "JOIN_CODE_PURPOSE",
    "DEFAULT_TIERS",
    "local_day",
    "clean_question",
    "question_add",
    "question_update",
    "question_retire",
    "question_restore",
    "union_choices",
    "join_code_send",
    "participant_join",
    "participant_change_union",
    "union_changes_apply",
    "participant_of",
    "allowance_of",
    "attempt_start",
    "attempt_submit",
    "attempt_expire",
    "attempts_expire_overdue",
    "share_token",
    "share_open",
    "ShareOutcome",
    "prize_pay",
    "quiz_month_ensure",
    "tiers_check",
    "month_close",
    "months_close_due",
    "prize_list_rows",
]

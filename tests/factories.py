"""Kept until every importer has moved: the factories live in each app's ``tests/<app>/factories.py``.

Import from ``tests.accounts.factories``, ``tests.organisations.factories`` and ``tests.members.factories``.
"""

from .accounts.factories import PASSWORD, UserFactory, make_user
from .accounts.factories import system_user as _system_user
from .members.factories import make_member, member_data, next_id_number, next_mobile, wrong_check_digit
from .organisations.factories import make_enterprise, make_union

__all__ = [
    "PASSWORD", "UserFactory", "_system_user", "make_enterprise", "make_member", "make_union", "make_user",
    "member_data", "next_id_number", "next_mobile", "wrong_check_digit",
]  # fmt: skip

"""Writes on users that carry a rule: one way to create a member's login."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.validators import normalize_mobile

from .models import User
from .roles import Role


def ensure_mobile_free(mobile: str) -> None:
    """A mobile number logs in one person: refuse a second login for it."""
    mobile = normalize_mobile(mobile)
    if User.objects.filter(Q(username=mobile) | Q(mobile=mobile)).exists():
        raise ApplicationError(
            _(
                "An account with this mobile number already exists: log in to follow or renew your application."
            ),
            code="account_exists",
            field="mobile",
        )


@transaction.atomic
def member_login_create(*, mobile: str, display_name: str, password: str | None) -> User:
    """The login of a member: user name and mobile are the normalised mobile number, role member.

    Without a password the login cannot be used until one is set (activation, reset)."""
    mobile = normalize_mobile(mobile)
    ensure_mobile_free(mobile)
    user = User(username=mobile, mobile=mobile, display_name=display_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.MEMBER)[0])
    return user


# --- password reset by an SMS code (issue 9.6) ---------------------------------------------------------

PASSWORD_RESET_PURPOSE = "password-reset"  # noqa: S105 - a cache key part, not a password


def _login_of_mobile(mobile: str) -> User | None:
    return User.objects.filter(mobile=mobile, is_active=True).order_by("pk").first()


def password_reset_request(*, mobile: str, client: str = "") -> None:
    """Forgot password: a code by SMS to ``mobile`` when an active login has it on file.

    The caller answers the same whether or not a login exists: the request is counted against the
    caps on SMS codes (per typed mobile, per client address, with a cooldown) before the lookup, so
    neither the answer nor a refusal tells whether the number has an account."""
    from django.core.exceptions import ValidationError

    from union_portal.notifications.services import verification_code_allow

    from .tasks import password_reset_code_task

    try:
        mobile = normalize_mobile(mobile)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="mobile") from None
    verification_code_allow(mobile=mobile, client=client)
    # Looked up and sent by the worker: the request costs the same whether or not the mobile has a
    # login, so its response time does not tell (issue 18.3).
    password_reset_code_task.delay(mobile=mobile)


def password_reset_code_deliver(*, mobile: str) -> bool:
    """Send the password-reset code when an active login has ``mobile`` on file; True when one went
    out. Called by ``password_reset_code_task``; the caps were counted by the request."""
    from union_portal.notifications.services import verification_code_send

    if _login_of_mobile(mobile) is None:
        return False
    verification_code_send(
        mobile=mobile,
        purpose=PASSWORD_RESET_PURPOSE,
        text=_(
            "Your code to set a new password is %(code)s. It is valid for 10 minutes. "
            "If you did not ask for it, ignore this message."
        ),
    )
    return True


@transaction.atomic
def password_reset(*, mobile: str, code: str, password: str) -> User:
    """Set a new password with the code sent to the mobile on file; returns the user.

    The code is single-use and short-lived (``CODE_TTL_SECONDS``, five wrong tries), and spent only
    when the new password is accepted. Every session of the user ends: Django ties a session to the
    password hash, so a changed password logs out every browser at its next request. A lockout of
    the account (axes) is lifted: the code proved the mobile."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    from union_portal.notifications.services import verification_code_check

    bad_code = ApplicationError(
        _("The code is wrong or has expired: ask for a new one."), code="bad_code", field="code"
    )
    try:
        mobile = normalize_mobile(mobile)
    except ValidationError:
        raise bad_code from None
    user = _login_of_mobile(mobile)
    if user is None or not verification_code_check(
        mobile=mobile, purpose=PASSWORD_RESET_PURPOSE, code=code, use=False
    ):
        raise bad_code
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password", field="password1") from None
    if not verification_code_check(mobile=mobile, purpose=PASSWORD_RESET_PURPOSE, code=code, use=True):
        raise bad_code
    user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    from axes.utils import reset as axes_reset

    axes_reset(username=user.get_username())
    return user

"""Registration of a volunteer who is not a member: a verified resident ID number and mobile.

A member registers with their membership (:func:`volunteers.services.volunteer_register`). Anyone else
gives their name, resident ID number (checked by the same validator as a member's, stored encrypted
with a blind index, shown masked) and a mobile proved by an SMS code; staff may register a person in
front of them (ID card seen, mobile not proved by a code). One person is one volunteer: a second
registration with the same ID number is refused, and an ID number of an open membership is sent to
the member's own registration.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.services import id_number_key
from union_portal.core.errors import ApplicationError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import normalize_mobile, parse_id_number, validate_mobile
from union_portal.organisations.models import OrganisationKind

from ..models import Volunteer
from . import _invalid, _registered, _text

#: The purpose of the SMS code that proves a non-member's mobile.
REGISTRATION_PURPOSE = "volunteer-register"
#: Where a person registering themselves says they live or work.
SELF_ORGANISATION_KINDS = (OrganisationKind.TOWN,)


def _mobile(value) -> str:
    try:
        mobile = normalize_mobile(value)
        validate_mobile(mobile)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="mobile") from None
    return mobile


def volunteer_code_request(*, mobile: str, client: str = "") -> None:
    """Send a code to the mobile of a person registering as a volunteer (counted against the caps on
    SMS codes, per mobile and per client address, with a cooldown)."""
    from union_portal.notifications.services import verification_code_allow, verification_code_send

    mobile = _mobile(mobile)
    verification_code_allow(mobile=mobile, client=client)
    verification_code_send(
        mobile=mobile,
        purpose=REGISTRATION_PURPOSE,
        text=_("Your code to register as a volunteer is %(code)s. It is valid for 10 minutes."),
    )


def id_number_refusal(id_hash: str) -> ApplicationError | None:
    """Why an ID number cannot register a new volunteer (already one; an open membership), or None."""
    if Volunteer.objects.filter(id_number_hash=id_hash).exists():
        return _invalid(
            _("A volunteer with this ID number is already registered."), "id_number", "duplicate_id_number"
        )
    if Member.objects.open().filter(id_number_hash=id_hash).exists():
        return _invalid(
            _(
                "This ID number belongs to a union member: log in as the member and register from the "
                "portal, or choose the member when registering them."
            ),
            "id_number",
            "member_id_number",
        )
    return None


def parse_person_id(id_number) -> tuple[str, str]:
    """The normalised ID number and its blind index; a malformed number is an error of its field."""
    try:
        number = parse_id_number(id_number).number
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="id_number") from None
    return number, id_number_key(number)


@transaction.atomic
def volunteer_register_person(
    *,
    by,
    name: str,
    id_number: str,
    mobile: str,
    organisation,
    code: str | None = None,
    password: str | None = None,
    skills: str = "",
    availability: str = "",
    emergency_contact: str = "",
    emergency_phone: str = "",
) -> Volunteer:
    """Register a volunteer who is not a member.

    With ``code`` the person registers themselves: the code sent to ``mobile`` proves it, the
    organisation is their town, and an anonymous person gets a login (the mobile and ``password``);
    a logged-in person's login becomes the volunteer's. Without ``code``, staff who may add
    volunteers in ``organisation`` register the person (the mobile is then not proved). The code is
    spent only when everything else succeeded.
    """
    from union_portal.notifications.services import verification_code_check

    self_service = code is not None
    if not self_service:
        require_perm(by, "volunteers.add_volunteer")
    if organisation is None:
        raise _invalid(_("Choose the organisation."), "organisation", "required")
    if self_service:
        if organisation.kind not in SELF_ORGANISATION_KINDS:
            raise _invalid(_("Choose your town."), "organisation", "not_a_town")
    else:
        require_visible(by, organisation)
    name = _text(name, "name", required=True, limit=50)
    mobile = _mobile(mobile)
    if self_service and not verification_code_check(
        mobile=mobile, purpose=REGISTRATION_PURPOSE, code=code, use=False
    ):
        raise _invalid(_("The code is wrong or has expired: ask for a new one."), "code", "bad_code")
    number, id_hash = parse_person_id(id_number)
    refusal = id_number_refusal(id_hash)
    if refusal is not None:
        raise refusal
    user = None
    if self_service:
        user = _login_for(by, mobile=mobile, name=name, password=password)
    volunteer = Volunteer(
        user=user,
        name=name,
        mobile=mobile,
        mobile_verified_at=timezone.now() if self_service else None,
        id_number=number,
        id_number_hash=id_hash,
        organisation=organisation,
        skills=_text(skills, "skills", limit=200),
        availability=_text(availability, "availability", limit=200),
        emergency_contact=_text(emergency_contact, "emergency_contact", limit=50),
        emergency_phone=_text(emergency_phone, "emergency_phone", limit=20),
        registered_on=timezone.localdate(),
    )
    if self_service and not verification_code_check(
        mobile=mobile, purpose=REGISTRATION_PURPOSE, code=code, use=True
    ):
        raise _invalid(_("The code is wrong or has expired: ask for a new one."), "code", "bad_code")
    try:
        with transaction.atomic():
            if user is not None and user.pk is None:
                user.save()
            volunteer.save()
    except IntegrityError:  # the same person registering twice at once
        raise _invalid(
            _("A volunteer with this ID number is already registered."), "id_number", "duplicate_id_number"
        ) from None
    _registered(volunteer)
    return volunteer


def _login_for(by, *, mobile: str, name: str, password: str | None):
    """The login of a person registering themselves: theirs when logged in, else a new one (unsaved)."""
    from union_portal.accounts.services import ensure_mobile_free

    if by is not None and by.is_authenticated:
        if Volunteer.objects.filter(user=by).exists():
            raise _invalid(_("This login already belongs to a volunteer."), None, "duplicate")
        return by
    if not password:
        raise _invalid(_("Choose a password."), "password1", "required")
    ensure_mobile_free(mobile)
    user = get_user_model()(username=mobile, mobile=mobile, display_name=name)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password", field="password1") from None
    user.set_password(password)
    return user

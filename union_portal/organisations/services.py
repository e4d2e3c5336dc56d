"""Writes on the organisation tree and on enterprises, with their rules."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text, normalize_uscc

from .models import Enterprise, Organisation


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _text(value, field: str, max_length: int) -> str:
    """Text a person typed, through ``clean_text`` (control and bidirectional characters refused,
    invisible ones removed, too long refused, never cut)."""
    from django.core.exceptions import ValidationError

    try:
        return clean_text(value, max_length=max_length)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field=field) from None


# --- organisations ------------------------------------------------------------------------------


def organisation_add(*, parent: Organisation | None, name: str, kind: str, by=None, **fields) -> Organisation:
    """Add a node below ``parent`` (or a root), keeping the tree's kinds in order."""
    from union_portal.organisations.models import ALLOWED_CHILDREN, OrganisationKind

    if kind not in OrganisationKind.values:
        raise _invalid(_("Unknown kind of organisation."), "kind")
    name = _text(name, "name", Organisation._meta.get_field("name").max_length)
    if not name:
        raise _invalid(_("Enter the name."), "name", "required")
    for key in ("chair_name", "address"):
        if key in fields:
            fields[key] = _text(fields[key], key, Organisation._meta.get_field(key).max_length)
    if parent is None:
        if kind != OrganisationKind.DISTRICT:
            raise _invalid(_("Only a district federation stands at the top of the tree."), "kind")
        return Organisation.objects.add_root(create_kwargs={"name": name, "kind": kind, **fields})
    if by is not None:
        require_perm(by, "organisations.add_organisation")
        require_visible(by, parent)
    if kind not in ALLOWED_CHILDREN[parent.kind]:
        raise _invalid(
            _("A %(child)s cannot stand below a %(parent)s.")
            % {"child": OrganisationKind(kind).label, "parent": OrganisationKind(parent.kind).label},
            "kind",
        )
    return Organisation.objects.add_child(parent, create_kwargs={"name": name, "kind": kind, **fields})


# --- enterprises ---------------------------------------------------------------------------------

ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "industry",
    "ownership",
    "town",
    "headcount",
    "address",
    "is_active",
)


def enterprise_save(*, by, data: dict, enterprise: Enterprise | None = None) -> Enterprise:
    """Create or change an enterprise through ``clean_enterprise_input``, within the caller's scope."""
    require_perm(by, "organisations.change_enterprise" if enterprise else "organisations.add_enterprise")
    if enterprise is not None:
        require_visible(by, enterprise)
        data = {field: getattr(enterprise, field) for field in ENTERPRISE_FIELDS} | dict(data)
    cleaned = clean_enterprise_input(data)
    if cleaned.get("town") is None:
        raise _invalid(_("Choose the town."), "town", "required")
    require_visible(by, cleaned["town"])
    duplicate = _invalid(
        _("An enterprise with this credit code is registered already."), "credit_code", "duplicate"
    )
    others = Enterprise.objects.filter(credit_code=cleaned["credit_code"])
    if enterprise is not None:
        others = others.exclude(pk=enterprise.pk)
    if others.exists():
        raise duplicate
    target = enterprise if enterprise is not None else Enterprise()
    for field in ENTERPRISE_FIELDS:
        if field in cleaned:
            setattr(target, field, cleaned[field])
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        if "credit_code" in str(exc):
            raise duplicate from None
        raise
    return target


def clean_enterprise_input(data: dict) -> dict:
    from django.core.exceptions import ValidationError

    cleaned = dict(data)
    try:
        cleaned["credit_code"] = normalize_uscc(data.get("credit_code"))
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="credit_code") from None
    for key in ("name", "address"):
        if key in data:
            cleaned[key] = _text(data[key], key, Enterprise._meta.get_field(key).max_length)
    if not cleaned.get("name"):
        raise _invalid(_("Enter the name."), "name", "required")
    return cleaned

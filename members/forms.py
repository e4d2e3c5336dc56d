"""Forms of the member self-service portal.

They only translate what a person typed into the shape the services take:
every rule (ID number, mobile, which unions members may join, duplicates)
lives in :mod:`members.services` and :mod:`union_portal.core.validators`, and
its errors come back onto the form through ``add_to_form``.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordMixin
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from union_portal.core.validators import validate_id_number, validate_mobile
from union_portal.organisations.models import MEMBER_UNION_KINDS, Enterprise, Organisation, OrganisationKind

from .models import HouseholdType, SkillGrade
from .services import NAME_MAX, PROXY_CONSENT_STATEMENT

#: Nodes whose name groups the unions of a select ("which town is my union in").
GROUPING_KINDS = (OrganisationKind.TOWN, OrganisationKind.INDUSTRY, OrganisationKind.DISTRICT)


class GroupedModelChoiceIterator(ModelChoiceIterator):
    """Yields ``(group label, [(value, label), ...])`` so that a select renders optgroups."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        objects = list(self.queryset)
        group_of = self.field.grouper(objects)
        groups: dict[str, list] = {}
        for obj in objects:
            groups.setdefault(group_of(obj), []).append(self.choice(obj))
        yield from groups.items()


class GroupedModelChoiceField(forms.ModelChoiceField):
    """A model select whose options are grouped; subclasses say how (in at most one extra query).

    ``grouper(objects)`` sees the evaluated list first and returns ``object -> group label``.
    """

    iterator = GroupedModelChoiceIterator

    def grouper(self, objects):  # pragma: no cover - abstract
        raise NotImplementedError


class UnionChoiceField(GroupedModelChoiceField):
    """Active unions a member can join, grouped by the town (or industry) federation above them."""

    def grouper(self, objects):
        _with_parent_names(objects)
        steplen = Organisation.steplen
        groupers = dict(Organisation.objects.filter(kind__in=GROUPING_KINDS).values_list("path", "name"))

        def group_of(union: Organisation) -> str:
            # The nearest town or industry federation above; the district when the union sits right below it.
            for end in range(len(union.path) - steplen, 0, -steplen):
                name = groupers.get(union.path[:end])
                if name is not None:
                    return name
            return str(_("Other unions"))

        return group_of

    def label_from_instance(self, obj: Organisation) -> str:
        parent_name = getattr(obj, "parent_union_name", None)
        return f"{parent_name} · {obj.name}" if parent_name else obj.name


class EnterpriseChoiceField(GroupedModelChoiceField):
    """Active enterprises, grouped by their town."""

    def grouper(self, objects):
        return lambda enterprise: enterprise.town.name


#: Up to this many unions the form offers a select; above it (a city has thousands) the person first finds
#: their union by name on a search page, and the form carries the chosen one.
UNION_SELECT_MAX = 300


def union_select_fits(viewer=None) -> bool:
    return member_union_queryset(viewer)[: UNION_SELECT_MAX + 1].count() <= UNION_SELECT_MAX


def find_unions(query: str, viewer=None, limit: int = 20):
    """Unions whose name contains ``query``, for the union finder."""
    query = (query or "").strip()
    if not query:
        return Organisation.objects.none()
    return member_union_queryset(viewer).filter(name__contains=query)[:limit]


def member_union_queryset(viewer=None):
    """Unions a member can join (for ``viewer``: only those within their scope), in tree order."""
    queryset = (
        Organisation.objects.get_queryset() if viewer is None else Organisation.objects.visible_to(viewer)
    )
    return queryset.filter(kind__in=MEMBER_UNION_KINDS, is_active=True).order_by("path")


def enterprise_queryset(viewer=None):
    queryset = Enterprise.objects.all() if viewer is None else Enterprise.objects.visible_to(viewer)
    return queryset.filter(is_active=True).select_related("town").order_by("town__path", "name", "pk")


def _with_parent_names(unions: list[Organisation]) -> None:
    """Label a branch or group with the union it belongs to (they come right after it, in path order)."""
    by_path = {union.path: union for union in unions}
    for union in unions:
        if union.kind != OrganisationKind.GRASSROOTS:
            parent = by_path.get(union.path[: -Organisation.steplen])
            union.parent_union_name = parent.name if parent is not None else ""


class MemberApplicationForm(forms.Form):
    """What a worker (or a proxy agent for them) fills in to apply for membership."""

    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # The validators are the project's own (one rule, one place); the service checks again.
    id_number = forms.CharField(
        label=_("Resident ID number"),
        validators=[validate_id_number],
        max_length=24,
        help_text=_("18 characters, as on the ID card."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        validators=[validate_mobile],
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    union = UnionChoiceField(
        label=_("Union"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose your union"),
        help_text=_("The union of your workplace, listed under its town."),
    )
    employer = EnterpriseChoiceField(
        label=_("Employer"),
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label=_("Not listed / not given"),
    )
    job = forms.CharField(label=_("Job"), max_length=100, required=False)
    skill_grade = forms.ChoiceField(label=_("Skill grade"), choices=SkillGrade.choices, required=False)
    household_type = forms.ChoiceField(
        label=_("Household type"), choices=HouseholdType.choices, initial=HouseholdType.LOCAL
    )
    is_migrant_worker = forms.BooleanField(label=_("I am a migrant worker"), required=False)

    def __init__(self, *args, viewer=None, union: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_union = union
        if union is None:
            self.fields["union"].queryset = member_union_queryset(viewer)
            self.fields["employer"].queryset = enterprise_queryset(viewer)
            return
        # Found on the union finder: the form carries it, and the employers are the union's own.
        self.fields["union"].queryset = member_union_queryset(viewer).filter(pk=union.pk)
        self.fields["union"].widget = forms.HiddenInput()
        self.initial["union"] = union.pk
        steplen = Organisation.steplen
        ancestors = [union.path[:end] for end in range(steplen, len(union.path) + 1, steplen)]
        self.fields["employer"].queryset = (
            enterprise_queryset(viewer).filter(unions__path__in=ancestors).distinct()
        )

    def service_data(self) -> dict:
        """The input of ``members.services.member_apply``."""
        fields = ("name", "id_number", "mobile", "union", "employer", "job", "skill_grade",
                  "household_type", "is_migrant_worker")  # fmt: skip
        return {key: self.cleaned_data.get(key) for key in fields}


class ProxyApplicationForm(MemberApplicationForm):
    """What a proxy agent (代办员) fills in for a worker: the same details, in words for the agent, and
    the worker's consent, which the agent confirms and which is stored with the filing."""

    consent = forms.BooleanField(
        label=PROXY_CONSENT_STATEMENT,
        required=True,
        error_messages={
            "required": _("Confirm the worker's consent: without it the application cannot be filed.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["name"].label = _("Worker's name")
        fields["name"].widget.attrs["autocomplete"] = "off"
        fields["id_number"].help_text = _("18 characters, as on the worker's ID card.")
        fields["mobile"].label = _("Worker's mobile number")
        fields["mobile"].help_text = _(
            "The worker's own number: they are told by SMS that you filed for them."
        )
        fields["mobile"].widget.attrs["autocomplete"] = "off"
        fields["union"].empty_label = _("Choose the worker's union")
        fields["union"].help_text = _("The union of the worker's workplace, listed under its town.")
        fields["is_migrant_worker"].label = _("The worker is a migrant worker")


class PortalApplicationForm(SetPasswordMixin, MemberApplicationForm):
    """An anonymous worker applies and chooses the password of their new account at once.

    ``submission`` is a one-time token: a second submit of the same page is recognised.
    """

    password1, password2 = SetPasswordMixin.create_password_fields()
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission"] = secrets.token_urlsafe(24)

    def clean(self):
        self.validate_passwords()
        return super().clean()


class PortalLoginForm(AuthenticationForm):
    """Log in by user name or mobile number (``+86`` and spaces are fine: the backend normalises)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong user name, mobile number or password. Note that the password is case-sensitive."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("User name or mobile number")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "inputmode": "text"})


class ActivationRequestForm(forms.Form):
    """A member registered by the union asks for a portal login: who they are, as on file."""

    id_number = forms.CharField(label=_("Resident ID number"), validators=[validate_id_number], max_length=24)
    mobile = forms.CharField(
        label=_("Mobile number"),
        validators=[validate_mobile],
        max_length=20,
        help_text=_("The mobile number your union registered for you: the code is sent there."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )


class ActivationForm(ActivationRequestForm):
    """The code from the SMS, and the password of the login (a new one, or the one this mobile has)."""

    code = forms.CharField(
        label=_("Code from the SMS"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=_("If you already log in with this mobile number, type that password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget = forms.HiddenInput()
        self.fields["mobile"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class PasswordResetRequestForm(forms.Form):
    """Forgot password: the mobile number on file gets a code by SMS."""

    mobile = forms.CharField(
        label=_("Mobile number"),
        validators=[validate_mobile],
        max_length=20,
        help_text=_("The mobile number of your login: the code is sent there."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )


class PasswordResetForm(PasswordResetRequestForm):
    """The code from the SMS and the new password."""

    code = ActivationForm.base_fields["code"]
    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

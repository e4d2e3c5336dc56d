"""Portal forms of volunteer service: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from union_portal.organisations.models import Organisation, OrganisationKind

from .models import Category


class RegisterForm(forms.Form):
    skills = forms.CharField(
        label=_("skills"),
        max_length=200,
        required=False,
        help_text=_("e.g. first aid, sign language, photography"),
    )
    availability = forms.CharField(
        label=_("availability"),
        max_length=200,
        required=False,
        help_text=_("e.g. weekends, weekday evenings"),
    )
    emergency_contact = forms.CharField(label=_("emergency contact"), max_length=50)
    emergency_phone = forms.CharField(label=_("emergency contact's phone"), max_length=20)


class ActivityFilterForm(forms.Form):
    town = forms.ModelChoiceField(
        label=_("town"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("path"),
        required=False,
        empty_label=_("All towns"),
    )
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("All categories")), *Category.choices], required=False
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("check-in code"),
        max_length=100,
        help_text=_("Scan the code on the leader's phone, or type the text under it."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectForm(forms.Form):
    started_at = forms.DateTimeField(
        label=_("from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ended_at = forms.DateTimeField(
        label=_("until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("note"), max_length=300, help_text=_("Why the times are corrected; the volunteer sees it.")
    )


class JoinRequestForm(forms.Form):
    """A person who is not a member registers: first their mobile, which gets a code by SMS."""

    mobile = forms.CharField(label=_("mobile number"), max_length=20, widget=forms.TextInput(
        attrs={"inputmode": "tel", "autocomplete": "tel"}))  # fmt: skip


class JoinForm(RegisterForm):
    """Then the code, who they are (name and resident ID number), their town and, without a login, a
    password."""

    mobile = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("code from the SMS"), max_length=6, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))  # fmt: skip
    name = forms.CharField(label=_("full name"), max_length=50)
    id_number = forms.CharField(
        label=_("resident ID number"),
        max_length=25,
        help_text=_("Kept encrypted; shown masked. One registration per person."),
    )
    organisation = forms.ModelChoiceField(
        label=_("town"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("path"),
        help_text=_("The town where you live or work: its volunteer staff look after you."),
    )
    password1 = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("password again"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ("code", "name", "id_number", "organisation", "password1", "password2")

    def __init__(self, *args, with_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_password:
            del self.fields["password1"], self.fields["password2"]

    def clean(self):
        cleaned = super().clean()
        if "password1" in self.fields:
            first, second = cleaned.get("password1"), cleaned.get("password2")
            if not first:
                self.add_error("password1", _("Choose a password."))
            elif first != second:
                self.add_error("password2", _("The two passwords differ."))
        return cleaned


_DT = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class LeaderActivityForm(forms.Form):
    """A team leader creates or changes an activity of their team (the service decides)."""

    team = forms.ModelChoiceField(label=_("team"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("title"), max_length=100)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    town = forms.ModelChoiceField(
        label=_("town"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("path"),
        required=False,
    )
    place = forms.CharField(label=_("place"), max_length=200)
    partner = forms.CharField(label=_("partner organisation"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("starts at"), **_DT)
    ends_at = forms.DateTimeField(label=_("ends at"), **_DT)
    capacity = forms.IntegerField(label=_("places"), min_value=1, max_value=10000)
    signup_opens_at = forms.DateTimeField(label=_("sign-up opens at"), required=False, **_DT)
    signup_closes_at = forms.DateTimeField(label=_("sign-up closes at"), required=False, **_DT)
    description = forms.CharField(
        label=_("description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    FIELDS = (
        "team", "title", "category", "town", "place", "partner", "starts_at", "ends_at", "capacity",
        "signup_opens_at", "signup_closes_at", "description",
    )  # fmt: skip

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if teams is not None and len(teams) == 1:
            self.fields["team"].initial = teams[0].pk

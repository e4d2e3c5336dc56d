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

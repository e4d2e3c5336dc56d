"""Portal forms of legal aid: short, for phones. They only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, ClaimType, EventKind, Lawyer, Outcome, Stage, Topic


class SwapForm(forms.Form):
    to_lawyer = forms.ModelChoiceField(label=_("Ask which lawyer"), queryset=Lawyer.objects.none())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, lawyer: Lawyer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_lawyer"].queryset = (
            Lawyer.objects.active().filter(organisation_id=lawyer.organisation_id).exclude(pk=lawyer.pk)
        )


class AbsenceForm(forms.Form):
    reason = forms.CharField(label=_("Why you cannot come"), max_length=300)


class QuickConsultationForm(forms.Form):
    """What a lawyer on duty records in under a minute."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.VISIT)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    question = forms.CharField(label=_("Question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    advice = forms.CharField(label=_("Advice"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)


class AskForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    question = forms.CharField(
        label=_("Your question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AidRequestForm(forms.Form):
    employer_name = forms.CharField(label=_("Employer"), max_length=150)
    claim_type = forms.ChoiceField(label=_("What you claim"), choices=ClaimType.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0)
    arose_on = forms.DateField(
        label=_("When did you learn of it?"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day you knew or should have known your rights were infringed."),
    )  # fmt: skip
    details = forms.CharField(
        label=_("What happened"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )


class CaseMoveForm(forms.Form):
    to_stage = forms.ChoiceField(
        label=_("Next stage"),
        choices=[(s, label) for s, label in Stage.choices if s not in (Stage.INTAKE, Stage.LAWYER_ASSIGNED)],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (to close)"), choices=[("", "—"), *Outcome.choices], required=False
    )
    amount_recovered = forms.DecimalField(
        label=_("Amount recovered (yuan)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class EnterpriseEventForm(forms.Form):
    """A check-up (法律体检) or an education event (送法进企业) at a union the lawyer advises."""

    assignment = forms.ModelChoiceField(label=_("Enterprise union"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    attendance = forms.IntegerField(label=_("Attendance"), min_value=0, initial=0)
    findings = forms.CharField(
        label=_("Findings"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: a.union.name

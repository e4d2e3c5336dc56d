"""Forms of hardship aid in the portal. They translate what a person typed into the shape the
services take; every rule is in :mod:`assistance.services` and comes back through ``add_to_form``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member
from union_portal.core.validators import validate_id_number

from .models import AidKind, Campaign, DocumentKind
from .selectors import open_campaigns


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:
        return f"{obj.name}（{obj.get_kind_display()}，{obj.closes_on:%Y-%m-%d} {_('closes')}）"


class AidApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of aid"), choices=[("", _("Choose")), *AidKind.choices])
    campaign = CampaignChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("Not a campaign"),
        help_text=_("Festival condolence and education aid are given in campaigns."),
    )
    reason = forms.CharField(
        label=_("Your situation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened and what help you need."),
    )
    student_name = forms.CharField(label=_("Student's name"), max_length=50, required=False)
    university = forms.CharField(label=_("University"), max_length=100, required=False)
    admission_year = forms.IntegerField(
        label=_("Admission year"), required=False, min_value=1990, max_value=2100
    )
    medical_expenses = forms.DecimalField(
        label=_("Medical expenses you paid (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
    )
    amount_requested = forms.DecimalField(
        label=_("Amount you ask for (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=12
    )
    document_kind = forms.ChoiceField(
        label=_("The documents are"), choices=DocumentKind.choices, initial=DocumentKind.OTHER
    )
    documents = MultipleFileField(
        label=_("Documents"),
        required=False,
        help_text=_("PDF, JPEG or PNG; proof of income, medical bills, admission letter."),
    )

    payee_bank = forms.CharField(
        label=_("Bank for the transfer"),
        max_length=100,
        required=False,
        help_text=_("The bank and branch of the account the aid is paid into, e.g. 农业银行三水支行."),
    )
    payee_account = forms.CharField(
        label=_("Account or bank card number"), max_length=40, required=False, widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off"}
        )
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = open_campaigns().order_by("closes_on", "pk")

    def service_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in (
            "reason", "campaign", "student_name", "university", "admission_year", "medical_expenses", "amount_requested",
            "payee_bank", "payee_account",
        )}  # fmt: skip

    def service_documents(self) -> list:
        kind = self.cleaned_data.get("document_kind") or DocumentKind.OTHER
        return [(kind, upload) for upload in self.cleaned_data.get("documents") or []]


class ProxyAidApplicationForm(AidApplicationForm):
    """A proxy agent files for a member of their area, found by the member's ID number."""

    id_number = forms.CharField(
        label=_("Member's resident ID number"),
        max_length=24,
        validators=[validate_id_number],
        help_text=_("As on the ID card."),
    )
    field_order = ["id_number"]

    def find_member(self, viewer) -> Member | None:
        from members.services import find_by_id_number

        # A proxy agent sees only the members they filed for; they may act for any active member of
        # their area whose full ID number they give (the worker's own papers): in_area_of, not visible_to.
        return find_by_id_number(
            self.cleaned_data["id_number"], Member.objects.in_area_of(viewer).active()
        ).first()


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The document is"), choices=DocumentKind.choices, initial=DocumentKind.OTHER
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class PayeeForm(forms.Form):
    """The account the aid is paid into, changed by the applicant until payment; the stored account
    is shown masked beside the form and never put back in it."""

    payee_bank = forms.CharField(
        label=_("Bank for the transfer"),
        max_length=100,
        help_text=_("The bank and branch of the account the aid is paid into, e.g. 农业银行三水支行."),
    )
    payee_account = forms.CharField(
        label=_("Account or bank card number"), max_length=40, widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off"}
        )
    )  # fmt: skip


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Why you withdraw it"), max_length=300, required=False)

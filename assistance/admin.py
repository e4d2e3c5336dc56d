"""Staff screens of hardship aid: work queues, files with their households, campaigns and payments.

Lists are scoped (``visible_to``); the workflow moves only through actions that call
:mod:`assistance.services`; incomes and household details are shown only on a file's page and only
to staff with ``assistance.view_household``.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ReasonForm, ScopedAdminMixin, action_page, report_each, run_service
from union_portal.core.errors import ApplicationError, apply_each
from union_portal.core.record_steps import NoteForm, RecordStep, RecordStepsAdminMixin
from union_portal.core.spreadsheets import download
from union_portal.core.workdays import working_days_between
from union_portal.imports.admin import ImportAdminMixin
from union_portal.organisations.models import Organisation, OrganisationKind

from . import exports, selectors, services
from .models import (
    AidApplication,
    AidStep,
    Campaign,
    Cause,
    Document,
    HardshipFile,
    HelpCentre,
    HouseholdMember,
    MutualAidEnrolment,
    MutualAidScheme,
    Pairing,
    Payment,
    PaymentMethod,
    State,
    Visit,
    member_label,
)


class TownFilter(admin.SimpleListFilter):
    """Rows of the members of one town (or industry federation) and everything below it."""

    title = _("town")
    parameter_name = "town"
    member_path = "member__union__path"

    def lookups(self, request, model_admin):
        towns = Organisation.objects.visible_to(request.user).filter(
            kind__in=[OrganisationKind.TOWN, OrganisationKind.INDUSTRY]
        )
        return [(str(t.pk), t.name) for t in towns.only("pk", "name", "path")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        town = Organisation.objects.visible_to(request.user).filter(pk=self.value()).first()
        if town is None:
            return queryset.none()
        return queryset.filter(**{f"{self.member_path}__startswith": town.path})


class FileTownFilter(TownFilter):
    member_path = "member__union__path"


# --- help centres ------------------------------------------------------------------------------------


@admin.register(HelpCentre)
class HelpCentreAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "organisation", "address", "opening_hours", "phone", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("organisation",)
    search_fields = ("name", "address")
    scoped_foreign_keys = ("organisation",)


# --- hardship files ------------------------------------------------------------------------------------


class HouseholdInline(admin.TabularInline):
    model = HouseholdMember
    fields = ("name", "relation", "age", "health", "work", "monthly_income")
    extra = 1
    min_num = 0

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("assistance.view_household")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("assistance.view_household") and request.user.has_perm(
            "assistance.change_hardshipfile" if obj else "assistance.add_hardshipfile"
        )

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a household member is corrected, not removed: nothing entered is hard-deleted


class VisitInline(admin.TabularInline):
    model = Visit
    fields = ("visited_on", "visitors", "gift_value", "notes", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class HardshipFileForm(forms.ModelForm):
    causes = forms.MultipleChoiceField(
        label=_("causes"), choices=Cause.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = HardshipFile
        fields = ("member", "centre", "level", "causes", "next_recheck_on", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "next_recheck_on" in self.fields:
            self.fields["next_recheck_on"].required = False

    def clean_causes(self):
        try:
            return services.clean_causes(self.cleaned_data["causes"])
        except ApplicationError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def _post_clean(self):
        pass  # the file is built and checked by the services


class ExitForm(ReasonForm):
    on = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RecheckDueFilter(admin.SimpleListFilter):
    title = _("annual re-check")
    parameter_name = "recheck"

    def lookups(self, request, model_admin):
        return [
            ("due", _("Due within %(days)d days or overdue") % {"days": settings.AID_RECHECK_NOTICE_DAYS}),
            ("overdue", _("Overdue")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "due":
            return queryset.filter(
                status="active",
                next_recheck_on__lte=today + dt.timedelta(days=settings.AID_RECHECK_NOTICE_DAYS),
            )
        if self.value() == "overdue":
            return queryset.filter(status="active", next_recheck_on__lt=today)
        return queryset


@admin.register(HardshipFile)
class HardshipFileAdmin(ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = HardshipFileForm
    import_kind = "hardship_files"
    list_display = ("member_name", "union", "level", "cause_list", "status", "next_recheck_on", "opened_on")
    list_filter = ("status", "level", FileTownFilter, RecheckDueFilter, "centre")
    list_select_related = ("member__union", "centre")
    search_fields = ("member__name",)
    scoped_foreign_keys = ("member", "centre")
    autocomplete_fields = ("member",)  # a picker, not a list of every member; masked (choice_label)
    inlines = (HouseholdInline, VisitInline)
    actions = ("recheck_selected", "exit_selected", "close_selected")
    show_full_result_count = False
    sensitive_readonly = ("household_size", "household_income", "income_per_head")

    change_readonly = (
        "member",
        "status",
        "opened_on",
        "last_checked_on",
        "exited_on",
        "exit_reason",
        "closed_on",
        "opened_by",
    )

    @admin.display(description=_("member"), ordering="member__name")
    def member_name(self, obj):
        return member_label(obj.member)

    @admin.display(description=_("union"))
    def union(self, obj):
        return obj.member.union.name

    @admin.display(description=_("causes"))
    def cause_list(self, obj):
        return "、".join(obj.cause_labels)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        shown = self.sensitive_readonly if request.user.has_perm("assistance.view_household") else ()
        return (*self.change_readonly, *shown)

    def get_fields(self, request, obj=None):
        if obj is None:
            return HardshipFileForm.Meta.fields
        editable = tuple(f for f in HardshipFileForm.Meta.fields if f != "member")
        return (*self.get_readonly_fields(request, obj), *editable)

    def get_inline_instances(self, request, obj=None):
        return [
            i
            for i in super().get_inline_instances(request, obj)
            if obj is not None or isinstance(i, HouseholdInline)
        ]

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request._aid_formsets = formsets
        return formsets, inline_instances

    def _household_rows(self, request) -> list[dict]:
        rows = []
        for formset in getattr(request, "_aid_formsets", []):
            if formset.model is not HouseholdMember:
                continue
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None)
                if data and not data.get("DELETE") and data.get("name"):
                    rows.append(
                        {
                            k: data.get(k)
                            for k in ("name", "relation", "age", "health", "work", "monthly_income")
                        }
                    )
        return rows

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = {
                k: data[k]
                for k in form.changed_data
                if k in ("centre", "level", "causes", "next_recheck_on", "notes")
            }
            if changed:
                services.hardship_file_update(file=obj, by=request.user, data=changed)
            return
        created = services.hardship_file_open(
            member=data["member"],
            by=request.user,
            level=data["level"],
            causes=data["causes"],
            household=self._household_rows(request),
            next_recheck_on=data.get("next_recheck_on"),
            centre=data.get("centre"),
            notes=data.get("notes", ""),
        )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    def save_related(self, request, form, formsets, change):
        if not change:
            for formset in formsets:  # the service wrote the household with the file
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_related(request, form, formsets, change)
        services.hardship_file_recompute(file=form.instance, by=request.user)

    @admin.action(description=_("Record the annual re-check (still in hardship)"), permissions=["change"])
    def recheck_selected(self, request, queryset):
        done, failed = apply_each(
            services.hardship_file_recheck, queryset.order_by("pk"), arg="file", by=request.user
        )
        report_each(self, request, done, failed)

    @admin.action(description=_("Mark out of hardship…"), permissions=["change"])
    def exit_selected(self, request, queryset):
        form = ExitForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                services.hardship_file_exit,
                queryset.order_by("pk"),
                arg="file",
                by=request.user,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "exit_selected", _("Out of hardship"))

    @admin.action(description=_("Close selected files…"), permissions=["change"])
    def close_selected(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                services.hardship_file_close,
                queryset.order_by("pk"),
                arg="file",
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "close_selected", _("Close files"))


@admin.register(Visit)
class VisitAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("file", "visited_on", "visitors", "gift_value")
    list_select_related = ("file__member",)
    scoped_foreign_keys = ("file",)
    fields = ("file", "visited_on", "visitors", "gift_value", "notes")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "visited_on": data["visited_on"], "visitors": data["visitors"], "gift_value": data["gift_value"],
            "notes": data.get("notes", ""),
        }  # fmt: skip
        if change:
            services.visit_update(visit=obj, by=request.user, **fields)
            return
        created = services.visit_record(file=data["file"], by=request.user, **fields)
        obj.pk = created.pk


@admin.register(Pairing)
class PairingAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("file", "helper_name", "helper_unit", "starts_on", "ends_on")
    list_select_related = ("file__member",)
    scoped_foreign_keys = ("file",)


# --- campaigns, the scheme -------------------------------------------------------------------------


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "name", "kind", "year", "festival", "budget", "standard_amount", "approved_total", "paid_total",
        "remaining", "opens_on", "closes_on", "payment_list",
    )  # fmt: skip
    list_filter = ("kind", "year")
    list_select_related = ("organisation",)
    scoped_foreign_keys = ("organisation",)
    readonly_fields = ("approved_total", "paid_total")
    fields = (
        "kind", "name", "year", "festival", "organisation", "budget", "standard_amount",
        "opens_on", "closes_on", "approved_total", "paid_total",
    )  # fmt: skip

    @admin.display(description=_("left of the budget"))
    def remaining(self, obj):
        return obj.remaining

    def get_queryset(self, request):
        # Approved applications of each campaign, in the viewer's scope, that the bank file leaves out.
        missing = (
            AidApplication.objects.visible_to(request.user)
            .filter(campaign=OuterRef("pk"), state=State.APPROVED, payee_bank="")
            .order_by()
            .values("campaign")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(without_account=Coalesce(Subquery(missing), 0))

    @admin.display(description=_("bank file and payments"))
    def payment_list(self, obj):
        def links(name):
            return format_html(
                '<a href="{}">xlsx</a> · <a href="{}">csv</a> · <a href="{}?unmasked=1">{}</a>',
                reverse(name, args=[obj.pk, "xlsx"]),
                reverse(name, args=[obj.pk, "csv"]),
                reverse(name, args=[obj.pk, "xlsx"]),
                _("unmasked…"),
            )

        lists = format_html(
            "{}: {}<br>{}: {}",
            _("bank file (approved, unpaid)"),
            links("admin:assistance_campaign_bank_file"),
            _("payments made"),
            links("admin:assistance_campaign_payments"),
        )
        missing = getattr(obj, "without_account", 0)
        if not missing:
            return lists
        return format_html("{}<br>{}", lists, self._left_out_message(obj, missing))

    def save_model(self, request, obj, form, change):
        services.campaign_save(campaign=obj, by=request.user)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/bank-file.<str:fmt>",
                self.admin_site.admin_view(self.bank_file_view),
                name="assistance_campaign_bank_file",
            ),
            path(
                "<int:object_id>/payments.<str:fmt>",
                self.admin_site.admin_view(self.payments_view),
                name="assistance_campaign_payments",
            ),
        ] + super().get_urls()

    def bank_file_view(self, request, object_id, fmt):
        """The instruction to the bank: approved applications not yet paid, with the payee's account."""
        return self._export(request, object_id, fmt, exports.BANK_FILE)

    def payments_view(self, request, object_id, fmt):
        """The record of payments made, with the bank's references."""
        return self._export(request, object_id, fmt, exports.PAYMENT_RECORD)

    def _export(self, request, object_id, fmt, kind):
        """Masked unless asked (``?unmasked=1``); then a page asks the reason first, and the service
        checks the permission and logs the reason."""
        if fmt not in ("xlsx", "csv") or not request.user.has_perm("assistance.export_payment"):
            raise PermissionDenied
        campaign = get_object_or_404(self.get_queryset(request), pk=object_id)
        unmasked = request.GET.get("unmasked") == "1"
        if unmasked and not request.user.has_perm(exports.UNMASKED_PERM):
            raise PermissionDenied
        form = ReasonForm(request.POST or None)
        if unmasked and not (request.method == "POST" and form.is_valid()):
            return TemplateResponse(
                request,
                "admin/assistance/export_reason.html",
                {**self.admin_site.each_context(request), "form": form, "campaign": campaign,
                 "title": _("Why do you need the full names and account numbers?") if kind == exports.BANK_FILE
                 else _("Why do you need the full names and ID numbers?"),
                 "carries": _("full names and account numbers") if kind == exports.BANK_FILE
                 else _("full names and ID numbers"), "opts": self.model._meta},
            )  # fmt: skip
        try:
            export = exports.campaign_export(
                campaign=campaign,
                by=request.user,
                kind=kind,
                unmasked=unmasked,
                reason=form.cleaned_data["reason"] if unmasked else "",
                request=request,
                fmt=fmt,
            )
        except ApplicationError as error:
            if error.code != "not_gbk":
                raise PermissionDenied(str(error)) from None
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:assistance_campaign_changelist"))
        if export.left_out:  # shown on the next page: the download itself carries no message
            self.message_user(request, self._left_out_message(campaign, export.left_out), messages.WARNING)
        return download(export.content, export.content_type, export.filename)

    @staticmethod
    def _left_out_message(campaign, count):
        return format_html(
            '{} <a href="{}?campaign={}&amp;state__exact=approved&amp;payee=missing">{}</a>',
            _("%(count)d approved application(s) have no payee's account and are not in the bank file.")
            % {"count": count},
            reverse("admin:assistance_aidapplication_changelist"),
            campaign.pk,
            _("Find them"),
        )


@admin.register(MutualAidScheme)
class MutualAidSchemeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "year",
        "fee",
        "deductible",
        "ratio",
        "annual_cap",
        "enrol_opens_on",
        "enrol_closes_on",
    )
    list_select_related = ("organisation",)
    scoped_foreign_keys = ("organisation",)


@admin.register(MutualAidEnrolment)
class MutualAidEnrolmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("member_name", "scheme", "enrolled_on", "reimbursed_total")
    list_filter = ("scheme",)
    list_select_related = ("member", "scheme")
    scoped_foreign_keys = ("member", "scheme")
    autocomplete_fields = ("member",)  # a picker, not a list of every member; masked (choice_label)
    fields = ("scheme", "member", "enrolled_on", "reimbursed_total")
    readonly_fields = ("reimbursed_total",)

    @admin.display(description=_("member"))
    def member_name(self, obj):
        return member_label(obj.member)

    def get_readonly_fields(self, request, obj=None):
        return ("scheme", "member", "enrolled_on", "reimbursed_total") if obj else ("reimbursed_total",)

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = run_service(
            self, request, services.mutual_aid_enrol,
            scheme=data["scheme"], member=data["member"], by=request.user, on=data["enrolled_on"],
        )  # fmt: skip
        if created is None:
            raise PermissionDenied
        obj.pk = created.pk


# --- applications ----------------------------------------------------------------------------------------


class StepInline(admin.TabularInline):
    model = AidStep
    fields = ("at", "from_state", "to_state", "by", "amount", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ("open_link", "kind", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("file"))
    def open_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("aid:document", args=[obj.pk]), obj.original_name)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WaitingFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("late", _("More than 5 working days"))]

    def queryset(self, request, queryset):
        if self.value() == "late":
            return services.waiting_filter(queryset)
        return queryset


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=_("amount"), required=False, min_value=0, decimal_places=2,
        help_text=_("Leave empty for the limit of the rules (the campaign standard, the scheme's computation or the amount requested)."),
    )  # fmt: skip
    override_reason = forms.CharField(
        label=_("reason for exceeding the limit"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class PayForm(forms.Form):
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("reference"), required=False, max_length=100)
    paid_on = forms.DateField(
        label=_("paid on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PayeeForm(forms.Form):
    """The payee's bank account, set through ``services.application_payee_set``; the stored account is
    never put back in the field (the page shows it masked)."""

    payee_bank = forms.CharField(
        label=_("payee's bank"), max_length=100,
        help_text=_("The bank and branch of the account, e.g. 农业银行三水支行."),
    )  # fmt: skip
    payee_account = forms.CharField(
        label=_("payee's account number"), max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip


class PayeeFilter(admin.SimpleListFilter):
    """Approved applications the bank file leaves out are those without an account: find them here."""

    title = _("payee's account")
    parameter_name = "payee"

    def lookups(self, request, model_admin):
        return [("missing", _("No payee account")), ("given", _("Payee account given"))]

    def queryset(self, request, queryset):
        # The service sets the bank and the account together (or neither); the encrypted account
        # cannot be compared in SQL, its bank can.
        if self.value() == "missing":
            return queryset.filter(payee_bank="")
        if self.value() == "given":
            return queryset.exclude(payee_bank="")
        return queryset


class CampaignListFilter(admin.SimpleListFilter):
    title = _("campaign")
    parameter_name = "campaign"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.name) for c in Campaign.objects.visible_to(request.user).only("pk", "name")]

    def queryset(self, request, queryset):
        return queryset.filter(campaign_id=self.value()) if self.value() else queryset


def _approve(*, request, obj, data):
    services.application_approve(
        application=obj, by=request.user, amount=data["amount"], override_reason=data["override_reason"],
        note=data["note"],
    )  # fmt: skip


def _pay(*, request, obj, data):
    services.application_pay(
        application=obj, by=request.user, method=data["method"], reference=data["reference"],
        paid_on=data["paid_on"],
    )  # fmt: skip


def _payee(*, request, obj, data):
    services.application_payee_set(
        application=obj, by=request.user, bank=data["payee_bank"], account=data["payee_account"]
    )


#: The workflow as buttons on the application's page (union_portal.core.record_steps).
APPLICATION_STEPS = (
    RecordStep("check", _("Check"), "assistance.check_aidapplication", (State.SUBMITTED,),
               lambda *, request, obj, data: services.application_check(application=obj, by=request.user, note=data["note"])),
    RecordStep("approve", _("Approve"), "assistance.approve_aidapplication", (State.CHECKED,), _approve, ApproveForm),
    RecordStep("reject", _("Reject"), ("assistance.check_aidapplication", "assistance.approve_aidapplication"),
               (State.SUBMITTED, State.CHECKED),
               lambda *, request, obj, data: services.application_reject(application=obj, by=request.user, reason=data["reason"]),
               ReasonForm, style="danger"),
    RecordStep("payee", _("Payee's account"), "assistance.pay_aidapplication",
               (State.SUBMITTED, State.CHECKED, State.APPROVED), _payee, PayeeForm,
               done=_("The payee's account is saved.")),
    RecordStep("pay", _("Record payment"), "assistance.pay_aidapplication", (State.APPROVED,), _pay, PayForm),
    RecordStep("close", _("Close"), "assistance.pay_aidapplication", (State.PAID,),
               lambda *, request, obj, data: services.application_close(application=obj, by=request.user, note=data["note"]),
               NoteForm),
)  # fmt: skip


@admin.register(AidApplication)
class AidApplicationAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """The work queues: filter by state and town; move applications only through the actions."""

    list_display = (
        "id", "kind", "member_name", "union_name", "campaign", "state", "amount_requested", "amount_approved",
        "state_changed_at", "working_days_waited",
    )  # fmt: skip
    list_display_links = ("id", "member_name")
    list_filter = ("state", "kind", TownFilter, CampaignListFilter, WaitingFilter, PayeeFilter)
    list_select_related = ("member__union", "campaign")
    search_fields = ("member__name", "=pk")
    inlines = (StepInline, DocumentInline)
    actions = (
        "check_selected",
        "approve_selected",
        "approve_with_amount",
        "reject_selected",
        "pay_selected",
        "close_selected",
    )
    show_full_result_count = False
    list_per_page = 50
    history_list_display = ("state", "amount_approved")
    readonly_fields = (
        "kind", "member_name", "union_name", "filed_by", "campaign", "hardship_file", "enrolment", "reason",
        "student_name", "university", "admission_year", "medical_expenses", "amount_requested", "state",
        "submitted_at", "state_changed_at", "amount_limit", "amount_approved", "override_reason", "computation_steps",
        "rejection_reason", "payee_info", "payment_info",
    )  # fmt: skip
    fields = readonly_fields
    record_steps = APPLICATION_STEPS

    def record_step_summary(self, request, obj):
        limit, _steps = services.application_limit(obj)
        campaign = obj.campaign
        return [
            (_("kind"), obj.get_kind_display()), (_("member"), member_label(obj.member)),
            (_("union"), obj.member.union.name), (_("state"), obj.get_state_display()),
            (_("situation"), obj.reason), (_("amount requested"), obj.amount_requested),
            (_("medical expenses"), obj.medical_expenses), (_("limit of the rules"), f"¥{limit}"),
            (_("campaign"), campaign), (_("campaign budget remaining"), f"¥{campaign.remaining}" if campaign else None),
            (_("hardship file"), obj.hardship_file), (_("student's name"), obj.student_name),
            (_("university"), obj.university), (_("payee's account"), self.payee_info(obj)),
        ]  # fmt: skip

    def record_step_documents(self, request, obj):
        return [(d.original_name, reverse("aid:document", args=[d.pk])) for d in obj.documents.all()]

    @admin.display(description=_("member"), ordering="member__name")
    def member_name(self, obj):
        return member_label(obj.member)

    @admin.display(description=_("union"))
    def union_name(self, obj):
        return obj.member.union.name

    @admin.display(description=_("working days waiting"))
    def working_days_waited(self, obj):
        if obj.state not in (State.SUBMITTED, State.CHECKED):
            return "—"
        return working_days_between(timezone.localtime(obj.state_changed_at).date(), timezone.localdate())

    @admin.display(description=_("computation"))
    def computation_steps(self, obj):
        return format_html_join(
            "", "<div>{}: ¥{}</div>", ((s["label"], s["amount"]) for s in obj.computation or [])
        )

    @admin.display(description=_("payee's account"))
    def payee_info(self, obj):
        return f"{obj.payee_bank} · {obj.masked_payee_account}" if obj.payee_account else "—"

    @admin.display(description=_("payment"))
    def payment_info(self, obj):
        payment = Payment.objects.filter(application=obj).first()
        if payment is None:
            return "—"
        return f"¥{payment.amount} · {payment.get_method_display()} · {payment.reference} · {payment.paid_on}"

    def get_queryset(self, request):
        return selectors.application_list(viewer=request.user)

    def has_add_permission(self, request):
        return False  # applications are filed in the portal or through the API, by the service

    def has_change_permission(self, request, obj=None):
        return False  # nothing is edited; the workflow moves through the actions

    # -- the workflow actions --
    def has_check_permission(self, request):
        return request.user.has_perm("assistance.check_aidapplication")

    def has_approve_permission(self, request):
        return request.user.has_perm("assistance.approve_aidapplication")

    def has_pay_permission(self, request):
        return request.user.has_perm("assistance.pay_aidapplication")

    def has_review_permission(self, request):
        return self.has_check_permission(request) or self.has_approve_permission(request)

    @admin.action(description=_("Check selected applications (union review)"), permissions=["check"])
    def check_selected(self, request, queryset):
        done, failed = services.applications_bulk(
            services.application_check, queryset.order_by("pk"), by=request.user
        )
        report_each(self, request, done, failed)

    @admin.action(
        description=_("Approve selected at the campaign standard (one campaign)"), permissions=["approve"]
    )
    def approve_selected(self, request, queryset):
        campaigns = set(queryset.values_list("campaign_id", flat=True))
        if len(campaigns) != 1 or None in campaigns:
            self.message_user(
                request, _("Select applications of one campaign for a bulk approval."), messages.ERROR
            )
            return
        done, failed = services.applications_bulk(
            services.application_approve, queryset.order_by("pk"), by=request.user
        )
        report_each(self, request, done, failed)

    @admin.action(description=_("Approve with an amount…"), permissions=["approve"])
    def approve_with_amount(self, request, queryset):
        form = ApproveForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            done, failed = services.applications_bulk(
                services.application_approve,
                queryset.order_by("pk"),
                by=request.user,
                amount=data["amount"],
                override_reason=data["override_reason"],
                note=data["note"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "approve_with_amount", _("Approve"))

    @admin.action(description=_("Reject selected applications…"), permissions=["review"])
    def reject_selected(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = services.applications_bulk(
                services.application_reject,
                queryset.order_by("pk"),
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "reject_selected", _("Reject applications"))

    @admin.action(description=_("Record payment of selected…"), permissions=["pay"])
    def pay_selected(self, request, queryset):
        form = PayForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            done, failed = services.applications_bulk(
                services.application_pay,
                queryset.order_by("campaign_id", "pk"),
                by=request.user,
                method=data["method"],
                reference=data["reference"],
                paid_on=data["paid_on"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "pay_selected", _("Record payments"))

    @admin.action(description=_("Close selected (paid) applications"), permissions=["pay"])
    def close_selected(self, request, queryset):
        done, failed = services.applications_bulk(
            services.application_close, queryset.order_by("pk"), by=request.user
        )
        report_each(self, request, done, failed)


@admin.register(Payment)
class PaymentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "paid_on", "member_name", "union_name", "amount", "method", "reference", "campaign", "application",
    )  # fmt: skip
    list_filter = ("method", "campaign")
    list_select_related = ("member__union", "campaign", "application__member")
    readonly_fields = (
        "application",
        "campaign",
        "member_name",
        "union_name",
        "amount",
        "paid_on",
        "method",
        "reference",
        "recorded_by",
        "recorded_at",
    )
    fields = readonly_fields  # the member by the label, never a link with the full name

    @admin.display(description=_("member"))
    def member_name(self, obj):
        return member_label(obj.member)

    @admin.display(description=_("union"))
    def union_name(self, obj):
        return obj.member.union.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Staff screens of legal aid: the panel, stations, the roster as a week grid, absences and cover,
consultations, and cases by stage with the ones nearest their limitation date first.

Lists are scoped (``visible_to``); every write goes through :mod:`legal_aid.services`; the details of
a dispute are shown only to staff with ``legal_aid.view_case_details``.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ReasonForm, ScopedAdminMixin, action_page, report_each, run_service
from union_portal.core.errors import apply_each
from union_portal.core.record_steps import RecordStep, RecordStepsAdminMixin
from union_portal.imports.admin import ImportAdminMixin

from . import selectors, services
from .models import (
    BEFORE_ARBITRATION,
    NEXT_STAGES,
    OPEN_STAGES,
    AdviserAssignment,
    CaseStep,
    Consultation,
    DisputeCase,
    EnterpriseEvent,
    Lawyer,
    Leave,
    Outcome,
    PartnerOffice,
    Shift,
    Stage,
    Station,
    SwapRequest,
    Topic,
)
from .services import generator


def _copy_into(obj, created) -> None:
    """After a service created the row, let the admin's redirect and log see it."""
    obj.pk = created.pk
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})


# --- the panel ------------------------------------------------------------------------------------------


class LawyerForm(forms.ModelForm):
    specialties = forms.MultipleChoiceField(
        label=_("specialties"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    available_weekdays = forms.TypedMultipleChoiceField(
        label=_("available weekdays"),
        coerce=int,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],  # fmt: skip
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked means every day."),
    )

    class Meta:
        model = Lawyer
        fields = (
            "name", "firm", "licence", "mobile", "specialties", "organisation", "term_starts_on", "term_ends_on",
            "available_weekdays", "max_shifts_per_month", "preferred_station",
        )  # fmt: skip

    def _post_clean(self):
        pass  # checked by the services


class LeaveInline(admin.TabularInline):
    model = Leave
    fields = ("starts_on", "ends_on", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lawyer)
class LawyerAdmin(ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = LawyerForm
    import_kind = "legal_lawyers"  # the panel import (legal_aid/resources.py), through lawyer_add
    list_display = (
        "name",
        "firm",
        "masked_licence",
        "organisation",
        "status",
        "term_ends_on",
        "max_shifts_per_month",
    )
    list_filter = ("status",)
    list_select_related = ("organisation",)
    search_fields = ("name", "firm", "licence")
    scoped_foreign_keys = ("organisation", "preferred_station")
    inlines = (LeaveInline,)
    actions = ("end_selected", "reset_calendar_selected")

    @admin.display(description=_("practising licence number"))
    def masked_licence(self, obj):
        return f"{obj.licence[:5]}********{obj.licence[-4:]}"

    def get_readonly_fields(self, request, obj=None):
        return ("licence", "status") if obj else ()

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            services.lawyer_update(
                lawyer=obj, by=request.user, data={k: data[k] for k in form.changed_data if k in data}
            )
            return
        organisation, station = data.pop("organisation"), data.pop("preferred_station", None)
        _copy_into(
            obj, services.lawyer_add(data=data, organisation=organisation, by=request.user, station=station)
        )

    @admin.action(description=_("End selected lawyers' contracts…"), permissions=["change"])
    def end_selected(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                services.lawyer_end, queryset.order_by("pk"), arg="lawyer", by=request.user,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "end_selected", _("End contracts"))

    @admin.action(description=_("Revoke and renew calendar links"), permissions=["change"])
    def reset_calendar_selected(self, request, queryset):
        done, failed = apply_each(
            services.calendar_token_reset, queryset.order_by("pk"), arg="lawyer", by=request.user
        )
        report_each(self, request, done, failed)


@admin.register(Leave)
class LeaveAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("lawyer", "starts_on", "ends_on", "reason")
    list_select_related = ("lawyer",)
    scoped_foreign_keys = ("lawyer",)
    fields = ("lawyer", "starts_on", "ends_on", "reason")

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        _copy_into(
            obj,
            services.leave_add(
                lawyer=data["lawyer"], by=request.user, starts_on=data["starts_on"], ends_on=data["ends_on"],
                reason=data.get("reason", ""),
            ),
        )  # fmt: skip


class GenerateForm(forms.Form):
    month = forms.DateField(
        label=_("any day of the month"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The roster of that whole month is proposed; nothing is saved before you confirm."),
    )  # fmt: skip


@admin.register(Station)
class StationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "kind",
        "organisation",
        "address",
        "closed_on_holidays",
        "is_active",
        "roster_link",
    )
    list_filter = ("kind", "is_active")
    list_select_related = ("organisation",)
    search_fields = ("name", "address")
    scoped_foreign_keys = ("organisation",)
    actions = ("generate_roster",)

    @admin.action(description=_("Generate the month's roster…"), permissions=["roster"])
    def generate_roster(self, request, queryset):
        """Step 1: the month; step 2: the preview (who sits where, what stays uncovered and why)."""
        form = GenerateForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return action_page(self, request, queryset, form, "generate_roster", _("Generate the roster"))
        stations = list(queryset.order_by("pk"))
        plan = run_service(
            self,
            request,
            generator.roster_generate,
            stations=stations,
            month=form.cleaned_data["month"],
            by=request.user,
        )
        if plan is None:
            return None
        names = {s.pk: s.name for s in stations}
        lawyers = {lw.pk: lw.name for lw in Lawyer.objects.filter(pk__in=list(plan.loads))}
        rows = sorted(
            [(slot, names[slot.station_id], lawyers.get(lawyer, "")) for slot, lawyer in plan.assignments],
            key=lambda row: (row[0].station_id, row[0].start),
        )
        return TemplateResponse(
            request,
            "admin/legal_aid/roster_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Roster preview of %(month)s") % {"month": plan.month.strftime("%Y-%m")},
                "plan": plan,
                "rows": rows,
                "uncovered": [
                    (slot, names[slot.station_id], plan.reason_text(r)) for slot, r in plan.uncovered
                ],
                "loads": sorted(
                    ((lawyers.get(pk, pk), n) for pk, n in plan.loads.items()), key=lambda x: -x[1]
                ),
                "signed": plan.signed(),
                "opts": self.model._meta,
            },
        )

    def has_roster_permission(self, request):
        return request.user.has_perm("legal_aid.add_shift")

    def get_urls(self):
        return [
            path(
                "roster/save/",
                self.admin_site.admin_view(self.roster_save_view),
                name="legal_aid_station_roster_save",
            ),
            *super().get_urls(),
        ]

    def roster_save_view(self, request):
        """Step 3: save the previewed plan (signed, so exactly what was shown is written)."""
        if request.method != "POST" or not self.has_roster_permission(request):
            raise Http404
        created = run_service(
            self, request, generator.roster_save, signed_plan=request.POST.get("plan", ""), by=request.user
        )
        if created is not None:
            self.message_user(request, _("%(n)d shifts saved.") % {"n": len(created)}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:legal_aid_shift_roster"))

    @admin.display(description=_("roster"))
    def roster_link(self, obj):
        return format_html(
            '<a href="{}?station={}">{}</a>', reverse("admin:legal_aid_shift_roster"), obj.pk, _("week")
        )

    def save_model(self, request, obj, form, change):
        services.station_save(station=obj, by=request.user)


class EventInline(admin.TabularInline):
    model = EnterpriseEvent
    fields = ("kind", "held_on", "lawyer", "attendance", "findings")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AdviserAssignment)
class AdviserAssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("lawyer", "union", "starts_on", "ends_on", "status")
    list_filter = ("status",)
    list_select_related = ("lawyer", "union")
    search_fields = ("lawyer__name", "union__name")
    scoped_foreign_keys = ("lawyer", "union")
    fields = ("lawyer", "union", "starts_on", "ends_on")
    inlines = (EventInline,)
    actions = ("end_selected",)

    def get_readonly_fields(self, request, obj=None):
        return (*self.fields, "status") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        _copy_into(
            obj,
            services.adviser_assign(
                lawyer=data["lawyer"], union=data["union"], by=request.user, starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            ),
        )  # fmt: skip

    @admin.action(description=_("End selected assignments"), permissions=["change"])
    def end_selected(self, request, queryset):
        done, failed = apply_each(
            services.adviser_end, queryset.order_by("pk"), arg="assignment", by=request.user
        )
        report_each(self, request, done, failed)


@admin.register(EnterpriseEvent)
class EnterpriseEventAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("kind", "union", "lawyer", "held_on", "attendance")
    list_filter = ("kind",)
    list_select_related = ("union", "lawyer")
    scoped_foreign_keys = ("union", "lawyer")
    fields = ("kind", "union", "lawyer", "held_on", "attendance", "findings")
    date_hierarchy = "held_on"

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        _copy_into(obj, services.enterprise_event_record(by=request.user, **data))


# --- the roster -----------------------------------------------------------------------------------------


class ShiftForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ("station", "lawyer", "start", "end")

    def _post_clean(self):
        pass


class CoverForm(forms.Form):
    lawyer = forms.ModelChoiceField(label=_("lawyer"), queryset=Lawyer.objects.none())


@admin.register(Shift)
class ShiftAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = ShiftForm
    list_display = ("start_local", "end_local", "station", "lawyer", "status", "cover_link")
    list_filter = ("status", "station")
    list_select_related = ("station", "lawyer")
    search_fields = ("lawyer__name", "station__name")
    scoped_foreign_keys = ("station", "lawyer")
    date_hierarchy = "start"
    actions = ("confirm_selected",)
    change_list_template = "admin/legal_aid/shift/change_list.html"

    @admin.display(description=_("start"), ordering="start")
    def start_local(self, obj):
        return timezone.localtime(obj.start).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("end"))
    def end_local(self, obj):
        return timezone.localtime(obj.end).strftime("%H:%M")

    @admin.display(description=_("cover"))
    def cover_link(self, obj):
        if obj.status != "absent":
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:legal_aid_shift_cover", args=[obj.pk]), _("find cover")
        )

    def get_readonly_fields(self, request, obj=None):
        return ("station", "start", "end", "status", "replaces", "note") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "lawyer" in form.changed_data and data.get("lawyer") is not None:
                services.shift_assign(shift=obj, lawyer=data["lawyer"], by=request.user)
            return
        _copy_into(
            obj,
            services.shift_add(
                station=data["station"], start=data["start"], end=data["end"], lawyer=data.get("lawyer"),
                by=request.user,
            ),
        )  # fmt: skip

    @admin.action(description=_("Confirm selected shifts"), permissions=["change"])
    def confirm_selected(self, request, queryset):
        done, failed = apply_each(
            services.shift_confirm, queryset.order_by("pk"), arg="shift", by=request.user
        )
        report_each(self, request, done, failed)

    def get_urls(self):
        urls = [
            path("roster/", self.admin_site.admin_view(self.roster_view), name="legal_aid_shift_roster"),
            path(
                "<int:pk>/cover/", self.admin_site.admin_view(self.cover_view), name="legal_aid_shift_cover"
            ),
        ]
        return urls + super().get_urls()

    def roster_view(self, request):
        """The roster of a week: stations down, days across, each cell the shifts of that day."""
        if not self.has_view_permission(request):
            raise Http404
        try:
            day = dt.date.fromisoformat(request.GET.get("week", ""))
        except ValueError:
            day = timezone.localdate()
        monday = day - dt.timedelta(days=day.weekday())
        grid = selectors.roster_week(
            viewer=request.user, monday=monday, station_id=request.GET.get("station")
        )
        return TemplateResponse(
            request,
            "admin/legal_aid/roster_week.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Roster of the week of %(day)s") % {"day": monday},
                "grid": grid,
                "previous": monday - dt.timedelta(days=7),
                "next": monday + dt.timedelta(days=7),
                "station": request.GET.get("station", ""),
                "opts": self.model._meta,
            },
        )

    def cover_view(self, request, pk: int):
        """An absent lawyer's shift: the free lawyers, best first, and a button to give it to one."""
        shift = get_object_or_404(self.get_queryset(request).select_related("station", "lawyer"), pk=pk)
        if not self.has_change_permission(request, shift):
            raise Http404
        ranked = services.free_lawyers_ranked(shift)
        if request.method == "POST":
            chosen = next((lw for lw in ranked if str(lw.pk) == request.POST.get("lawyer")), None)
            if chosen is None:
                self.message_user(request, _("Choose one of the free lawyers."), messages.ERROR)
            elif run_service(
                self, request, services.shift_cover, shift=shift, lawyer=chosen, by=request.user,
                success=_("%(name)s covers the shift.") % {"name": chosen.name},
            ):  # fmt: skip
                return HttpResponseRedirect(reverse("admin:legal_aid_shift_changelist"))
        return TemplateResponse(
            request,
            "admin/legal_aid/shift_cover.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Cover for %(shift)s") % {"shift": shift},
                "shift": shift,
                "ranked": ranked,
                "opts": self.model._meta,
            },
        )


@admin.register(SwapRequest)
class SwapRequestAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("shift", "from_lawyer", "to_lawyer", "status", "requested_at", "answered_at")
    list_filter = ("status",)
    list_select_related = ("shift__station", "from_lawyer", "to_lawyer")
    readonly_fields = ("shift", "from_lawyer", "to_lawyer", "status", "note", "requested_at", "answered_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- consultations and cases -------------------------------------------------------------------------------


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = (
            "channel", "topic", "member", "name", "mobile", "question", "advice", "lawyer", "station",
            "organisation", "follow_up_needed",
        )  # fmt: skip
        widgets = {"name": forms.TextInput, "mobile": forms.TextInput}  # encrypted text columns

    def _post_clean(self):
        pass


@admin.register(Consultation)
class ConsultationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = ConsultationForm
    list_display = ("asked_at", "channel", "topic", "person", "lawyer", "status", "follow_up_needed")
    list_filter = ("status", "channel", "topic", "follow_up_needed")
    list_select_related = ("member", "lawyer")
    search_fields = ("lawyer__name",)
    scoped_foreign_keys = ("member", "lawyer", "station", "organisation")
    autocomplete_fields = ("member",)  # a picker, not a list of every member; masked (choice_label)
    date_hierarchy = "asked_at"
    history_hidden_fields = ("name", "mobile", "question")

    @admin.display(description=_("person"))
    def person(self, obj):
        return obj.masked_person

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "channel",
            "topic",
            "member",
            "person",
            "question",
            "lawyer",
            "station",
            "organisation",
            "status",
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ConsultationForm.Meta.fields
        return (*self.get_readonly_fields(request, obj), "advice", "follow_up_needed")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.consultation_answer(
                consultation=obj, by=request.user, advice=data.get("advice", ""),
                follow_up_needed=data.get("follow_up_needed", False),
            )  # fmt: skip
            return
        _copy_into(obj, services.consultation_record(by=request.user, **data))


class LimitationFilter(admin.SimpleListFilter):
    title = _("arbitration limitation")
    parameter_name = "limitation"

    def lookups(self, request, model_admin):
        return [("near", _("Within 60 days")), ("past", _("Past the limitation date"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        before = queryset.filter(stage__in=list(selectors.BEFORE_ARBITRATION))
        if self.value() == "near":
            return before.filter(limitation_on__gte=today, limitation_on__lte=today + dt.timedelta(days=60))
        if self.value() == "past":
            return before.filter(limitation_on__lt=today)
        return queryset


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    fields = ("at", "from_stage", "to_stage", "limitation_on", "by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CaseForm(forms.ModelForm):
    claim_type = forms.ChoiceField(label=_("claim"), choices=selectors.CLAIM_CHOICES)
    claim_amount = forms.DecimalField(label=_("amount claimed"), max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = DisputeCase
        fields = (
            "applicant", "applicant_name", "applicant_mobile", "applicant_id_number", "employer", "employer_name",
            "arose_on", "details", "organisation", "referred_from",
        )  # fmt: skip
        widgets = {  # encrypted text columns
            "applicant_name": forms.TextInput, "applicant_mobile": forms.TextInput,
            "applicant_id_number": forms.TextInput,
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("applicant_name", "employer_name"):
            if name in self.fields:
                self.fields[name].required = False

    def _post_clean(self):
        pass


class AssignForm(forms.Form):
    lawyer = forms.ModelChoiceField(label=_("lawyer"), queryset=Lawyer.objects.active())
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class AdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(
        label=_("to stage"),
        choices=[
            (s, label)
            for s, label in Stage.choices
            if s not in (Stage.INTAKE, Stage.LAWYER_ASSIGNED, Stage.CLOSED)
        ],
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)
    amount_recovered = forms.DecimalField(
        label=_("amount recovered"), max_digits=12, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class InterruptForm(forms.Form):
    on = forms.DateField(label=_("interrupted on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("why"), max_length=300,
        help_text=_("The worker claimed their rights from the employer, asked an authority for relief, or the "
                    "employer agreed to pay (art. 27 para. 2)."),
    )  # fmt: skip


class ReferForm(forms.Form):
    to_office = forms.ChoiceField(label=_("referred to"), choices=PartnerOffice.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


def _next_stages_only(form, request, obj) -> None:
    """The advance step offers only the stages this case may move to."""
    form.fields["to_stage"].choices = [(s, Stage(s).label) for s in NEXT_STAGES[obj.stage]]


def _case_step(service):
    return lambda *, request, obj, data: service(case=obj, by=request.user, **data)


#: The case's moves as buttons on its page (union_portal.core.record_steps); the same services as the
#: bulk actions, the portal and the API.
CASE_STEPS = (
    RecordStep("assign", _("Assign a lawyer"), "legal_aid.advance_disputecase", (Stage.INTAKE,),
               _case_step(services.case_assign_lawyer), AssignForm),
    RecordStep("advance", _("Next stage"), "legal_aid.advance_disputecase",
               tuple(s for s in OPEN_STAGES if s != Stage.INTAKE and NEXT_STAGES[s]),
               _case_step(services.case_advance), AdvanceForm, setup_form=_next_stages_only),
    RecordStep("interrupt", _("Limitation interrupted"), "legal_aid.advance_disputecase", BEFORE_ARBITRATION,
               _case_step(services.case_limitation_interrupt), InterruptForm, done=_("The period runs again.")),
    RecordStep("refer", _("Refer to a partner office"), "legal_aid.advance_disputecase", OPEN_STAGES,
               _case_step(services.case_refer), ReferForm),
    RecordStep("close", _("Close with an outcome"), "legal_aid.advance_disputecase", OPEN_STAGES,
               _case_step(services.case_close), CloseForm, style="danger"),
)  # fmt: skip


@admin.register(DisputeCase)
class DisputeCaseAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = CaseForm
    record_steps = CASE_STEPS
    record_state_field = "stage"
    list_display = (
        "id", "applicant_masked", "employer_name", "stage", "lawyer", "claimed_total", "limitation_flag",
        "amount_recovered",
    )  # fmt: skip
    list_filter = ("stage", LimitationFilter, "referred_from", "outcome")
    list_select_related = ("lawyer",)
    search_fields = ("employer_name",)
    scoped_foreign_keys = ("applicant", "employer", "organisation")
    inlines = (CaseStepInline,)
    actions = ("assign_selected", "advance_selected", "close_selected", "refer_selected")
    history_hidden_fields = (
        "details", "applicant_mobile", "applicant_name", "applicant_id_number", "applicant_id_number_hash",
    )  # fmt: skip

    def get_queryset(self, request):
        return selectors.case_order(super().get_queryset(request))

    change_list_template = "admin/legal_aid/disputecase/change_list.html"

    def changelist_view(self, request, extra_context=None):
        """The list, under a board of the cases by stage (near and past their limitation date)."""
        board = selectors.case_board(self.get_queryset(request))
        return super().changelist_view(request, {**(extra_context or {}), "stage_board": board})

    def record_step_summary(self, request, obj):
        days = obj.days_to_limitation()
        return [
            (_("applicant"), selectors.mask_name(obj.applicant_name)), (_("employer"), obj.employer_name),
            (_("stage"), obj.get_stage_display()), (_("lawyer"), obj.lawyer),
            (_("amount claimed"), f"¥{obj.claimed_total}"),
            (_("arbitration limitation date"),
             f"{obj.limitation_on} · {_('time-barred')}" if days is not None and days < 0 else obj.limitation_on),
        ]  # fmt: skip

    @admin.display(description=_("applicant"))
    def applicant_masked(self, obj):
        return selectors.mask_name(obj.applicant_name)

    @admin.display(description=_("applicant's ID number"))
    def applicant_id_shown(self, obj):
        return obj.applicant_id_number if self._may_read(obj) else obj.masked_id_number

    def _may_read(self, obj) -> bool:
        request = getattr(self, "_request", None)
        return request is not None and selectors.may_read_details(request.user, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        self._request = request
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description=_("arbitration limitation date"), ordering="limitation_on")
    def limitation_flag(self, obj):
        days = obj.days_to_limitation()
        if days is None:
            return obj.limitation_on
        if days < 0:
            return format_html(
                '<strong style="color:#b00">{} · {}</strong>', obj.limitation_on, _("time-barred")
            )
        if days <= 60:
            return format_html(
                '<strong style="color:#8a4500">{} · {}</strong>',
                obj.limitation_on,
                _("%(d)d days left") % {"d": days},
            )
        return obj.limitation_on

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fields = [
            "applicant", "applicant_masked", "applicant_id_shown", "employer", "employer_name", "claims", "claimed_total",
            "arose_on",
            "limitation_flag", "stage", "lawyer", "organisation", "referred_from", "referred_to", "outcome",
            "amount_recovered", "opened_at", "closed_at",
        ]  # fmt: skip
        if selectors.may_read_details(request.user, obj):
            fields.append("details")
        return fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*CaseForm.Meta.fields, "claim_type", "claim_amount")
        return self.get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = dict(form.cleaned_data)
        claims = [{"type": data.pop("claim_type"), "amount": data.pop("claim_amount")}]
        applicant = data.pop("applicant", None)
        _copy_into(
            obj, services.case_open(by=request.user, applicant=applicant, data={**data, "claims": claims})
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and obj is None

    def _form_action(self, request, queryset, form_class, name, title, call):
        form = form_class(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                call, queryset.order_by("pk"), arg="case", by=request.user, **form.cleaned_data
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, name, title)

    @admin.action(description=_("Assign a lawyer…"), permissions=["advance"])
    def assign_selected(self, request, queryset):
        return self._form_action(
            request,
            queryset,
            AssignForm,
            "assign_selected",
            _("Assign a lawyer"),
            services.case_assign_lawyer,
        )

    @admin.action(description=_("Move to the next stage…"), permissions=["advance"])
    def advance_selected(self, request, queryset):
        return self._form_action(
            request, queryset, AdvanceForm, "advance_selected", _("Next stage"), services.case_advance
        )

    @admin.action(description=_("Close with an outcome…"), permissions=["advance"])
    def close_selected(self, request, queryset):
        return self._form_action(
            request, queryset, CloseForm, "close_selected", _("Close cases"), services.case_close
        )

    @admin.action(description=_("Refer to a partner office…"), permissions=["advance"])
    def refer_selected(self, request, queryset):
        return self._form_action(
            request, queryset, ReferForm, "refer_selected", _("Refer cases"), services.case_refer
        )

    def has_advance_permission(self, request):
        return request.user.has_perm("legal_aid.advance_disputecase")

"""Staff screens for members and merchants (and the members of each subtree on the organisation page).

Lists are scoped to the user's subtree; actions and saves call the services;
personal data is masked, and revealing it is a logged step of its own.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ReasonForm, ScopedAdminMixin, action_page, report_each, run_service
from union_portal.core.errors import ApplicationError
from union_portal.core.pagination import EstimatedCountPaginator
from union_portal.core.record_steps import NoteForm, RecordStep, RecordStepsAdminMixin
from union_portal.core.timeline import timeline_rows
from union_portal.imports.admin import ImportAdminMixin
from union_portal.organisations.admin import OrganisationAdmin as BaseOrganisationAdmin
from union_portal.organisations.admin import percent
from union_portal.organisations.models import MEMBER_UNION_KINDS, Organisation, OrganisationKind

from . import selectors, services
from .exports import export_csv_action, export_unmasked_xlsx_action, export_xlsx_action
from .models import BenefitMerchant, Channel, Member, MembershipEvent, MemberStatus, TransferRequest

# --- organisations: the platform's page, with the members of each subtree -------------------------------

admin.site.unregister(Organisation)


@admin.register(Organisation)
class OrganisationAdmin(BaseOrganisationAdmin):
    """The organisation page of ``union_portal.organisations``, with the share of workers who are members."""

    @admin.display(description=_("coverage of this subtree"))
    def coverage(self, obj):
        figures = selectors.coverage(organisation=obj)
        return format_html(
            "{}: {} / {} ({})<br>{}: {} / {} ({})",
            _("enterprises with a union"),
            figures.unionised_enterprises,
            figures.enterprises,
            percent(figures.union_rate),
            _("workers who are members"),
            figures.members,
            figures.headcount,
            percent(figures.membership_rate),
        )


# --- members -----------------------------------------------------------------------------------------


class SubtreeFilter(admin.SimpleListFilter):
    """Members of one organisation and everything below it (towns, unions, branches)."""

    title = _("organisation")
    parameter_name = "org"

    #: Grassroots unions are offered as choices only while there are at most this many visible: at the scale of a
    #: province the list would be tens of thousands of links. Any visible node still works as ``?org=<id>``.
    max_union_choices = 200

    def lookups(self, request, model_admin):
        visible = Organisation.objects.visible_to(request.user).only("pk", "name", "depth", "path")
        kinds = [OrganisationKind.TOWN, OrganisationKind.INDUSTRY]
        unions = visible.filter(kind=OrganisationKind.GRASSROOTS)
        if unions[: self.max_union_choices + 1].count() <= self.max_union_choices:
            kinds.append(OrganisationKind.GRASSROOTS)
        return [
            (str(n.pk), ("\u3000" * max(n.depth - 2, 0)) + n.name) for n in visible.filter(kind__in=kinds)
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        node = Organisation.objects.visible_to(request.user).filter(pk=self.value()).first()
        if node is None:
            return queryset.none()
        return queryset.filter(union__path__startswith=node.path)


class MemberAddForm(forms.ModelForm):
    """An officer registers a member: the same input the portal asks for, checked by the same service."""

    id_number = forms.CharField(label=_("resident ID number"), max_length=30)
    mobile = forms.CharField(label=_("mobile number"), max_length=20)

    class Meta:
        model = Member
        fields = (
            "name", "id_number", "mobile", "union", "employer", "job", "skill_grade",
            "household_type", "is_migrant_worker",
        )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        try:
            self.service_data = services.clean_member_input({k: cleaned.get(k) for k in self.Meta.fields})
        except ApplicationError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc))
        return cleaned

    def _post_clean(self):
        pass  # the model is built by the service, not by the form


class MemberChangeForm(forms.ModelForm):
    """Changes a member's details. The mobile is never put in the form unmasked: a new one replaces it."""

    new_mobile = forms.CharField(
        label=_("new mobile number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current one."),
    )

    class Meta:
        model = Member
        fields = (
            "name",
            "new_mobile",
            "employer",
            "job",
            "skill_grade",
            "household_type",
            "is_migrant_worker",
        )

    #: Service fields shown under another name here.
    service_field_names = {"mobile": "new_mobile"}

    def clean(self):
        cleaned = super().clean()
        try:
            services.clean_member_input(self.service_changes(), partial=True)
        except ApplicationError as exc:
            field = self.service_field_names.get(exc.field, exc.field)
            self.add_error(field if field in self.fields else None, str(exc))
        return cleaned

    def service_changes(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in self.changed_data if k != "new_mobile"}
        if self.cleaned_data.get("new_mobile"):
            data["mobile"] = self.cleaned_data["new_mobile"]
        return data

    def _post_clean(self):
        pass


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    fields = ("at", "kind", "from_union", "to_union", "by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_union", "to_union", "by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransferForm(ReasonForm):
    to_union = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("to union"))


class EndForm(ReasonForm):
    status = forms.ChoiceField(
        label=_("how it ends"),
        choices=[
            (s, MemberStatus(s).label)
            for s in (MemberStatus.LAPSED, MemberStatus.WITHDRAWN, MemberStatus.DECEASED)
        ],
    )
    on = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _member_union_choices():
    return Organisation.objects.filter(kind__in=MEMBER_UNION_KINDS, is_active=True)


def _transfer_choices(form, request, obj):
    form.fields["to_union"].queryset = _member_union_choices().exclude(pk=obj.union_id)


def _transfer_done(transfer):
    if transfer.state == TransferRequest.State.PENDING:
        return _("The request has been sent to %(union)s; the member moves when that union accepts it.") % {
            "union": transfer.to_union
        }
    return _("Transferred to %(union)s.") % {"union": transfer.to_union}


#: The membership workflow as buttons on the member's page (union_portal.core.record_steps).
MEMBER_STEPS = (
    RecordStep("approve", _("Approve"), "members.approve_member", (MemberStatus.PENDING,),
               lambda *, request, obj, data: services.member_approve(member=obj, by=request.user, note=data["note"]),
               NoteForm),
    RecordStep("reject", _("Reject"), "members.approve_member", (MemberStatus.PENDING,),
               lambda *, request, obj, data: services.member_reject(member=obj, by=request.user, reason=data["reason"]),
               ReasonForm, style="danger"),
    RecordStep("transfer", _("Transfer"), "members.transfer_member", (MemberStatus.ACTIVE,),
               lambda *, request, obj, data: services.member_transfer(
                   member=obj, by=request.user, to_union=data["to_union"], reason=data["reason"]),
               TransferForm, setup_form=_transfer_choices, done=_transfer_done),
    RecordStep("end", _("End membership"), "members.end_member", (MemberStatus.ACTIVE,),
               lambda *, request, obj, data: services.member_end(
                   member=obj, by=request.user, status=data["status"], reason=data["reason"], on=data["on"]),
               EndForm, style="danger"),
)  # fmt: skip


@admin.register(Member)
class MemberAdmin(RecordStepsAdminMixin, ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "name", "masked_id_number", "masked_mobile", "union", "employer", "status",
        "skill_grade", "household_type", "card_number", "join_date",
    )  # fmt: skip
    list_filter = (SubtreeFilter, "status", "household_type", "skill_grade", "is_migrant_worker", "channel")
    list_select_related = ("union", "employer")
    search_fields = ("name",)  # the real search is selectors.member_search (see get_search_results)
    search_help_text = _("Name, pinyin or initials, full ID number, mobile or card number.")
    scoped_foreign_keys = ("union", "employer")
    inlines = (MembershipEventInline,)
    actions = (
        "approve_selected", "reject_selected", "transfer_selected", "end_selected",
        export_xlsx_action, export_csv_action, export_unmasked_xlsx_action,
    )  # fmt: skip
    import_kind = "members"
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # no COUNT(*) of a million rows per page view
    list_per_page = 50
    history_list_display = ("status", "union")
    history_hidden_fields = ("id_number", "id_number_hash", "mobile")
    record_steps = MEMBER_STEPS
    record_state_field = "status"

    def record_step_summary(self, request, obj):
        return [
            (_("name"), obj.masked_name), (_("union"), obj.union.name), (_("employer"), obj.employer),
            (_("job"), obj.job), (_("status"), obj.get_status_display()), (_("channel"), obj.get_channel_display()),
            (_("applied at"), obj.applied_at), (_("joined on"), obj.join_date),
        ]  # fmt: skip

    def record_extra_context(self, request, obj):
        return {"timeline": timeline_rows(member=obj, viewer=request.user)}

    change_readonly = (
        "masked_id_number", "masked_mobile_display", "sex", "birth_date", "union", "status", "channel",
        "card_number", "join_date", "applied_at", "decided_at", "decided_by", "rejection_reason",
        "ended_on", "end_reason", "consent_statement", "consent_confirmed_at", "reveal_link",
    )  # fmt: skip

    # -- list and search --
    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj):
        return obj.masked_mobile

    @admin.display(description=_("mobile number (masked)"))
    def masked_mobile_display(self, obj):
        return obj.masked_mobile

    @admin.display(description=_("full data"))
    def reveal_link(self, obj):
        if obj is None or not obj.pk:
            return ""
        url = reverse("admin:members_member_reveal", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Reveal ID number and mobile (logged)"))

    def get_search_results(self, request, queryset, search_term):
        return selectors.member_search(queryset, search_term), False

    #: The header's search box sends this: one match opens the record, several show the list.
    GO_PARAM = "go"

    def changelist_view(self, request, extra_context=None):
        if request.GET.get(self.GO_PARAM) is not None:
            term = request.GET.get("q", "").strip()
            query = request.GET.copy()
            del query[self.GO_PARAM]
            if term:
                found = list(
                    selectors.member_search(self.get_queryset(request), term).values_list("pk", flat=True)[:2]
                )
                if len(found) == 1:
                    return HttpResponseRedirect(reverse("admin:members_member_change", args=[found[0]]))
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    # -- forms --
    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = MemberAddForm if obj is None else MemberChangeForm
        kwargs["fields"] = kwargs["form"].Meta.fields
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "union" in form.base_fields:
            form.base_fields["union"].queryset = form.base_fields["union"].queryset.filter(
                kind__in=MEMBER_UNION_KINDS, is_active=True
            )
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return MemberAddForm.Meta.fields
        if not self.has_change_permission(request, obj):
            return (*(f for f in MemberChangeForm.Meta.fields if f != "new_mobile"), *self.change_readonly)
        return (*MemberChangeForm.Meta.fields, *self.change_readonly)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not self.has_change_permission(request, obj):
            return (*(f for f in MemberChangeForm.Meta.fields if f != "new_mobile"), *self.change_readonly)
        return self.change_readonly

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            updated = services.member_update(member=obj, by=request.user, data=form.service_changes())
        else:
            updated = services.member_register(
                data=form.service_data, by=request.user, channel=Channel.OFFICER
            )
        obj.pk = updated.pk
        obj.__dict__.update({k: v for k, v in updated.__dict__.items() if not k.startswith("_")})

    def save_related(self, request, form, formsets, change):
        pass  # events are written by the services only

    # -- actions calling services --
    def _has(self, request, perm):
        return request.user.has_perm(f"members.{perm}")

    def has_approve_permission(self, request):
        return self._has(request, "approve_member")

    def has_transfer_permission(self, request):
        return self._has(request, "transfer_member")

    def has_end_permission(self, request):
        return self._has(request, "end_member")

    def has_export_permission(self, request):
        return self._has(request, "export_member")

    def has_export_unmasked_permission(self, request):
        return self._has(request, "export_unmasked_member")

    @admin.action(description=_("Approve selected applications"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        done, failed = services.members_bulk(
            services.member_approve, queryset.order_by("pk"), by=request.user
        )
        report_each(self, request, done, failed)

    @admin.action(description=_("Reject selected applications…"), permissions=["approve"])
    def reject_selected(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = services.members_bulk(
                services.member_reject,
                queryset.order_by("pk"),
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "reject_selected", _("Reject applications"))

    @admin.action(description=_("Transfer selected members to another union…"), permissions=["transfer"])
    def transfer_selected(self, request, queryset):
        form = TransferForm(request.POST if "confirm" in request.POST else None)
        form.fields["to_union"].queryset = _member_union_choices()
        if form.is_valid():
            done, failed = services.members_bulk(
                services.member_transfer,
                queryset.order_by("pk"),
                by=request.user,
                to_union=form.cleaned_data["to_union"],
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "transfer_selected", _("Transfer members"))

    @admin.action(description=_("End selected memberships (lapse, withdrawal, death)…"), permissions=["end"])
    def end_selected(self, request, queryset):
        form = EndForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = services.members_bulk(
                services.member_end,
                queryset.order_by("pk"),
                by=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "end_selected", _("End memberships"))

    # -- reveal one record (logged) --
    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="members_member_reveal",
            )
        ]
        return urls + super().get_urls()

    def reveal_view(self, request, object_id):
        member = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not request.user.has_perm("members.reveal_member"):
            raise PermissionDenied
        form = ReasonForm(request.POST or None)
        revealed = None
        if request.method == "POST" and form.is_valid():
            revealed = run_service(
                self,
                request,
                services.member_reveal,
                member=member,
                by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        return TemplateResponse(
            request,
            "admin/members/member_reveal.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reveal personal data"),
                "member": member,
                "form": form,
                "revealed": revealed,
                "opts": self.model._meta,
            },
        )


# --- transfers between unions of different areas (会员组织关系转接) ---------------------------------------


def _accept(*, request, obj, data):
    return services.transfer_accept(transfer=obj, by=request.user, note=data["note"])


def _decline(*, request, obj, data):
    return services.transfer_decline(transfer=obj, by=request.user, reason=data["reason"])


def _cancel(*, request, obj, data):
    return services.transfer_cancel(transfer=obj, by=request.user, reason=data["note"])


PENDING = (TransferRequest.State.PENDING,)
TRANSFER_STEPS = (
    RecordStep("accept", _("Accept"), "members.transfer_member", PENDING, _accept, NoteForm),
    RecordStep("decline", _("Decline"), "members.transfer_member", PENDING, _decline, ReasonForm, style="danger"),
    RecordStep("cancel", _("Withdraw"), "members.transfer_member", PENDING, _cancel, NoteForm, style="danger"),
)  # fmt: skip
#: Which side of a transfer may take each step: the receiving union decides, the sender withdraws.
STEP_SIDE = {"accept": "to_union", "decline": "to_union", "cancel": "from_union"}


class DirectionFilter(admin.SimpleListFilter):
    """Transfers into the user's area (theirs to decide) or out of it (theirs to follow)."""

    title = _("direction")
    parameter_name = "direction"

    def lookups(self, request, model_admin):
        return [("in", _("Into my area")), ("out", _("Out of my area"))]

    def queryset(self, request, queryset):
        return queryset.direction(request.user, self.value())


@admin.register(TransferRequest)
class TransferRequestAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Transfers into and out of the user's area; the receiving union accepts or declines each."""

    list_display = (
        "requested_at",
        "member_name",
        "from_union",
        "to_union",
        "state",
        "requested_by",
        "decided_at",
    )
    list_filter = ("state", DirectionFilter)
    list_select_related = ("member", "from_union", "to_union", "requested_by")
    readonly_fields = (
        "member_name", "from_union", "to_union", "reason", "state", "requested_by", "requested_at",
        "decided_by", "decided_at", "decision_note",
    )  # fmt: skip
    fields = readonly_fields
    record_steps = TRANSFER_STEPS

    @admin.display(description=_("member"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.masked_name

    def record_step_summary(self, request, obj):
        return [
            (_("member"), obj.member.masked_name), (_("ID number"), obj.member.masked_id_number),
            (_("from union"), obj.from_union.name), (_("to union"), obj.to_union.name),
            (_("reason"), obj.reason), (_("requested by"), obj.requested_by),
        ]  # fmt: skip

    def offered_steps(self, request, obj):
        visible = set(Organisation.objects.visible_to(request.user).filter(
            pk__in=[obj.from_union_id, obj.to_union_id]).values_list("pk", flat=True))  # fmt: skip
        return [
            step for step in super().offered_steps(request, obj)
            if getattr(obj, f"{STEP_SIDE[step.name]}_id") in visible
        ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # a transfer starts from the member's page (or the API), through member_transfer

    def has_change_permission(self, request, obj=None):
        return False  # decided only through the steps

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BenefitMerchant)
class BenefitMerchantAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "discount", "town", "valid_from", "valid_until", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    list_select_related = ("town",)
    scoped_foreign_keys = ("town",)

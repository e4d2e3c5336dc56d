"""Staff screens of volunteer service: teams, volunteers, activities, the verification queue per team,
sign-ups, star levels and training, and the hours spreadsheet for funding.

Lists are scoped (``visible_to``); states move only through actions that call :mod:`volunteers.services`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.accounts.roles import Role
from union_portal.core.admin import ReasonForm, ScopedAdminMixin, action_page, report_each
from union_portal.core.errors import apply_each
from union_portal.core.record_steps import ConfirmForm, RecordStep, RecordStepsAdminMixin
from union_portal.imports.admin import ImportAdminMixin

from . import selectors, services
from .models import (
    Activity,
    ActivityStatus,
    HonourRecommendation,
    RecordStatus,
    ServiceRecord,
    Signup,
    StarLevelEvent,
    Team,
    TeamMembership,
    TrainingAttendance,
    TrainingSession,
    Volunteer,
)


class ReadOnlyAdminMixin:
    """Rows written only by the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- teams ---------------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    fields = ("volunteer", "joined_on", "ended_on")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "organisation", "parent", "leader_names", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("organisation", "parent")
    search_fields = ("name",)
    scoped_foreign_keys = ("organisation", "parent")
    filter_horizontal = ("leaders",)
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("leaders")

    @admin.display(description=_("leaders"))
    def leader_names(self, obj):
        return "、".join(str(u) for u in obj.leaders.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "leaders":
            from union_portal.accounts.models import User

            kwargs["queryset"] = User.objects.filter(groups__name=Role.VOLUNTEER_LEADER, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- volunteers ----------------------------------------------------------------------------------


class JoinTeamForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user).filter(is_active=True)


class VolunteerForm(forms.ModelForm):
    """The admin's volunteer form; a person who is not a member is registered with their ID number."""

    id_card_number = forms.CharField(
        label=_("resident ID number"),
        max_length=25,
        required=False,
        help_text=_("For a person who is not a member (ID card seen): kept encrypted, shown masked."),
    )

    class Meta:
        model = Volunteer
        fields = (
            "member", "name", "mobile", "organisation", "skills", "availability", "emergency_contact",
            "emergency_phone", "status",
        )  # fmt: skip

    def _post_clean(self):
        pass  # checked by the services


@admin.register(Volunteer)
class VolunteerAdmin(ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = VolunteerForm
    import_kind = "volunteers"
    list_display = ("masked", "organisation", "status", "verified_hours", "star_level", "registered_on")
    list_filter = ("status", "star_level")
    list_select_related = ("organisation",)
    search_fields = ("name",)
    scoped_foreign_keys = ("member", "organisation")
    autocomplete_fields = ("member",)  # a picker, not a list of every member; masked (choice_label)
    raw_id_fields = ("member",)
    readonly_fields = ("user", "verified_hours", "star_level", "registered_on")
    inlines = (MembershipInline,)
    actions = ("join_team",)
    history_hidden_fields = ("mobile", "emergency_phone", "id_number", "id_number_hash")
    show_full_result_count = False

    @admin.display(description=_("name"), ordering="name")
    def masked(self, obj):
        return obj.masked_name

    @admin.display(description=_("resident ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number or (obj.member.masked_id_number if obj.member_id else "")

    @admin.display(description=_("mobile verified at"))
    def mobile_verified(self, obj):
        return obj.mobile_verified_at or "-"

    def get_fields(self, request, obj=None):
        editable = ("skills", "availability", "emergency_contact", "emergency_phone", "status")
        if obj is None:
            return ("member", "name", "id_card_number", "mobile", "organisation", *editable)
        return (
            "member", "name", "masked_id", "mobile_verified", "organisation", *self.readonly_fields, *editable,
        )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "member", "name", "organisation", "masked_id", "mobile_verified")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "status" in form.changed_data:
                services.volunteer_set_status(volunteer=obj, by=request.user, status=data["status"])
            obj.save(update_fields=["skills", "availability", "emergency_contact", "emergency_phone"])
            return
        details = {
            "skills": data.get("skills", ""),
            "availability": data.get("availability", ""),
            "emergency_contact": data.get("emergency_contact", ""),
            "emergency_phone": data.get("emergency_phone", ""),
        }
        if data.get("member") is not None:
            created = services.volunteer_register(by=request.user, member=data["member"], **details)
        else:
            created = services.volunteer_register_person(
                by=request.user,
                name=data.get("name", ""),
                id_number=data.get("id_card_number", ""),
                mobile=data.get("mobile", ""),
                organisation=data.get("organisation"),
                **details,
            )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    @admin.action(description=_("Add to a team…"), permissions=["change"])
    def join_team(self, request, queryset):
        form = JoinTeamForm(request.POST if "confirm" in request.POST else None, user=request.user)
        if form.is_valid():
            done, failed = apply_each(
                services.team_join,
                queryset.order_by("pk"),
                arg="volunteer",
                by=request.user,
                team=form.cleaned_data["team"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "join_team", _("Add to a team"))

    # --- the hours spreadsheet (funding follows verified hours) ---------------------------------

    def get_urls(self):
        return [
            path("hours/", self.admin_site.admin_view(self.hours_view), name="volunteers_volunteer_hours"),
            path(
                "ranking/", self.admin_site.admin_view(self.ranking_view), name="volunteers_volunteer_ranking"
            ),
            *super().get_urls(),
        ]

    def ranking_view(self, request):
        """The ranking of verified hours of a year (in the user's subtree), and recommending the
        outstanding volunteers for honours from it."""
        from django.contrib import messages
        from django.shortcuts import get_object_or_404, redirect
        from django.template.response import TemplateResponse

        from union_portal.core.errors import ApplicationError

        if not request.user.has_perm("volunteers.view_volunteer"):
            raise PermissionDenied
        form = RankingForm(request.GET or None, user=request.user)
        year, team = timezone.localdate().year, None
        if form.is_valid():
            year, team = int(form.cleaned_data["year"]), form.cleaned_data["team"]
        if request.method == "POST":
            recommend = RecommendForm(request.POST)
            if recommend.is_valid():
                volunteer = get_object_or_404(
                    selectors.volunteer_list(viewer=request.user), pk=recommend.cleaned_data["volunteer"]
                )
                try:
                    services.honour_recommend(
                        volunteer=volunteer,
                        year=year,
                        by=request.user,
                        reason=recommend.cleaned_data["reason"],
                    )
                except ApplicationError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(
                        request,
                        _("%(name)s is recommended for %(year)s.") % {"name": volunteer, "year": year},
                    )
            else:
                messages.error(request, _("Give the reasons for the recommendation."))
            return redirect(request.get_full_path())
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        rows = selectors.ranking(viewer=request.user, start=start, end=end, team=team)[:RANKING_SIZE]
        return TemplateResponse(
            request,
            "admin/volunteers/ranking.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "rows": rows,
                "year": year,
                "may_recommend": request.user.has_perm("volunteers.recommend_volunteer"),
                "title": _("Ranking of verified hours"),
                "opts": self.model._meta,
            },
        )

    def hours_view(self, request):
        """Verified hours per volunteer (or per team) in a period, as a spreadsheet."""
        if not request.user.has_perm("volunteers.export_hours"):
            raise PermissionDenied
        form = HoursForm(request.GET or None)
        if not form.is_valid():
            from django.template.response import TemplateResponse

            return TemplateResponse(
                request,
                "admin/volunteers/hours.html",
                {
                    **self.admin_site.each_context(request),
                    "form": form,
                    "title": _("Verified hours for a period"),
                    "opts": self.model._meta,
                },
            )
        return hours_spreadsheet(request.user, **form.cleaned_data)


#: The ranking page lists this many volunteers.
RANKING_SIZE = 100


def _years():
    this = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this, this - 6, -1)]


class RankingForm(forms.Form):
    year = forms.ChoiceField(label=_("year"), choices=_years)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user)


class RecommendForm(forms.Form):
    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reasons for the recommendation"), max_length=2000)


class HoursForm(forms.Form):
    start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("until"), widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=_("per"),
        choices=[("volunteer", _("volunteer")), ("team", _("team")), ("partner", _("partner organisation"))],
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period cannot end before it starts."))
        return data


def hours_spreadsheet(viewer, *, start: dt.date, end: dt.date, by: str) -> HttpResponse:
    import tablib

    from union_portal.core.spreadsheets import escape_formula

    if by == "partner":
        sheet = tablib.Dataset(
            headers=[
                str(_("partner organisation")),
                str(_("verified hours")),
                str(_("records")),
                str(_("volunteers")),
                str(_("activities")),
            ]
        )
        for row in selectors.hours_per_partner(viewer=viewer, start=start, end=end):
            sheet.append(
                [
                    escape_formula(row["partner"] or str(_("(no partner: the team itself)"))),
                    row["hours"],
                    row["records"],
                    row["volunteers"],
                    row["activities"],
                ]
            )
    elif by == "team":
        sheet = tablib.Dataset(
            headers=[
                str(_("team")),
                str(_("organisation")),
                str(_("verified hours")),
                str(_("records")),
                str(_("volunteers")),
            ]
        )
        for team in selectors.hours_per_team(viewer=viewer, start=start, end=end):
            sheet.append(
                [
                    escape_formula(team.name),
                    escape_formula(team.organisation.name),
                    team.period_hours,
                    team.period_records,
                    team.period_volunteers,
                ]
            )
    else:
        sheet = tablib.Dataset(
            headers=[
                str(_("name")),
                str(_("organisation")),
                str(_("verified hours")),
                str(_("activities")),
                str(_("star level")),
            ]
        )
        for v in selectors.hours_per_volunteer(viewer=viewer, start=start, end=end):
            sheet.append(
                [
                    escape_formula(v.name),
                    escape_formula(v.organisation.name),
                    v.period_hours,
                    v.period_activities,
                    v.star_level,
                ]
            )
    response = HttpResponse(
        sheet.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{by}-{start}-{end}.xlsx"'
    return response


# --- activities ----------------------------------------------------------------------------------


class SignupInline(admin.TabularInline):
    model = Signup
    fields = ("volunteer", "status", "created_at", "promoted_at", "cancelled_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("pk",)

    def has_add_permission(self, request, obj=None):
        return False


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = (
            "team", "title", "category", "town", "place", "partner", "starts_at", "ends_at", "capacity",
            "signup_opens_at", "signup_closes_at", "description",
        )  # fmt: skip

    def _post_clean(self):
        pass  # checked by activity_save


#: The activity's moves as buttons on its page (union_portal.core.record_steps): the services of the actions.
ACTIVITY_STEPS = (
    RecordStep("publish", _("Publish (open for sign-up)"), "volunteers.change_activity", (ActivityStatus.DRAFT,),
               lambda *, request, obj, data: services.activity_publish(activity=obj, by=request.user), ConfirmForm),
    RecordStep("finish", _("Finish (after the end)"), "volunteers.change_activity",
               (ActivityStatus.OPEN, ActivityStatus.FULL, ActivityStatus.RUNNING),
               lambda *, request, obj, data: services.activity_finish(activity=obj, by=request.user), ConfirmForm),
    RecordStep("cancel", _("Cancel the activity"), "volunteers.change_activity",
               (ActivityStatus.DRAFT, ActivityStatus.OPEN, ActivityStatus.FULL),
               lambda *, request, obj, data: services.activity_cancel(activity=obj, by=request.user, reason=data["reason"]),
               ReasonForm, style="danger"),
)  # fmt: skip


@admin.register(Activity)
class ActivityAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = ActivityForm
    list_display = ("title", "team", "category", "starts_at", "status", "places", "town")
    list_filter = ("status", "category", "team", "partner")
    list_select_related = ("team", "town")
    search_fields = ("title", "place")
    date_hierarchy = "starts_at"
    scoped_foreign_keys = ("team", "town")
    readonly_fields = ("status", "confirmed_count", "cancel_reason", "created_by")
    inlines = (SignupInline,)
    actions = ("publish_selected", "cancel_selected", "finish_selected")
    record_steps = ACTIVITY_STEPS
    record_state_field = "status"

    def record_step_summary(self, request, obj):
        return [
            (_("team"), obj.team), (_("starts at"), obj.starts_at), (_("ends at"), obj.ends_at),
            (_("status"), obj.get_status_display()), (_("places"), self.places(obj)),
        ]  # fmt: skip

    @admin.display(description=_("places"))
    def places(self, obj):
        return f"{obj.confirmed_count}/{obj.capacity}"

    def save_model(self, request, obj, form, change):
        saved = services.activity_save(activity=obj, by=request.user)
        obj.pk = saved.pk

    @admin.action(description=_("Publish (open for sign-up)"), permissions=["change"])
    def publish_selected(self, request, queryset):
        report_each(
            self,
            request,
            *apply_each(services.activity_publish, queryset.order_by("pk"), arg="activity", by=request.user),
        )

    @admin.action(description=_("Finish (after the end)"), permissions=["change"])
    def finish_selected(self, request, queryset):
        report_each(
            self,
            request,
            *apply_each(services.activity_finish, queryset.order_by("pk"), arg="activity", by=request.user),
        )

    @admin.action(description=_("Cancel…"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                services.activity_cancel,
                queryset.order_by("pk"),
                arg="activity",
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "cancel_selected", _("Cancel activities"))


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("volunteer", "activity", "status", "created_at", "promoted_at")
    list_filter = ("status",)
    list_select_related = ("volunteer", "activity")
    search_fields = ("activity__title",)


# --- service records: the verification queue ------------------------------------------------------


class PendingFirst(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        from .models import RecordStatus

        return RecordStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


#: The verification as buttons on the record's page (union_portal.core.record_steps).
RECORD_STEPS = (
    RecordStep("verify", _("Verify the hours"), "volunteers.verify_servicerecord", (RecordStatus.PENDING,),
               lambda *, request, obj, data: services.record_verify(record=obj, by=request.user), ConfirmForm),
    RecordStep("reject", _("Reject the hours"), "volunteers.verify_servicerecord", (RecordStatus.PENDING,),
               lambda *, request, obj, data: services.record_reject(record=obj, by=request.user, reason=data["reason"]),
               ReasonForm, style="danger"),
    RecordStep("unverify", _("Take verified hours back"), "volunteers.verify_servicerecord", (RecordStatus.VERIFIED,),
               lambda *, request, obj, data: services.record_unverify(record=obj, by=request.user, reason=data["reason"]),
               ReasonForm, style="danger"),
)  # fmt: skip


@admin.register(ServiceRecord)
class ServiceRecordAdmin(RecordStepsAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("volunteer", "activity", "team", "started_at", "ended_at", "hours", "status", "source")
    list_filter = (PendingFirst, "activity__team", "source")
    list_select_related = ("volunteer", "activity__team")
    search_fields = ("activity__title",)
    actions = ("verify_selected", "reject_selected", "unverify_selected")
    show_full_result_count = False
    record_steps = RECORD_STEPS
    record_state_field = "status"

    def record_step_summary(self, request, obj):
        return [
            (_("volunteer"), obj.volunteer), (_("activity"), obj.activity), (_("from"), obj.started_at),
            (_("until"), obj.ended_at), (_("hours"), obj.hours), (_("status"), obj.get_status_display()),
        ]  # fmt: skip

    @admin.display(description=_("team"))
    def team(self, obj):
        return obj.activity.team

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("volunteers.verify_servicerecord"):
            for name in ("verify_selected", "reject_selected", "unverify_selected"):
                actions.pop(name, None)
        return actions

    @admin.action(description=_("Verify the hours"))
    def verify_selected(self, request, queryset):
        report_each(
            self,
            request,
            *apply_each(services.record_verify, queryset.order_by("pk"), arg="record", by=request.user),
        )

    @admin.action(description=_("Reject the hours…"))
    def reject_selected(self, request, queryset):
        return self._with_reason(
            request, queryset, services.record_reject, "reject_selected", _("Reject hours")
        )

    @admin.action(description=_("Take verified hours back…"))
    def unverify_selected(self, request, queryset):
        return self._with_reason(
            request, queryset, services.record_unverify, "unverify_selected", _("Take hours back")
        )

    def _with_reason(self, request, queryset, service, action, title):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                service,
                queryset.order_by("pk"),
                arg="record",
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, action, title)


@admin.register(HonourRecommendation)
class HonourRecommendationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Recommendations are made from the ranking page (``volunteer/ranking/``); here they are listed
    and withdrawn with a reason."""

    list_display = ("volunteer", "year", "hours", "rank", "status", "recommended_by", "recommended_at")
    list_filter = ("year", "status")
    list_select_related = ("volunteer", "recommended_by")
    actions = ("withdraw_selected",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("volunteers.recommend_volunteer"):
            actions.pop("withdraw_selected", None)
        return actions

    @admin.action(description=_("Withdraw the recommendation…"))
    def withdraw_selected(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                services.honour_withdraw,
                queryset.order_by("pk"),
                arg="recommendation",
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "withdraw_selected", _("Withdraw recommendations"))


@admin.register(StarLevelEvent)
class StarLevelEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("volunteer", "level", "change", "hours", "at")
    list_filter = ("change", "level")
    list_select_related = ("volunteer",)


# --- training ------------------------------------------------------------------------------------


class AttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    fields = ("volunteer",)
    raw_id_fields = ("volunteer",)
    extra = 3
    can_delete = False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "volunteer":
            kwargs["queryset"] = Volunteer.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TrainingSession)
class TrainingSessionAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("title", "team", "held_on", "hours", "trainee_count")
    list_filter = ("team",)
    list_select_related = ("team",)
    date_hierarchy = "held_on"
    scoped_foreign_keys = ("team",)
    inlines = (AttendanceInline,)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_trainees=Count("attendance"))

    @admin.display(description=_("trainees"), ordering="n_trainees")
    def trainee_count(self, obj):
        return obj.n_trainees

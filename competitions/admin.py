"""Staff screens of contests and honours: setup, judges, results, nominations, the register, care.

Lists are scoped (``visible_to``); saves and actions call :mod:`competitions.services`; workflow
fields are read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import Member
from union_portal.core.admin import ReasonForm, ScopedAdminMixin, action_page, report_each, run_service
from union_portal.core.errors import ApplicationError, apply_each
from union_portal.core.record_steps import ConfirmForm, NoteForm, RecordStep, RecordStepsAdminMixin
from union_portal.imports.admin import ImportAdminMixin

from . import services
from .models import (
    ActiveState,
    CareRecord,
    Contest,
    Criterion,
    Entry,
    EntryState,
    Grade,
    Honour,
    HonourTitle,
    Judge,
    Mark,
    MentorPair,
    Nomination,
    NominationRound,
    NominationState,
    NominationStep,
    Objection,
    ObjectionState,
    RoundStatus,
    ScoreSheet,
    Studio,
    StudioProject,
)


def _each(modeladmin, request, service, queryset, arg, **kwargs):
    done, failed = apply_each(service, queryset.order_by("pk"), arg=arg, by=request.user, **kwargs)
    report_each(modeladmin, request, done, failed)


def _adopt(obj, created) -> None:
    """After a service made the row, the admin continues with it (its redirect needs the pk)."""
    obj.pk = created.pk
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})


# --- contests -------------------------------------------------------------------------------------------


class ContestForm(forms.ModelForm):
    scheme = forms.CharField(
        label=_("scoring scheme"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One criterion a line: part|weight %|criterion|maximum marks, e.g. practical|70|操作规范|60. "
            "Parts: theory, practical, project. Fixed once registration opens."
        ),
    )

    class Meta:
        model = Contest
        fields = (
            "name", "kind", "occupation", "level", "year", "organisation", "entry_kind", "team_min", "team_max",
            "registration_opens_on", "registration_closes_on", "held_on", "description", "trim_extremes",
            "trim_min_judges", "quota_first", "quota_second", "quota_third", "quota_excellent", "next_contest",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            rows = Criterion.objects.filter(part__contest=self.instance).select_related("part")
            self.fields["scheme"].initial = "\n".join(
                f"{c.part.kind}|{c.part.weight.normalize()}|{c.name}|{c.max_marks.normalize()}" for c in rows
            )

    def clean_scheme(self):
        parts: dict[str, dict] = {}
        for number, line in enumerate(self.cleaned_data["scheme"].splitlines(), start=1):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("|")]
            if len(cells) != 4:
                raise forms.ValidationError(
                    _("Line %(n)d: write part|weight|criterion|maximum.") % {"n": number}
                )
            kind, weight, name, maximum = cells
            part = parts.setdefault(kind, {"kind": kind, "weight": weight, "criteria": []})
            part["criteria"].append({"name": name, "max_marks": maximum})
        return list(parts.values())


class ContestAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = ContestForm
    list_display = (
        "name", "kind", "occupation", "level", "year", "organisation", "entry_kind",
        "registration_opens_on", "registration_closes_on", "status",
    )  # fmt: skip
    list_filter = ("status", "kind", "level", "entry_kind", "year")
    list_select_related = ("organisation",)
    search_fields = ("name", "occupation")
    scoped_foreign_keys = ("organisation", "next_contest")
    readonly_fields = ("status", "results_computed_at", "published_at")
    actions = ("open_registration", "start_judging", "assign_judges", "compute_results", "publish", "advance")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        services.contest_save(contest=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "scheme" in form.changed_data or (not change and form.cleaned_data.get("scheme")):
            services.scheme_set(contest=form.instance, by=request.user, parts=form.cleaned_data["scheme"])

    @admin.action(description=_("Open registration"), permissions=["change"])
    def open_registration(self, request, queryset):
        _each(self, request, services.contest_open, queryset, "contest")

    @admin.action(description=_("Close registration and start judging"), permissions=["change"])
    def start_judging(self, request, queryset):
        _each(self, request, services.contest_close_registration, queryset, "contest")

    @admin.action(description=_("Assign judges to every entry…"), permissions=["change"])
    def assign_judges(self, request, queryset):
        class JudgesForm(forms.Form):
            judges = forms.ModelMultipleChoiceField(
                label=_("judges"), queryset=Judge.objects.visible_to(request.user).filter(is_active=True)
            )

        form = JudgesForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            for contest in queryset.order_by("pk"):
                result = run_service(
                    self, request, services.judges_assign_all, contest=contest,
                    judges=form.cleaned_data["judges"], by=request.user,
                )  # fmt: skip
                if result:
                    self.message_user(
                        request,
                        _("%(contest)s: %(made)d sheets; %(skipped)d skipped for a conflict of interest.")
                        % {"contest": contest, "made": result[0], "skipped": result[1]},
                    )
            return None
        return action_page(self, request, queryset, form, "assign_judges", _("Assign judges"))

    def has_publish_permission(self, request):
        return request.user.has_perm("competitions.publish_contest")

    @admin.action(description=_("Compute results"), permissions=["publish"])
    def compute_results(self, request, queryset):
        _each(self, request, services.contest_compute_results, queryset, "contest")

    @admin.action(description=_("Publish results and issue certificates"), permissions=["publish"])
    def publish(self, request, queryset):
        _each(self, request, services.contest_publish, queryset, "contest")

    @admin.action(
        description=_("Enter first-prize winners into the next level's contest"), permissions=["change"]
    )
    def advance(self, request, queryset):
        _each(self, request, services.contest_advance_winners, queryset, "contest")


admin.site.register(Contest, ContestAdmin)


class EntryAddForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = ("contest", "member", "team_name", "project_title", "practical_seconds")


#: The workflow steps as buttons on the records' pages (union_portal.core.record_steps); the services of
#: the bulk actions below.
ENTRY_STEPS = (
    RecordStep("disqualify", _("Disqualify"), "competitions.publish_contest", (EntryState.REGISTERED,),
               lambda *, request, obj, data: services.entry_disqualify(entry=obj, by=request.user, reason=data["reason"]),
               ReasonForm, style="danger"),
)  # fmt: skip


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("resolution"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


def _review_step(shortlist: bool):
    def run(*, request, obj, data):
        note = data.get("note", data.get("reason", ""))
        return services.nomination_review(nomination=obj, by=request.user, shortlist=shortlist, note=note)

    return run


def _resolve_step(upheld: bool):
    def run(*, request, obj, data):
        return services.objection_resolve(
            objection=obj, by=request.user, upheld=upheld, resolution=data["resolution"]
        )

    return run


NOMINATION_STEPS = (
    RecordStep("shortlist", _("Shortlist"), "competitions.review_nomination",
               (NominationState.SUBMITTED, NominationState.REJECTED), _review_step(True), NoteForm),
    RecordStep("reject", _("Do not shortlist"), "competitions.review_nomination",
               (NominationState.SUBMITTED, NominationState.SHORTLISTED), _review_step(False), ReasonForm, style="danger"),
    RecordStep("withdraw", _("Withdraw"), "competitions.add_nomination",
               (NominationState.SUBMITTED, NominationState.SHORTLISTED),
               lambda *, request, obj, data: services.nomination_withdraw(nomination=obj, by=request.user, note=data["note"]),
               NoteForm, style="danger"),
)  # fmt: skip
ROUND_STEPS = (
    RecordStep("publicity", _("Announce the shortlist (public notice)"), "competitions.confer_nominationround",
               (RoundStatus.OPEN, RoundStatus.REVIEW),
               lambda *, request, obj, data: services.round_start_publicity(round_=obj, by=request.user), ConfirmForm),
    RecordStep("confer", _("Conclude: confer the titles"), "competitions.confer_nominationround",
               (RoundStatus.PUBLICITY,),
               lambda *, request, obj, data: services.round_conclude(round_=obj, by=request.user), ConfirmForm),
)  # fmt: skip
OBJECTION_STEPS = (
    RecordStep("uphold", _("Uphold (stops the nomination)"), "competitions.resolve_objection",
               (ObjectionState.OPEN,), _resolve_step(True), ResolutionForm, style="danger"),
    RecordStep("dismiss", _("Dismiss"), "competitions.resolve_objection", (ObjectionState.OPEN,), _resolve_step(False),
               ResolutionForm),
)  # fmt: skip
MENTOR_PAIR_STEPS = (
    RecordStep("end", _("Record the outcome and end the pair"), "competitions.change_mentorpair",
               (ActiveState.ACTIVE,),
               lambda *, request, obj, data: services.mentor_pair_conclude(pair=obj, by=request.user, outcome=data["outcome"]),
               OutcomeForm),
)  # fmt: skip


class EntryAdmin(RecordStepsAdminMixin, ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    import_kind = "contest_results"  # past results, into a contest being prepared (then published)
    list_display = (
        "contest", "number", "contestant", "union", "state", "theory_score", "practical_score", "total",
        "rank", "prize", "grade",
    )  # fmt: skip
    list_filter = ("state", "prize", "grade", "contest__status", "contest__year")
    list_select_related = ("contest", "member", "union")
    search_fields = ("team_name", "project_title", "contest__name", "member__name")
    raw_id_fields = ("member",)
    scoped_foreign_keys = ("contest",)
    actions = ("disqualify", "set_grade")
    show_full_result_count = False
    record_steps = ENTRY_STEPS

    @admin.display(description=_("contestant"))
    def contestant(self, obj):
        return obj.display_name

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EntryAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "contest", "number", "member", "team_name", "project_title", "enterprise", "union", "state",
            "state_reason", "theory_score", "practical_score", "total", "rank", "prize", "grade", "advanced_to",
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "practical_seconds" in form.changed_data:
                services.entry_set_practical_time(
                    entry=obj, by=request.user, seconds=data["practical_seconds"]
                )
            return
        member = data["member"]
        if not Member.objects.visible_to(request.user).filter(pk=member.pk).exists():
            raise ApplicationError(_("This member is outside your organisation."), field="member")
        created = services.entry_register(
            contest=data["contest"], member=member, by=request.user, team_name=data.get("team_name", ""),
            project_title=data.get("project_title", ""), practical_seconds=data.get("practical_seconds"),
        )  # fmt: skip
        _adopt(obj, created)

    def has_publish_permission(self, request):
        return request.user.has_perm("competitions.publish_contest")

    @admin.action(description=_("Disqualify…"), permissions=["publish"])
    def disqualify(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            _each(
                self,
                request,
                services.entry_disqualify,
                queryset,
                "entry",
                reason=form.cleaned_data["reason"],
            )
            return None
        return action_page(self, request, queryset, form, "disqualify", _("Disqualify entries"))

    @admin.action(description=_("Grade projects (innovation contests)…"), permissions=["publish"])
    def set_grade(self, request, queryset):
        class GradeForm(forms.Form):
            grade = forms.ChoiceField(label=_("grade"), choices=[c for c in Grade.choices if c[0]])

        form = GradeForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            _each(
                self, request, services.entry_set_grade, queryset, "entry", grade=form.cleaned_data["grade"]
            )
            return None
        return action_page(self, request, queryset, form, "set_grade", _("Grade projects"))


admin.site.register(Entry, EntryAdmin)


class JudgeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "organisation", "enterprise", "speciality", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("organisation", "enterprise")
    search_fields = ("name", "speciality")
    raw_id_fields = ("user",)
    scoped_foreign_keys = ("organisation", "enterprise")

    def save_model(self, request, obj, form, change):
        services.judge_save(judge=obj, by=request.user)


admin.site.register(Judge, JudgeAdmin)


class MarkInline(admin.TabularInline):
    model = Mark
    fields = ("criterion", "marks", "max_marks")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScoreSheetAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("entry", "judge", "state", "submitted_at", "reopen_count")
    list_filter = ("state", "entry__contest__status")
    list_select_related = ("entry__contest", "entry__member", "judge")
    search_fields = ("entry__contest__name", "judge__name")
    readonly_fields = (
        "entry", "judge", "state", "assigned_at", "submitted_at", "reopen_count", "last_reopen_reason",
    )  # fmt: skip
    inlines = (MarkInline,)
    actions = ("reopen",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # a sheet is made by assigning a judge (the contest's action, the API)

    def has_reopen_permission(self, request):
        return request.user.has_perm("competitions.reopen_scoresheet")

    @admin.action(description=_("Reopen for the judge to correct…"), permissions=["reopen"])
    def reopen(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            _each(self, request, services.sheet_reopen, queryset, "sheet", reason=form.cleaned_data["reason"])
            return None
        return action_page(self, request, queryset, form, "reopen", _("Reopen score sheets"))


admin.site.register(ScoreSheet, ScoreSheetAdmin)


# --- honours --------------------------------------------------------------------------------------------


class HonourTitleAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "level", "holder_kind", "organisation", "is_model_worker", "is_active")
    list_filter = ("level", "holder_kind", "is_active")
    list_select_related = ("organisation",)
    search_fields = ("name",)
    scoped_foreign_keys = ("organisation",)

    def save_model(self, request, obj, form, change):
        services.title_save(title=obj, by=request.user)


admin.site.register(HonourTitle, HonourTitleAdmin)


class NominationRoundAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "name", "year", "organisation", "nominations_close_on", "status", "publicity_starts_on", "publicity_ends_on",
    )  # fmt: skip
    list_filter = ("status", "year")
    list_select_related = ("organisation",)
    scoped_foreign_keys = ("organisation",)
    readonly_fields = ("status", "publicity_starts_on", "publicity_ends_on", "concluded_on")
    actions = ("start_publicity", "conclude")
    record_steps = ROUND_STEPS
    record_state_field = "status"

    def save_model(self, request, obj, form, change):
        services.round_save(round_=obj, by=request.user)

    def has_confer_permission(self, request):
        return request.user.has_perm("competitions.confer_nominationround")

    @admin.action(description=_("Announce the shortlist (public notice)"), permissions=["confer"])
    def start_publicity(self, request, queryset):
        _each(self, request, services.round_start_publicity, queryset, "round_")

    @admin.action(description=_("Conclude: confer the titles"), permissions=["confer"])
    def conclude(self, request, queryset):
        _each(self, request, services.round_conclude, queryset, "round_")


admin.site.register(NominationRound, NominationRoundAdmin)


class NominationStepInline(admin.TabularInline):
    model = NominationStep
    fields = ("at", "from_state", "to_state", "by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class NominationAddForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ("round", "title", "union", "member", "holder_name", "enterprise", "deeds")


class NominationAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("title", "masked_holder_name", "union", "round", "state", "submitted_at")
    list_filter = ("state", "holder_kind", "round__year", "title__level")
    list_select_related = ("title", "union", "round")
    search_fields = ("holder_name", "title__name")
    raw_id_fields = ("member",)
    scoped_foreign_keys = ("round", "title", "union", "enterprise")
    inlines = (NominationStepInline,)
    actions = ("shortlist", "reject", "withdraw")
    show_full_result_count = False
    record_steps = NOMINATION_STEPS

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = NominationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "round",
            "title",
            "holder_kind",
            "member",
            "holder_name",
            "union",
            "enterprise",
            "deeds",
            "state",
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = services.nomination_submit(
            round_=data["round"], title=data["title"], union=data["union"], by=request.user, deeds=data["deeds"],
            member=data.get("member"), holder_name=data.get("holder_name", ""), enterprise=data.get("enterprise"),
        )  # fmt: skip
        _adopt(obj, created)

    def has_review_permission(self, request):
        return request.user.has_perm("competitions.review_nomination")

    @admin.action(description=_("Shortlist"), permissions=["review"])
    def shortlist(self, request, queryset):
        _each(self, request, services.nomination_review, queryset, "nomination", shortlist=True)

    @admin.action(description=_("Do not shortlist…"), permissions=["review"])
    def reject(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            _each(
                self, request, services.nomination_review, queryset, "nomination",
                shortlist=False, note=form.cleaned_data["reason"],
            )  # fmt: skip
            return None
        return action_page(self, request, queryset, form, "reject", _("Do not shortlist"))

    @admin.action(description=_("Withdraw"), permissions=["add"])
    def withdraw(self, request, queryset):
        _each(self, request, services.nomination_withdraw, queryset, "nomination")


admin.site.register(Nomination, NominationAdmin)


class ObjectionAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("nomination", "received_on", "state", "resolved_at")
    list_filter = ("state",)
    list_select_related = ("nomination__title",)
    scoped_foreign_keys = ("nomination",)
    raw_id_fields = ("nomination",)
    actions = ("uphold", "dismiss")
    record_steps = OBJECTION_STEPS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("state", "resolution")
        return ("nomination", "received_on", "raised_by", "content", "state", "resolution", "resolved_at")

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = services.objection_record(
            nomination=data["nomination"], by=request.user, content=data["content"],
            raised_by=data.get("raised_by", ""), received_on=data["received_on"],
        )  # fmt: skip
        _adopt(obj, created)

    def has_resolve_permission(self, request):
        return request.user.has_perm("competitions.resolve_objection")

    def _resolve(self, request, queryset, upheld: bool, action: str, title):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            _each(
                self, request, services.objection_resolve, queryset, "objection",
                upheld=upheld, resolution=form.cleaned_data["reason"],
            )  # fmt: skip
            return None
        return action_page(self, request, queryset, form, action, title)

    @admin.action(description=_("Uphold (stops the nomination)…"), permissions=["resolve"])
    def uphold(self, request, queryset):
        return self._resolve(request, queryset, True, "uphold", _("Uphold objections"))

    @admin.action(description=_("Dismiss…"), permissions=["resolve"])
    def dismiss(self, request, queryset):
        return self._resolve(request, queryset, False, "dismiss", _("Dismiss objections"))


admin.site.register(Objection, ObjectionAdmin)


class CareInline(admin.TabularInline):
    model = CareRecord
    fields = ("kind", "on", "amount", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class HonourAdmin(ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    import_kind = "honours"  # honours conferred before the portal
    list_display = ("title", "masked_holder_name", "holder_kind", "organisation", "conferred_on", "status")
    list_filter = ("status", "holder_kind", "title__level", "title")
    list_select_related = ("title", "organisation")
    search_fields = ("holder_name", "title__name")
    raw_id_fields = ("member",)
    scoped_foreign_keys = ("title", "organisation")
    inlines = (CareInline,)
    actions = ("revoke",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("status",)
        return (
            "title",
            "holder_kind",
            "member",
            "holder_name",
            "organisation",
            "conferred_on",
            "status",
            "revoke_reason",
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = services.honour_record(
            title=data["title"], by=request.user, organisation=data["organisation"],
            conferred_on=data["conferred_on"], member=data.get("member"), holder_name=data.get("holder_name", ""),
        )  # fmt: skip
        _adopt(obj, created)

    @admin.action(description=_("Revoke…"), permissions=["change"])
    def revoke(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            _each(
                self, request, services.honour_revoke, queryset, "honour", reason=form.cleaned_data["reason"]
            )
            return None
        return action_page(self, request, queryset, form, "revoke", _("Revoke honours"))


admin.site.register(Honour, HonourAdmin)


class CareRecordAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("honour", "kind", "on", "amount", "note")
    list_filter = ("kind",)
    list_select_related = ("honour__title",)
    raw_id_fields = ("honour",)
    date_hierarchy = "on"

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("honour", "kind", "on", "amount", "note")

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = services.care_record(
            honour=data["honour"], by=request.user, kind=data["kind"], on=data["on"], amount=data.get("amount"),
            note=data.get("note", ""),
        )  # fmt: skip
        _adopt(obj, created)


admin.site.register(CareRecord, CareRecordAdmin)


class StudioProjectInline(admin.TabularInline):
    model = StudioProject
    fields = ("title", "started_on", "finished_on", "result")
    extra = 0
    can_delete = False


class StudioAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "namesake_name", "organisation", "founded_on", "status")
    list_filter = ("kind", "status")
    list_select_related = ("organisation",)
    search_fields = ("name", "namesake_name")
    raw_id_fields = ("namesake",)
    scoped_foreign_keys = ("organisation", "enterprise")
    inlines = (StudioProjectInline,)

    def save_model(self, request, obj, form, change):
        services.studio_save(studio=obj, by=request.user)


admin.site.register(Studio, StudioAdmin)


class MentorPairAdmin(RecordStepsAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "occupation", "organisation", "starts_on", "ends_on", "status")
    list_filter = ("status",)
    list_select_related = ("organisation", "mentor", "apprentice")
    raw_id_fields = ("mentor", "apprentice")
    scoped_foreign_keys = ("organisation",)

    actions = ("conclude",)
    record_steps = MENTOR_PAIR_STEPS
    record_state_field = "status"

    def get_readonly_fields(self, request, obj=None):
        return ("status",) if obj is None or obj.status == "active" else ("status", "outcome")

    def save_model(self, request, obj, form, change):
        services.mentor_pair_save(pair=obj, by=request.user)

    @admin.action(description=_("Record the outcome and end the pair…"), permissions=["change"])
    def conclude(self, request, queryset):
        form = OutcomeForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            _each(
                self,
                request,
                services.mentor_pair_conclude,
                queryset,
                "pair",
                outcome=form.cleaned_data["outcome"],
            )
            return None
        return action_page(self, request, queryset, form, "conclude", _("End mentor pairs"))


admin.site.register(MentorPair, MentorPairAdmin)

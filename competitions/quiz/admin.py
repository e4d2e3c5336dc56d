"""Staff screens of the knowledge quiz: quizzes, banks and questions, participants and attempts (read
only), months with their prize tiers, the prize list and its export, participation by union.

Rows are scoped (``visible_to``); questions are written, retired and restored through
:mod:`competitions.quiz.services`; scores and prizes are never edited by hand.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ScopedAdminMixin, report_each, run_service
from union_portal.core.errors import ApplicationError
from union_portal.core.figures import figures_scope
from union_portal.core.models import AccessLog, log_access
from union_portal.core.spreadsheets import spreadsheet_response
from union_portal.imports.admin import ImportAdminMixin

from . import selectors, services
from .models import (
    Attempt,
    AttemptQuestion,
    Participant,
    Prize,
    PrizeTier,
    Question,
    QuestionBank,
    QuestionStatus,
    Quiz,
    QuizMonth,
)

LETTERS = "ABCDEF"


@admin.register(Quiz)
class QuizAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "organisation", "status", "attempt_seconds", "participation_link")
    list_filter = ("status",)
    search_fields = ("name",)
    scoped_foreign_keys = ("organisation",)

    @admin.display(description=_("participation"))
    def participation_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:quiz_quiz_participation", args=[obj.pk]), _("by union")
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/participation/",
                self.admin_site.admin_view(self.participation_view),
                name="quiz_quiz_participation",
            )
        ] + super().get_urls()

    def participation_view(self, request, object_id):
        """Attempts, participants and average score per union below the viewer's node, in a month."""
        if not request.user.has_perm("quiz.view_quiz_figures"):
            raise PermissionDenied
        quiz = get_object_or_404(self.get_queryset(request), pk=object_id)
        month = selectors.parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)
        scope = figures_scope(request.user)
        rows = selectors.participation_by_union(quiz=quiz, month=month, scope=scope) if scope else []
        return TemplateResponse(
            request,
            "admin/quiz/participation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Participation in %(quiz)s") % {"quiz": quiz.name},
                "quiz": quiz,
                "month": month,
                "rows": rows,
                "opts": self.model._meta,
            },
        )


@admin.register(QuestionBank)
class QuestionBankAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "quiz", "is_active", "question_count")
    list_filter = ("is_active",)
    search_fields = ("name",)
    scoped_foreign_keys = ("quiz",)

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .select_related("quiz")
            .annotate(active_questions=Count("questions", filter=Q(questions__status=QuestionStatus.ACTIVE)))
        )

    @admin.display(description=_("active questions"), ordering="active_questions")
    def question_count(self, obj):
        return obj.active_questions


class QuestionForm(forms.ModelForm):
    """Options one per line; the right ones as letters (A, AC)."""

    options_text = forms.CharField(
        label=_("options"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One option a line, 2 to 6."),
    )
    answer_text = forms.CharField(
        label=_("right options"),
        max_length=6,
        help_text=_("The letters of the right options, e.g. B or ACD."),
    )

    class Meta:
        model = Question
        fields = ("bank", "topic", "kind", "text", "explanation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["options_text"].initial = "\n".join(self.instance.options)
            self.fields["answer_text"].initial = "".join(LETTERS[i] for i in self.instance.answer)

    def service_data(self) -> dict:
        data = self.cleaned_data
        letters = (data.get("answer_text") or "").upper().replace(",", "").replace(" ", "")
        return {
            "topic": data.get("topic"),
            "kind": data.get("kind"),
            "text": data.get("text"),
            "explanation": data.get("explanation"),
            "options": [
                line.strip() for line in (data.get("options_text") or "").splitlines() if line.strip()
            ],
            "answer": [LETTERS.index(c) if c in LETTERS else -1 for c in letters],
        }

    service_field_names = {"options": "options_text", "answer": "answer_text"}


@admin.register(Question)
class QuestionAdmin(ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = QuestionForm
    import_kind = "quiz_questions"
    list_display = ("short_text", "topic", "kind", "bank", "status")
    list_filter = ("status", "topic", "kind", "bank")
    search_fields = ("text",)
    scoped_foreign_keys = ("bank",)
    readonly_fields = ("status", "retired_at")
    actions = ("retire", "restore")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("bank")

    @admin.display(description=_("question"))
    def short_text(self, obj):
        return obj.text[:60]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.question_update(question=obj, by=request.user, data=form.service_data())
        else:
            saved = services.question_add(
                bank=form.cleaned_data["bank"], by=request.user, data=form.service_data()
            )
        obj.pk = saved.pk

    def _each(self, request, queryset, func):
        done, failed = 0, []
        for question in queryset:
            try:
                func(question=question, by=request.user)
                done += 1
            except ApplicationError as exc:
                failed.append((question, exc))
        report_each(self, request, done, failed)

    @admin.action(description=_("Retire the selected questions"), permissions=["change"])
    def retire(self, request, queryset):
        self._each(request, queryset, services.question_retire)

    @admin.action(description=_("Put the selected questions back in use"), permissions=["change"])
    def restore(self, request, queryset):
        self._each(request, queryset, services.question_restore)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("masked_name", "masked_mobile", "union", "quiz", "joined_at")
    list_filter = ("quiz",)
    fields = ("quiz", "masked_name", "masked_mobile", "union", "joined_at")
    readonly_fields = fields
    history_hidden_fields = ("name", "mobile")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("union", "quiz")

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return obj.masked_name

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj):
        return obj.masked_mobile


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    fields = ("position", "question", "is_correct")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("participant_name", "union", "day", "number", "state", "score")
    list_filter = ("state", "month")
    date_hierarchy = "day"
    fields = (
        "participant_name",
        "union",
        "day",
        "number",
        "started_at",
        "deadline",
        "submitted_at",
        "state",
        "score",
    )
    readonly_fields = fields
    inlines = (AttemptQuestionInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "union")

    @admin.display(description=_("participant"))
    def participant_name(self, obj):
        return obj.participant.masked_name


class PrizeTierInline(admin.TabularInline):
    model = PrizeTier
    fields = ("rank_from", "rank_to", "amount")
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.state == "open")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or obj.state == "open")


class PrizeInline(admin.TabularInline):
    model = Prize
    fields = ("rank", "participant", "points", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuizMonth)
class QuizMonthAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("quiz", "month", "state", "closed_at", "prize_list")
    list_filter = ("state",)
    readonly_fields = ("state", "closed_at", "closed_by")
    scoped_foreign_keys = ("quiz",)
    inlines = (PrizeTierInline, PrizeInline)
    actions = ("close",)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("quiz.change_prizetier") and super().has_view_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "quiz", "month") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            saved = services.quiz_month_ensure(quiz=obj.quiz, month=obj.month)
            obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.tiers_check(quiz_month=form.instance)

    @admin.display(description=_("prize list"))
    def prize_list(self, obj):
        if obj.state != "closed":
            return "—"
        return format_html(
            '<a href="{}">xlsx</a> · <a href="{}">csv</a>',
            reverse("admin:quiz_quizmonth_prizes", args=[obj.pk, "xlsx"]),
            reverse("admin:quiz_quizmonth_prizes", args=[obj.pk, "csv"]),
        )

    @admin.action(description=_("Draw up the prize list of the selected months"), permissions=["change"])
    def close(self, request, queryset):
        for quiz_month in queryset:
            run_service(
                self,
                request,
                services.month_close,
                quiz_month=quiz_month,
                by=request.user,
                success=_("%(month)s: prize list drawn up.") % {"month": quiz_month},
            )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/prizes.<str:fmt>",
                self.admin_site.admin_view(self.prizes_view),
                name="quiz_quizmonth_prizes",
            )
        ] + super().get_urls()

    def prizes_view(self, request, object_id, fmt):
        """The prize list of a month for payment (names and mobiles in full: the credit goes to them)."""
        if not request.user.has_perm("quiz.export_prize"):
            raise PermissionDenied
        quiz_month = get_object_or_404(self.get_queryset(request), pk=object_id)
        rows = services.prize_list_rows(quiz_month=quiz_month, viewer=request.user)
        log_access(
            actor=request.user,
            action=AccessLog.Action.EXPORT,
            target=Prize,
            reason=f"{quiz_month}",
            request=request,
            row_count=len(rows) - 1,
        )
        if len(rows) == 1:
            messages.info(request, _("This month has no winners."))
        return spreadsheet_response(rows, fmt, f"quiz-prizes-{quiz_month.month:%Y-%m}")


class PrizeActionForm(ActionForm):
    """The payment reference asked beside the action (a top-up order or batch number)."""

    reference = forms.CharField(
        label=_("payment reference"),
        required=False,
        max_length=64,
        help_text=_("The top-up order or batch number, to find the payment again."),
    )


class PaidFilter(admin.SimpleListFilter):
    title = _("paid")
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return (("yes", _("Paid")), ("no", _("Not paid yet")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(paid_at__isnull=self.value() == "no")
        return queryset


@admin.register(Prize)
class PrizeAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """The winners of closed months; payments are recorded through ``prize_pay`` (never edited)."""

    list_display = (
        "quiz_month", "rank", "winner", "masked_mobile", "union", "points", "amount", "paid_at",
        "payment_reference",
    )  # fmt: skip
    list_filter = (PaidFilter, "quiz_month")
    fields = list_display + ("paid_by",)
    readonly_fields = fields
    history_hidden_fields = ("mobile",)
    action_form = PrizeActionForm
    actions = ("pay",)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("quiz_month__quiz", "participant__union", "paid_by")
        )

    @admin.display(description=_("winner"))
    def winner(self, obj):
        return obj.participant.masked_name

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj):
        return obj.participant.masked_mobile

    @admin.display(description=_("union"))
    def union(self, obj):
        return obj.participant.union.name

    def has_pay_permission(self, request):
        return request.user.has_perm("quiz.pay_prize")

    @admin.action(description=_("Record the selected prizes as paid"), permissions=["pay"])
    def pay(self, request, queryset):
        reference = request.POST.get("reference", "")
        done, failed = 0, []
        for prize in queryset.order_by("pk"):
            try:
                services.prize_pay(prize=prize, by=request.user, reference=reference)
                done += 1
            except ApplicationError as exc:
                failed.append((prize, exc))
        report_each(self, request, done, failed)

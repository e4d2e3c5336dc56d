"""Reports in the admin: ask for one (the add page), watch it being built (its page polls a small
JSON status view), download it. Runs are never edited nor deleted; a failed one is built again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ScopedAdminMixin, report_each
from union_portal.core.errors import ApplicationError, add_to_form, apply_each

from . import services
from .areas import area_title
from .forms import ReportRequestForm
from .models import ReportRun, RunState


@admin.register(ReportRun)
class ReportRunAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "__str__",
        "period_kind",
        "areas_shown",
        "state",
        "requested_by",
        "requested_at",
        "download",
    )
    list_filter = ("state", "period_kind", "scheduled")
    list_select_related = ("organisation", "requested_by")
    search_fields = ("organisation__name",)
    date_hierarchy = "requested_at"
    show_full_result_count = False
    actions = ("rebuild_selected",)
    change_form_template = "admin/reports/reportrun/change_form.html"
    fields = (
        "organisation", "period_kind", "period_start", "period_end", "areas_shown", "scheduled", "requested_by",
        "requested_at", "state", "progress", "started_at", "finished_at", "queries", "error", "download",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("areas"))
    def areas_shown(self, obj):
        return "、".join(str(area_title(area)) for area in obj.areas)

    @admin.display(description=_("spreadsheet"))
    def download(self, obj):
        if not obj.is_done:
            return "—"
        url = reverse("admin:reports_reportrun_download", args=[obj.pk])
        return format_html('<a href="{}" class="report-download">{}</a>', url, _("Download"))

    def has_change_permission(self, request, obj=None):
        return False  # a run is what was built: ask for a new one

    def has_rebuild_permission(self, request):
        return request.user.has_perm(services.ADD)

    def get_urls(self):
        return [
            path("<path:object_id>/status/", self.admin_site.admin_view(self.status_view),
                 name="reports_reportrun_status"),
            path("<path:object_id>/download/", self.admin_site.admin_view(self.download_view),
                 name="reports_reportrun_download"),
            *super().get_urls(),
        ]  # fmt: skip

    def _run(self, request, object_id) -> ReportRun:
        run = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if run is None or not self.has_view_permission(request, run):
            raise Http404
        return run

    def status_view(self, request, object_id):
        """``{"state", "state_label", "progress", "download"}``: what the run's page polls."""
        run = self._run(request, object_id)
        may = run.is_done and services.may_download(request.user, run)
        return JsonResponse({
            "state": run.state,
            "state_label": str(run.get_state_display()),
            "progress": run.progress,
            "download": reverse("admin:reports_reportrun_download", args=[run.pk]) if may else None,
            "error": run.error if run.state == RunState.FAILED else "",
        })  # fmt: skip

    def download_view(self, request, object_id):
        run = self._run(request, object_id)
        if not run.is_done or not services.may_download(request.user, run):
            raise Http404
        name = f"{run.organisation.name}-{run.period_label}.xlsx"
        return FileResponse(run.file.open("rb"), as_attachment=True, filename=name)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise Http404
        form = ReportRequestForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                run = services.report_request(
                    by=request.user,
                    organisation=data["organisation"],
                    period=data["period"],
                    period_kind=data["period_kind"],
                    areas=data["areas"],
                )
            except ApplicationError as exc:
                add_to_form(form, exc)
            else:
                self.message_user(request, _("The report is being built."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:reports_reportrun_change", args=[run.pk]))
        return TemplateResponse(
            request,
            "admin/reports/reportrun/request.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Ask for a report"),
                "form": form,
                "opts": self.model._meta,
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra = dict(extra_context or {})
        if run is not None:
            extra["report_run"] = run
            extra["status_url"] = reverse("admin:reports_reportrun_status", args=[run.pk])
            extra["may_download"] = services.may_download(request.user, run)
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(description=_("Build the selected failed reports again"), permissions=["rebuild"])
    def rebuild_selected(self, request, queryset):
        done, failed = apply_each(
            services.report_rebuild, queryset.order_by("pk"), arg="run", by=request.user
        )
        report_each(self, request, done, failed)

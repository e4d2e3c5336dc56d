"""Admin pages of spreadsheet import (upload, check, preview, confirm, progress) and export.

``members/admin.py`` plugs these in:

- ``MemberAdmin.get_urls()`` adds :func:`member_import_urls` (and ``EnterpriseAdmin`` can add
  :func:`enterprise_import_urls`);
- the export actions (:func:`export_xlsx_action`, :func:`export_csv_action`,
  :func:`export_unmasked_xlsx_action`, and the enterprise ones) are plain functions to list in
  ``actions``; each checks its own permission.

The pages only translate: every step is a service of ``members.importing``. No inline script
anywhere (the CSP forbids it): the job page refreshes itself with ``<meta http-equiv="refresh">``.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.errors import ApplicationError, PermissionDeniedError, add_to_form
from union_portal.core.models import AccessLog, log_access
from union_portal.organisations.models import Enterprise

from . import importing, resources
from .models import ImportJob, Member

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
REFRESH_SECONDS = 2


# --- import pages -------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))


class ImportPages:
    """The import pages of one model admin, for one kind of import."""

    def __init__(self, model_admin, kind: str):
        self.model_admin = model_admin
        self.spec = importing.import_kind(kind)
        self.opts = model_admin.model._meta
        self.prefix = f"{self.opts.app_label}_{self.opts.model_name}_import"

    def urls(self) -> list:
        wrap = self.model_admin.admin_site.admin_view
        return [
            path("import/", wrap(self.upload), name=self.prefix),
            path("import/template.<str:fmt>", wrap(self.template), name=f"{self.prefix}_template"),
            path("import/<int:job_id>/", wrap(self.job), name=f"{self.prefix}_job"),
            path("import/<int:job_id>/confirm/", wrap(self.confirm), name=f"{self.prefix}_confirm"),
            path("import/<int:job_id>/cancel/", wrap(self.cancel), name=f"{self.prefix}_cancel"),
        ]

    # -- helpers --

    def _require(self, request) -> None:
        if not request.user.has_perm(self.spec.perm):
            raise PermissionDenied(
                _("You do not have permission to import %(what)s.") % {"what": self.spec.label}
            )

    def _context(self, request, title, **extra) -> dict:
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "kind": self.spec,
            "url_ns": f"admin:{self.prefix}",
            "changelist_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
            "upload_url": reverse(f"admin:{self.prefix}"),
            **extra,
        }

    def _job_url(self, job) -> str:
        return reverse(f"admin:{self.prefix}_job", args=[job.pk])

    def _get_job(self, request, job_id) -> ImportJob:
        return get_object_or_404(
            importing.import_job_list(viewer=request.user, kind=self.spec.key), pk=job_id
        )

    def _columns(self):
        resource = self.spec.resource
        return resource.required_headers, resource.optional_headers

    # -- views --

    def upload(self, request):
        self._require(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = importing.import_upload(
                    by=request.user, file=form.cleaned_data["file"], kind=self.spec.key
                )
                job = importing.import_start_check(job=job)
            except PermissionDeniedError as exc:
                raise PermissionDenied(str(exc)) from exc
            except ApplicationError as exc:
                add_to_form(form, exc)
            else:
                return redirect(self._job_url(job))
        required, optional = self._columns()
        return TemplateResponse(
            request,
            "admin/members/import_upload.html",
            self._context(
                request,
                _("Import %(what)s from a spreadsheet") % {"what": self.spec.label},
                form=form,
                required=required,
                optional=optional,
                jobs=importing.import_job_list(viewer=request.user, kind=self.spec.key)[:10],
                max_mb=settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            ),
        )

    def job(self, request, job_id):
        self._require(request)
        job = self._get_job(request, job_id)
        done = importing.import_progress(job)
        running = job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)
        return TemplateResponse(
            request,
            "admin/members/import_job.html",
            self._context(
                request,
                _("Import of %(file)s") % {"file": job.original_name},
                job=job,
                done=min(done, job.total_rows) if job.total_rows else done,
                percent=int(done * 100 / job.total_rows) if job.total_rows else 0,
                running=running,
                refresh_seconds=REFRESH_SECONDS if running else None,
                errors=job.errors,
                more_errors=max(job.error_count - len(job.errors), 0),
                can_confirm=job.status == ImportJob.Status.VALID,
                can_cancel=job.status
                in (ImportJob.Status.CHECKING, ImportJob.Status.VALID, ImportJob.Status.INVALID),
                confirm_url=reverse(f"admin:{self.prefix}_confirm", args=[job.pk]),
                cancel_url=reverse(f"admin:{self.prefix}_cancel", args=[job.pk]),
            ),
        )

    def confirm(self, request, job_id):
        return self._act(request, job_id, importing.import_start_confirm)

    def cancel(self, request, job_id):
        return self._act(request, job_id, importing.import_cancel)

    def _act(self, request, job_id, service):
        self._require(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._get_job(request, job_id)
        try:
            service(job=job, by=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc)) from exc
        except ApplicationError as exc:
            messages.error(request, str(exc))
        return redirect(self._job_url(job))

    def template(self, request, fmt):
        """An empty spreadsheet with the right header row, to fill in."""
        self._require(request)
        required, optional = self._columns()
        return _spreadsheet_response([(*required, *optional)], fmt, f"{self.spec.key}-template")


def member_import_urls(model_admin) -> list:
    """URL patterns of the member import pages, for ``MemberAdmin.get_urls()`` (before the defaults)."""
    return ImportPages(model_admin, "members").urls()


def enterprise_import_urls(model_admin) -> list:
    """URL patterns of the enterprise import pages, for ``EnterpriseAdmin.get_urls()``."""
    return ImportPages(model_admin, "enterprises").urls()


# --- export -------------------------------------------------------------------------------------------


def _xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        # Text only (escaped already): control characters would make openpyxl refuse the cell.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    # With a BOM, Excel on Chinese Windows reads UTF-8 instead of guessing GBK.
    return out.getvalue().encode("utf-8-sig")


def _spreadsheet_response(rows, fmt: str, stem: str) -> HttpResponse:
    if fmt == "xlsx":
        content, content_type = _xlsx_bytes(rows), XLSX
    elif fmt == "csv":
        content, content_type = _csv_bytes(rows), CSV
    else:
        raise Http404(_("Unknown format."))
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def export_members(request, queryset, fmt: str, unmasked: bool = False, reason: str = "") -> HttpResponse:
    """The members of ``queryset`` the user may see, as an xlsx or csv file with Chinese headers.

    ID numbers and phones are masked unless ``unmasked`` (needs ``members.export_unmasked_member``
    and is logged in the access log with ``reason``). Every text cell is escaped against formulas.
    """
    user = request.user
    if not user.has_perm("members.export_member"):
        raise PermissionDenied(_("You do not have permission to export members."))
    if unmasked and not user.has_perm("members.export_unmasked_member"):
        raise PermissionDenied(_("You do not have permission to export unmasked personal data."))
    members = (
        Member.objects.visible_to(user)
        .filter(pk__in=queryset.values("pk"))
        .select_related("union", "employer")
        .order_by("pk")
    )
    dataset = resources.MemberResource(by=user, masked=not unmasked).export(members)
    if unmasked:
        log_access(
            actor=user,
            action=AccessLog.Action.EXPORT,
            target=Member,
            row_count=len(dataset),
            reason=reason or _("Unmasked export from the admin"),
            request=request,
        )
    return _spreadsheet_response([dataset.headers, *dataset], fmt, "members")


def export_enterprises(request, queryset, fmt: str) -> HttpResponse:
    """The enterprises of ``queryset`` the user may see, as an xlsx or csv file."""
    user = request.user
    if not user.has_perm("organisations.export_enterprise"):
        raise PermissionDenied(_("You do not have permission to export enterprises."))
    enterprises = (
        Enterprise.objects.visible_to(user)
        .filter(pk__in=queryset.values("pk"))
        .select_related("town")
        .order_by("pk")
    )
    dataset = resources.EnterpriseResource(by=user).export(enterprises)
    return _spreadsheet_response([dataset.headers, *dataset], fmt, "enterprises")


@admin.action(description=gettext_lazy("Export selected members to Excel (masked)"), permissions=["export"])
def export_xlsx_action(modeladmin, request, queryset):
    return export_members(request, queryset, "xlsx")


@admin.action(description=gettext_lazy("Export selected members to CSV (masked)"), permissions=["export"])
def export_csv_action(modeladmin, request, queryset):
    return export_members(request, queryset, "csv")


class ExportReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need the full ID numbers and phones?"), max_length=300, min_length=2
    )


@admin.action(
    description=gettext_lazy("Export selected members to Excel, unmasked (logged)…"),
    permissions=["export_unmasked"],
)
def export_unmasked_xlsx_action(modeladmin, request, queryset):
    """Asks for the reason first; the export is written to the access log."""
    if not request.user.has_perm("members.export_unmasked_member"):
        raise PermissionDenied(_("You do not have permission to export unmasked personal data."))
    form = ExportReasonForm(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        return export_members(request, queryset, "xlsx", unmasked=True, reason=form.cleaned_data["reason"])
    select_across = request.POST.get("select_across") == "1"
    return TemplateResponse(
        request,
        "admin/members/import_export_unmasked.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Export members unmasked"),
            "opts": modeladmin.model._meta,
            "form": form,
            "count": queryset.count(),
            "selected": [] if select_across else request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": select_across,
            "action": "export_unmasked_xlsx_action",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


@admin.action(description=gettext_lazy("Export selected enterprises to Excel"), permissions=["export"])
def export_enterprises_xlsx_action(modeladmin, request, queryset):
    return export_enterprises(request, queryset, "xlsx")


@admin.action(description=gettext_lazy("Export selected enterprises to CSV"), permissions=["export"])
def export_enterprises_csv_action(modeladmin, request, queryset):
    return export_enterprises(request, queryset, "csv")

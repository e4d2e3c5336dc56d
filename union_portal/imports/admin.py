"""The admin pages of spreadsheet import, for any ModelAdmin: upload, check (with a preview of the
rows as they will be stored, or every problem), confirm, cancel, progress, and the template.

A ModelAdmin gets them with :class:`ImportAdminMixin` and ``import_kind = "<key>"`` (a kind declared
in some app's ``resources.py``). The pages only translate: every step is a service of
``union_portal.imports.services``. No inline script anywhere (the CSP forbids it): the job page
refreshes itself with ``<meta http-equiv="refresh">`` while a job runs.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.admin import ScopedAdminMixin
from union_portal.core.errors import ApplicationError, PermissionDeniedError, add_to_form

from . import services
from .models import ImportJob
from .registry import import_kind, import_kinds
from .template_file import template_response

REFRESH_SECONDS = 2
Status = ImportJob.Status


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))


def import_url_prefix(model) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}_import"


class ImportPages:
    """The import pages of one model admin, for one kind of import."""

    def __init__(self, model_admin, kind: str):
        self.model_admin = model_admin
        self.kind_key = kind
        self.opts = model_admin.model._meta
        self.prefix = import_url_prefix(model_admin.model)

    @property
    def spec(self):
        return import_kind(self.kind_key)

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
        if not request.user.has_perm(self.spec.permission):
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
        return get_object_or_404(services.import_job_list(viewer=request.user, kind=self.spec.key), pk=job_id)

    # -- views --

    def upload(self, request):
        self._require(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = services.import_upload(
                    by=request.user, file=form.cleaned_data["file"], kind=self.spec.key
                )
                job = services.import_start_check(job=job)
            except PermissionDeniedError as exc:
                raise PermissionDenied(str(exc)) from exc
            except ApplicationError as exc:
                add_to_form(form, exc)
            else:
                return redirect(self._job_url(job))
        resource = self.spec.resource
        return TemplateResponse(
            request,
            "imports/upload.html",
            self._context(
                request,
                _("Import %(what)s from a spreadsheet") % {"what": self.spec.label},
                form=form,
                required=resource.required_headers(),
                optional=resource.optional_headers(),
                sheet=resource.sheet,
                jobs=services.import_job_list(viewer=request.user, kind=self.spec.key)[:10],
                max_mb=settings.UPLOAD_MAX_BYTES // (1024 * 1024),
                max_rows=settings.IMPORT_MAX_ROWS,
            ),
        )

    def job(self, request, job_id):
        self._require(request)
        job = self._get_job(request, job_id)
        done = services.import_progress(job)
        running = job.status in (Status.CHECKING, Status.IMPORTING)
        total = job.total_rows
        if job.status == Status.IMPORTING:
            total = job.preview.get("records", total) or total
        preview = job.preview if job.status in (Status.VALID, Status.IMPORTING) else {}
        return TemplateResponse(
            request,
            "imports/job.html",
            self._context(
                request,
                _("Import of %(file)s") % {"file": job.original_name},
                job=job,
                done=min(done, total) if total else done,
                total=total,
                percent=int(min(done, total) * 100 / total) if total else 0,
                running=running,
                refresh_seconds=REFRESH_SECONDS if running else None,
                errors=job.errors,
                more_errors=max(job.error_count - len(job.errors), 0),
                preview_headers=preview.get("headers", []),
                preview_rows=preview.get("rows", []),
                more_rows=max(job.total_rows - len(preview.get("rows", [])), 0),
                can_confirm=job.status == Status.VALID,
                can_cancel=job.status in (Status.CHECKING, Status.VALID, Status.INVALID),
                confirm_url=reverse(f"admin:{self.prefix}_confirm", args=[job.pk]),
                cancel_url=reverse(f"admin:{self.prefix}_cancel", args=[job.pk]),
            ),
        )

    def confirm(self, request, job_id):
        return self._act(request, job_id, services.import_start_confirm)

    def cancel(self, request, job_id):
        return self._act(request, job_id, services.import_cancel)

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
        """The template to fill in: header, an example row, the columns explained, the allowed values."""
        self._require(request)
        return template_response(self.spec, fmt)


class ImportAdminMixin:
    """Import pages for a ModelAdmin: set ``import_kind`` to the key of a declared kind.

    Adds ``import/`` (upload), ``import/template.<fmt>``, ``import/<job_id>/`` (check, preview,
    progress), ``.../confirm/`` and ``.../cancel/`` under the model's admin URL, named
    ``admin:<app>_<model>_import[_template|_job|_confirm|_cancel]``, and an "Import" button on the
    changelist for users with the kind's permission.
    """

    import_kind: str = ""
    change_list_template = "imports/change_list_with_import.html"

    def get_urls(self):
        return ImportPages(self, self.import_kind).urls() + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        kind = import_kind(self.import_kind)
        extra = {
            "show_import": request.user.has_perm(kind.permission),
            "import_url": reverse(f"admin:{import_url_prefix(self.model)}"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)


def _job_page_url(job: ImportJob) -> str | None:
    """The job's page under the admin that imports its kind (None when no admin does)."""
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ImportAdminMixin) and model_admin.import_kind == job.kind:
            try:
                return reverse(f"admin:{import_url_prefix(model)}_job", args=[job.pk])
            except NoReverseMatch:
                return None
    return None


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "job_link", "kind_label", "status", "total_rows", "error_count", "created_by", "created_at", "finished_at",
    )  # fmt: skip
    list_display_links = ("status",)
    list_filter = ("status", "kind")
    list_select_related = ("created_by",)
    readonly_fields = [
        f.name for f in ImportJob._meta.fields if f.name not in ("errors", "preview", "stored_path")
    ]
    exclude = ("errors", "preview")
    show_full_result_count = False

    @admin.display(description=gettext_lazy("file name"), ordering="original_name")
    def job_link(self, obj):
        url = _job_page_url(obj)
        return format_html('<a href="{}">{}</a>', url, obj.original_name) if url else obj.original_name

    @admin.display(description=gettext_lazy("what"), ordering="kind")
    def kind_label(self, obj):
        kind = import_kinds().get(obj.kind)
        return kind.label if kind else obj.kind

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""The member export actions of the admin: masked xlsx and csv, and the unmasked xlsx behind its
own permission, a reason and the access log. Every cell is escaped by the writer."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.models import AccessLog, log_access
from union_portal.core.spreadsheets import spreadsheet_response

from .models import Member
from .resources import export_rows


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
    rows = list(export_rows(members.iterator(chunk_size=2000), masked=not unmasked))
    if unmasked:
        log_access(
            actor=user,
            action=AccessLog.Action.EXPORT,
            target=Member,
            row_count=len(rows) - 1,
            reason=reason or _("Unmasked export from the admin"),
            request=request,
        )
    return spreadsheet_response(rows, fmt, "members")


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

"""Certificates in the admin: a read-only register with the PDF and a revoke action (with a reason)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ReasonForm, ScopedAdminMixin, action_page, report_each
from union_portal.core.errors import apply_each

from . import services
from .models import Certificate


class RevokedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", _("Valid")), ("yes", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("code_shown", "holder", "title", "subject", "kind", "issued_on", "issuer", "state", "pdf")
    list_filter = (RevokedFilter, "kind", "issued_on")
    list_select_related = ("organisation",)
    search_fields = ("=code", "title", "subject")
    show_full_result_count = False
    actions = ("revoke_selected",)
    fields = (
        "code_shown", "kind", "holder", "title", "subject", "issuer", "issued_on", "organisation",
        "source", "issued_by", "issued_at", "revoked_at", "revoked_by", "revoke_reason", "pdf",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("verification code"), ordering="code")
    def code_shown(self, obj):
        return obj.display_code

    @admin.display(description=_("holder"))
    def holder(self, obj):
        return obj.masked_holder_name

    @admin.display(description=_("state"))
    def state(self, obj):
        return _("Revoked") if obj.is_revoked else _("Valid")

    @admin.display(description=_("issued for"))
    def source(self, obj):
        return f"{obj.source_app}.{obj.source_model} #{obj.source_pk}"

    @admin.display(description=_("PDF"))
    def pdf(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("certificates:pdf", args=[obj.pk]), _("open"))

    def get_search_results(self, request, queryset, search_term):
        code = services.normalise_code(search_term)
        if len(code) == services.CODE_LENGTH:
            return queryset.filter(code=code), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False  # issued by the apps' services (a prize, an honour, service hours)

    def has_change_permission(self, request, obj=None):
        return False  # never edited: revoked with a reason, then issued again

    def has_revoke_permission(self, request):
        return request.user.has_perm("certificates.revoke_certificate")

    @admin.action(description=_("Revoke selected certificates…"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, failed = apply_each(
                services.certificate_revoke,
                queryset.order_by("pk"),
                arg="certificate",
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            report_each(self, request, done, failed)
            return None
        return action_page(self, request, queryset, form, "revoke_selected", _("Revoke certificates"))

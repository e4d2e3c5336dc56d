"""Staff screens of the organisation tree and of enterprises.

Lists are scoped to the user's subtree; saves call the services; enterprises are imported through the
one import pipeline (``union_portal.imports``) and exported with every cell escaped. The members app
adds the share of workers who are members to the organisation page (``members/admin.py``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ScopedAdminMixin
from union_portal.core.errors import ApplicationError
from union_portal.core.spreadsheets import spreadsheet_response
from union_portal.imports.admin import ImportAdminMixin

from . import services
from .models import Enterprise, Organisation, OrganisationKind
from .resources import export_rows

# --- organisations ---------------------------------------------------------------------------------


class OrganisationAddForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("parent"), required=True
    )

    class Meta:
        model = Organisation
        fields = ("parent", "name", "kind", "enterprise", "chair_name", "phone", "address", "established_on")


def enterprises_with_union(organisation: Organisation) -> tuple[int, int]:
    """Active enterprises of a subtree, and how many of them have a grassroots union (建会率)."""
    path = organisation.path
    enterprises = Enterprise.objects.filter(is_active=True).filter(
        Q(town__path__startswith=path)
        | Q(Exists(Organisation.objects.filter(enterprise=OuterRef("pk"), path__startswith=path)))
    )
    unions = Organisation.objects.filter(
        enterprise=OuterRef("pk"), is_active=True, kind=OrganisationKind.GRASSROOTS
    )
    return enterprises.count(), enterprises.filter(Exists(unions)).count()


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("indented_name", "kind", "enterprise", "chair_name", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "chair_name")
    list_select_related = ("enterprise",)
    scoped_foreign_keys = ("enterprise",)
    fields = (
        "name", "kind", "enterprise", "chair_name", "phone", "address", "established_on", "is_active", "coverage",
    )  # fmt: skip
    readonly_fields = ("kind", "coverage")
    show_full_result_count = False

    @admin.display(description=gettext_lazy("coverage of this subtree"))
    def coverage(self, obj):
        total, unionised = enterprises_with_union(obj)
        return format_html(
            "{}: {} / {} ({})",
            _("enterprises with a union"),
            unionised,
            total,
            percent(unionised / total if total else None),
        )

    @admin.display(description=gettext_lazy("name"), ordering="path")
    def indented_name(self, obj):
        return format_html("{}{}", "\u3000" * (obj.depth - 1), obj.name)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OrganisationAddForm
            kwargs["fields"] = OrganisationAddForm.Meta.fields
            form = super().get_form(request, obj, **kwargs)
            form.base_fields["parent"].queryset = Organisation.objects.visible_to(request.user).exclude(
                kind=OrganisationKind.GROUP
            )
            return form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return OrganisationAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("parent", "name", "kind")}
        created = services.organisation_add(  # an ApplicationError comes back on the form (ScopedAdminMixin)
            parent=form.cleaned_data["parent"],
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            by=request.user,
            **data,
        )
        obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth


# --- enterprises -------------------------------------------------------------------------------------


class EnterpriseForm(forms.ModelForm):
    credit_code = forms.CharField(label=gettext_lazy("unified social credit code"), max_length=30)

    class Meta:
        model = Enterprise
        fields = services.ENTERPRISE_FIELDS

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(services.clean_enterprise_input(cleaned))
        except ApplicationError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc))
        return cleaned

    def _post_clean(self):
        pass  # saved by services.enterprise_save, which checks scope and uniqueness


def export_enterprises(request, queryset, fmt: str):
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
    return spreadsheet_response(list(export_rows(enterprises)), fmt, "enterprises")


@admin.action(description=gettext_lazy("Export selected enterprises to Excel"), permissions=["export"])
def export_enterprises_xlsx_action(modeladmin, request, queryset):
    return export_enterprises(request, queryset, "xlsx")


@admin.action(description=gettext_lazy("Export selected enterprises to CSV"), permissions=["export"])
def export_enterprises_csv_action(modeladmin, request, queryset):
    return export_enterprises(request, queryset, "csv")


@admin.register(Enterprise)
class EnterpriseAdmin(ImportAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = EnterpriseForm
    import_kind = "enterprises"
    list_display = ("name", "credit_code", "industry", "ownership", "town", "headcount", "has_union")
    list_filter = ("industry", "ownership", "is_active")
    search_fields = ("name", "=credit_code")
    list_select_related = ("town",)
    scoped_foreign_keys = ("town",)
    show_full_result_count = False
    actions = (export_enterprises_xlsx_action, export_enterprises_csv_action)

    def has_export_permission(self, request):
        return request.user.has_perm("organisations.export_enterprise")

    def get_queryset(self, request):
        unions = Organisation.objects.filter(enterprise=OuterRef("pk"), kind=OrganisationKind.GRASSROOTS)
        return super().get_queryset(request).annotate(_has_union=Exists(unions))

    @admin.display(description=gettext_lazy("has a union"), boolean=True)
    def has_union(self, obj):
        return obj._has_union

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in services.ENTERPRISE_FIELDS if k in form.cleaned_data}
        saved = services.enterprise_save(by=request.user, data=data, enterprise=obj if change else None)
        obj.pk = saved.pk

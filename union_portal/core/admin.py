"""Admin machinery every app uses: scoping, no hard deletes, service errors as messages, the access log."""

from __future__ import annotations

from django.contrib import admin, messages

from .errors import ApplicationError
from .models import AccessLog


class ScopedAdminMixin:
    """Rows and foreign-key choices limited to what the user may see; nothing deleted."""

    #: Foreign keys whose choices are limited to rows visible to the user.
    scoped_foreign_keys: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.scoped_foreign_keys:
            related = db_field.remote_field.model._default_manager
            queryset = kwargs.get("queryset", related.all())
            kwargs["queryset"] = queryset.visible_to(request.user) if hasattr(queryset, "visible_to") else queryset
            if db_field.remote_field.limit_choices_to:
                kwargs["queryset"] = kwargs["queryset"].complex_filter(db_field.remote_field.limit_choices_to)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # nothing a user entered is hard-deleted: records end through a state change

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def run_service(modeladmin, request, func, *, success=None, **kwargs):
    """Call a service from the admin; show its error as a message instead of a crash."""
    try:
        result = func(**kwargs)
    except ApplicationError as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return None
    if success:
        modeladmin.message_user(request, success, messages.SUCCESS)
    return result


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_repr", "row_count", "reason", "ip_address")
    list_filter = ("action", "target_type")
    search_fields = ("actor__username", "target_repr", "reason")
    list_select_related = ("actor",)
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

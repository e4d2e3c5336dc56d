from django.contrib import admin

from union_portal.core.admin import ScopedAdminMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: a superuser looks at what was sent; everyone else sees their own inbox here too."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "sms_status")
    list_filter = ("kind", "sms_status")
    list_select_related = ("recipient",)
    search_fields = ("title", "key")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

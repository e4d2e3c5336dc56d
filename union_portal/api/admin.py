from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import APIKey, hash_key


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Keys are issued here; the secret is shown once, only its hash is kept."""

    list_display = ("name", "prefix", "user", "is_active", "created_at", "expires_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "prefix")
    fields = ("name", "user", "is_active", "expires_at", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # revoke by deactivating

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, secret = APIKey.issue(name=obj.name, user=obj.user, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.hashed_key = key.pk, key.prefix, hash_key(secret)
        self.message_user(
            request,
            _("The key is shown once, copy it now: %(secret)s") % {"secret": secret},
            messages.WARNING,
        )

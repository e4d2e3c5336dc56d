import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.core.errors import ApplicationError

from .models import APICall, APIKey, hash_key
from .scopes import known_scopes
from .services import api_key_revoke, api_key_rotate


class APIKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=(), widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = APIKey
        fields = ("name", "user", "scopes", "rate", "is_active", "expires_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = ["*", *known_scopes()]
        self.fields["scopes"].choices = [
            (c, _("everything its user may do") if c == "*" else c) for c in choices
        ]


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Keys are issued here; the secret is shown once, only its hash is kept."""

    form = APIKeyForm
    list_display = (
        "name", "prefix", "user", "scope_list", "is_active", "expires_at", "last_used_at", "calls_24h", "errors_24h",
    )  # fmt: skip
    list_filter = ("is_active",)
    search_fields = ("name", "prefix")
    fields = (
        "name", "user", "scopes", "rate", "is_active", "expires_at", "prefix", "created_at", "last_used_at",
        "replaced_by", "revoked_at",
    )  # fmt: skip
    readonly_fields = ("prefix", "created_at", "last_used_at", "replaced_by", "revoked_at")
    actions = ["rotate", "revoke"]

    def get_queryset(self, request):
        since = timezone.now() - dt.timedelta(hours=24)
        recent = Q(calls__at__gte=since)
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(
                n_calls=Count("calls", filter=recent),
                n_errors=Count("calls", filter=recent & Q(calls__status__gte=400)),
            )
        )

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.display(description=_("calls (24 h)"), ordering="n_calls")
    def calls_24h(self, obj):
        return obj.n_calls

    @admin.display(description=_("errors (24 h)"), ordering="n_errors")
    def errors_24h(self, obj):
        return obj.n_errors

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead

    def _show_secret(self, request, secret):
        self.message_user(
            request,
            _("The key is shown once, copy it now: %(secret)s") % {"secret": secret},
            messages.WARNING,
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, secret = APIKey.issue(
            name=obj.name, user=obj.user, expires_at=obj.expires_at, scopes=obj.scopes, rate=obj.rate
        )
        obj.pk, obj.prefix, obj.hashed_key = key.pk, key.prefix, hash_key(secret)
        self._show_secret(request, secret)

    @admin.action(description=_("Rotate: a new key; the old one stops after the overlap"))
    def rotate(self, request, queryset):
        for key in queryset:
            try:
                new, secret = api_key_rotate(key=key)
            except ApplicationError as error:
                self.message_user(request, f"{key}: {error.message}", messages.ERROR)
                continue
            self._show_secret(request, secret)

    @admin.action(description=_("Revoke at once"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, _("Revoked."), messages.SUCCESS)


@admin.register(APICall)
class APICallAdmin(admin.ModelAdmin):
    """The call log of partner keys (read only)."""

    list_display = ("at", "key", "method", "endpoint", "status", "duration_ms")
    list_filter = ("status", "method", "key")
    search_fields = ("endpoint", "key__name", "key__prefix")
    list_select_related = ("key",)
    date_hierarchy = "at"
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

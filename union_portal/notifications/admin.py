"""Staff screens of messages: every message of the people of one's subtree with the state of its SMS
and email (failed ones first to hand, with the error and a "retry" action), and people's channel
preferences, changed through :func:`services.preference_save` like the portal's settings page."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.core.admin import ScopedAdminMixin, report_each
from union_portal.core.errors import apply_each
from union_portal.core.scoping import sees_everything, user_scope_path

from . import services
from .kinds import CHANNELS, kinds
from .models import Delivery, Notification, NotificationPreference, people_of


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("Failed (SMS or email)")),
            ("waiting", _("SMS waiting for the morning")),
            ("pending", _("Being delivered")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(Q(sms_status=Delivery.FAILED) | Q(email_status=Delivery.FAILED))
        if self.value() == "waiting":
            return queryset.filter(sms_status=Delivery.PENDING, sms_not_before__isnull=False)
        if self.value() == "pending":
            return queryset.filter(
                Q(sms_status__in=[Delivery.PENDING, Delivery.SENDING])
                | Q(email_status__in=[Delivery.PENDING, Delivery.SENDING])
            )
        return queryset


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "recipient",
        "kind",
        "title",
        "urgent",
        "sms_status",
        "email_status",
        "errors",
    )
    list_filter = (DeliveryFilter, "sms_status", "email_status", "urgent", "kind")
    list_select_related = ("recipient",)
    search_fields = ("key", "title", "recipient__username")
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    fields = (
        "recipient", "kind", "key", "title", "body", "link", "urgent", "in_inbox", "created_at", "read_at",
        "sms_text", "sms_status", "sms_not_before", "sms_sent_at", "sms_error",
        "email_status", "email_sent_at", "email_error",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("errors"))
    def errors(self, obj: Notification) -> str:
        parts = []
        if obj.sms_error:
            parts.append(f"SMS: {obj.sms_error}")
        if obj.email_error:
            parts.append(f"Email: {obj.email_error}")
        return "; ".join(parts)

    @admin.action(description=_("Retry the failed deliveries"), permissions=["retry"])
    def retry_failed(self, request, queryset):
        done, failed = apply_each(services.notification_retry, queryset, arg="notification", by=request.user)
        report_each(self, request, done, failed)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications.retry_notification")


class PreferenceForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind of message"), choices=())

    class Meta:
        model = NotificationPreference
        fields = ("user", "kind", "inbox", "sms", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:  # read-only (not a form field) on an existing preference's page
            self.fields["kind"].choices = [(key, kind.label) for key, kind in kinds().items()]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = PreferenceForm
    list_display = ("user", "kind", "inbox", "sms", "email", "updated_at")
    list_filter = ("kind", "sms", "email")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__display_name")
    raw_id_fields = ("user",)

    def get_readonly_fields(self, request, obj=None):
        return ("user", "kind") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not sees_everything(request.user):
            path = user_scope_path(request.user)
            users = get_user_model().objects.all()
            kwargs["queryset"] = users.filter(people_of(path)) if path else users.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = services.preference_save(
            user=obj.user,
            kind=obj.kind,
            channels={name for name in CHANNELS if getattr(obj, name)},
            by=request.user,
        )
        obj.pk = saved.pk

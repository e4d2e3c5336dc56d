"""Staff subscribe partner keys to events and read the delivery log; a failed delivery can be replayed."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from union_portal.core.errors import ApplicationError

from . import services
from .events import event_choices
from .models import Attempt, Delivery, Subscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("endpoint URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("events"), choices=(), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Subscription
        fields = ("name", "key", "url", "events", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices()

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("key") or getattr(self.instance, "key", None)
        try:
            if cleaned.get("url"):
                cleaned["url"] = services.check_url(cleaned["url"])
            if key is not None and "events" in cleaned:
                cleaned["events"] = services.check_events(key, cleaned["events"])
        except ApplicationError as error:
            self.add_error(error.field if error.field in self.fields else None, str(error))
        return cleaned


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(SuperuserOnly, admin.ModelAdmin):
    """A subscription acts as its key's service user: its subtree, its scopes. The secret is shown once."""

    form = SubscriptionForm
    list_display = ("name", "key", "url", "event_list", "is_active", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("key",)
    search_fields = ("name", "url", "key__name")
    readonly_fields = ("created_at", "created_by")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "key") if obj else self.readonly_fields

    @admin.display(description=_("events"))
    def event_list(self, obj):
        return ", ".join(obj.events)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.subscription_update(
                by=request.user,
                subscription=obj,
                url=data["url"],
                events=data["events"],
                is_active=data["is_active"],
            )
            return
        subscription, secret = services.subscription_create(
            by=request.user, key=data["key"], name=data["name"], url=data["url"], events=data["events"]
        )
        obj.pk = subscription.pk
        self.message_user(
            request,
            _("The signing secret is shown once, copy it now: %(secret)s") % {"secret": secret},
            messages.WARNING,
        )


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("at", "status", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnly, admin.ModelAdmin):
    """The delivery log: every event sent to every partner, its attempts and their answers."""

    list_display = (
        "created_at", "event", "subscription", "state", "attempts", "last_status", "last_error", "next_attempt_at",
        "delivered_at",
    )  # fmt: skip
    list_filter = ("state", "event", "subscription")
    search_fields = ("event_id", "subscription__name", "event")
    list_select_related = ("subscription",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "subscription", "event", "event_id", "state", "attempts", "last_status", "last_error", "next_attempt_at",
        "created_at", "delivered_at", "replay_of", "payload",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Replay: send the event again"))
    def replay(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("subscription"):
            try:
                services.delivery_replay(delivery=delivery, by=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{delivery}: {error}", messages.ERROR)
                continue
            done += 1
        if done:
            self.message_user(request, _("%(n)d deliveries queued again.") % {"n": done}, messages.SUCCESS)

"""Admin machinery every app uses: scoping, no hard deletes, service errors as messages, the access log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db import router, transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

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
            kwargs["queryset"] = (
                queryset.visible_to(request.user) if hasattr(queryset, "visible_to") else queryset
            )
            if db_field.remote_field.limit_choices_to:
                kwargs["queryset"] = kwargs["queryset"].complex_filter(db_field.remote_field.limit_choices_to)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(db_field.remote_field.model, "choice_label"):
            field.label_from_instance = db_field.remote_field.model.choice_label  # a member: masked
        return field

    def has_delete_permission(self, request, obj=None):
        return False  # nothing a user entered is hard-deleted: records end through a state change

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # save_model calls a service. A rule it enforces (a duplicate ID number, a union out of scope)
        # comes back on the form, with everything the user typed: the view runs again on the same POST
        # and the form reports the service's error (see get_form). Nothing of the first try is kept.
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super()._changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            if request.method == "POST" and getattr(request, "_service_error", None) is None:
                request._service_error = exc
                return super()._changeform_view(request, object_id, form_url, extra_context)
            from django.http import HttpResponseRedirect

            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_service_error", None)
        return form_class if error is None else with_service_error(form_class, error)

    def _require_in_scope(self, request, object_id):
        from django.contrib.admin.utils import unquote
        from django.http import Http404

        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            # simple-history would otherwise show the history of an object it cannot find as "deleted"
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    #: Fields whose old and new values the history list must not show (personal data).
    history_hidden_fields: tuple[str, ...] = ()

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=self.history_hidden_fields,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def with_service_error(form_class, error: ApplicationError):
    """``form_class`` whose validation ends with ``error``: on its field when the form has it (a form
    may map service fields to its own in ``service_field_names``), else above the form."""

    class FormWithServiceError(form_class):
        def clean(self):
            cleaned = super().clean()
            names = getattr(self, "service_field_names", {})
            field = names.get(error.field, error.field)
            self.add_error(field if field in self.fields else None, str(error))
            return cleaned

    FormWithServiceError.__name__ = form_class.__name__
    return FormWithServiceError


class ReasonForm(forms.Form):
    """The reason an action asks for before it runs (a rejection, a transfer, an exit)."""

    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


def action_page(modeladmin, request, queryset, form, action: str, title):
    """The intermediate page of an admin action that needs input: the selected rows and the form."""
    return TemplateResponse(
        request,
        "admin/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": action,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


def report_each(modeladmin, request, done: int, failed: list, limit: int = 30) -> None:
    """Messages after a bulk action: how many succeeded, and each failure with its reason."""
    if done:
        modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, messages.SUCCESS)
    for obj, error in failed[:limit]:
        modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)


def run_service(modeladmin, admin_request, func, /, *, success=None, **kwargs):
    """Call a service from the admin; show its error as a message instead of a crash."""
    try:
        result = func(**kwargs)
    except ApplicationError as exc:
        modeladmin.message_user(admin_request, str(exc), messages.ERROR)
        return None
    if success:
        modeladmin.message_user(admin_request, success, messages.SUCCESS)
    return result


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor",
        "action",
        "target_type",
        "target_repr",
        "row_count",
        "reason",
        "ip_address",
    )
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


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, naming each row by its model's ``choice_label()`` where it has one
    (a member masked, with what tells two members apart) instead of ``str()`` (the full name)."""

    def serialize_result(self, obj, to_field_name):
        label = obj.choice_label() if hasattr(obj, "choice_label") else str(obj)
        return {"id": str(getattr(obj, to_field_name)), "text": label}


def use_labelled_autocomplete(site) -> None:
    """Serve ``site``'s autocomplete (``admin:autocomplete``) with :class:`LabelledAutocompleteJsonView`."""
    site.autocomplete_view = lambda request: LabelledAutocompleteJsonView.as_view(admin_site=site)(request)

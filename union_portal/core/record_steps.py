"""Workflow steps as buttons on a record's admin page.

An admin declares ``record_steps`` (approve, reject, pay, transfer ...). The record's page shows a
button for every step its state and the user's permissions allow; the button opens a page with what
the decision needs (``record_step_summary``: the request, the reason, the limits; the documents) and
the step's form. Posting it calls one service: success goes back to the record with a message; a
refusal (``ApplicationError``) keeps the user on the form with their input and the error on its field.
Bulk actions stay for bulk work. Out-of-scope records answer 404, like every admin page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError


class NoteForm(forms.Form):
    """A step that needs no input but may carry a note."""

    note = forms.CharField(
        label=_("note"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    """A step that needs nothing but the click (its summary shows what it does)."""


@dataclass(frozen=True)
class RecordStep:
    """One workflow step offered on a record's page."""

    name: str  # the URL slug: "approve"
    label: Any
    permission: str | tuple[str, ...]  # one permission, or a tuple of which any one will do
    states: tuple  # the record's states in which the step is offered
    run: Callable[..., Any]  # (*, request, obj, data) -> None: calls one service
    form: type[forms.Form] = NoteForm
    style: str = "primary"  # or "danger"
    setup_form: Callable[..., None] | None = None  # (form, request, obj): choices limited to the scope
    done: Any = _("Done.")  # or a callable: (result of run) -> the message


class RecordStepsAdminMixin:
    """Adds ``<object_id>/step/<step>/`` and the buttons on the change page."""

    record_steps: tuple[RecordStep, ...] = ()
    record_state_field = "state"
    change_form_template = "admin/record_steps/change_form.html"

    def record_step_summary(self, request, obj) -> list[tuple[Any, Any]]:
        """``[(label, value)]``: what the decision needs to show."""
        return []

    def record_step_documents(self, request, obj) -> list[tuple[str, str]]:
        """``[(name, url)]``: the documents of the record the user may open."""
        return []

    def offered_steps(self, request, obj) -> list[RecordStep]:
        state = getattr(obj, self.record_state_field)
        return [s for s in self.record_steps if state in s.states and self._may(request, s)]

    @staticmethod
    def _may(request, step: RecordStep) -> bool:
        perms = (step.permission,) if isinstance(step.permission, str) else step.permission
        return any(request.user.has_perm(perm) for perm in perms)

    def _step_url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_step"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/step/<slug:step>/",
                self.admin_site.admin_view(self.record_step_view),
                name=self._step_url_name(),
            ),
            *super().get_urls(),
        ]

    def _change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        obj = self.get_queryset(request).filter(pk=unquote(object_id)).first() if object_id else None
        if obj is not None:
            extra["record_steps"] = [
                (step, reverse(f"admin:{self._step_url_name()}", args=[obj.pk, step.name]))
                for step in self.offered_steps(request, obj)
            ]
            extra.update(self.record_extra_context(request, obj))
        return super().change_view(request, object_id, form_url, extra)

    def record_extra_context(self, request, obj) -> dict:
        """More context for the record's page (the member's timeline)."""
        return {}

    def record_step_view(self, request, object_id, step):
        obj = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        chosen = next((s for s in self.record_steps if s.name == step), None)
        if chosen is None:
            raise Http404
        if not self._may(request, chosen):
            raise PermissionDenied
        if chosen not in self.offered_steps(request, obj):
            self.message_user(
                request, _("This step is not possible in the record's present state."), messages.ERROR
            )
            return HttpResponseRedirect(self._change_url(obj))
        form = chosen.form(request.POST if request.method == "POST" else None)
        if chosen.setup_form is not None:
            chosen.setup_form(form, request, obj)
        if request.method == "POST" and form.is_valid():
            try:
                result = chosen.run(request=request, obj=obj, data=form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                done = chosen.done(result) if callable(chosen.done) else chosen.done
                self.message_user(request, f"{chosen.label} · {obj}: {done}", messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(obj))
        opts = self.model._meta
        return TemplateResponse(
            request,
            "admin/record_steps/step_form.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{chosen.label} · {obj}",
                "step": chosen,
                "form": form,
                "original": obj,
                "summary": self.record_step_summary(request, obj),
                "documents": self.record_step_documents(request, obj),
                "change_url": self._change_url(obj),
                "opts": opts,
                "has_view_permission": True,
            },
            status=200,
        )

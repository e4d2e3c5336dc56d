"""The portal inbox: a person's own messages, newest first; and their message settings."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from union_portal.core.errors import ApplicationError, add_to_form

from . import selectors, services
from .kinds import CHANNEL_LABELS, CHANNELS

PAGE_SIZE = 20


@never_cache
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@never_cache
@login_required
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one message read and follow its link (only to this site)."""
    notification = get_object_or_404(selectors.inbox(user=request.user), pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=False
    ):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(by=request.user)
    return redirect("notifications:inbox")


class SettingsForm(forms.Form):
    """One checkbox per (kind, channel), and the language of the messages."""

    language = forms.ChoiceField(label=_("Language of my messages"), choices=settings.LANGUAGES)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind, channels in rows:
            names = []
            for channel in CHANNELS:
                name = f"{kind.key}__{channel}"
                self.fields[name] = forms.BooleanField(
                    label=CHANNEL_LABELS[channel], required=False, initial=channel in channels
                )
                names.append(name)
            self.rows.append((kind, [self[name] for name in names]))

    def channels(self, kind) -> set[str]:
        return {channel for channel in CHANNELS if self.cleaned_data.get(f"{kind.key}__{channel}")}


@never_cache
@login_required
def message_settings(request: HttpRequest) -> HttpResponse:
    """The person's own channels per kind of message (urgent kinds keep at least one) and language."""
    rows = services.preferences_for(user=request.user)
    initial = {"language": services.recipient_language(request.user.pk)}
    form = SettingsForm(request.POST or None, rows=rows, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for kind, _channels in rows:
                    services.preference_save(
                        user=request.user, kind=kind.key, channels=form.channels(kind), by=request.user
                    )
                services.language_save(
                    user=request.user, language=form.cleaned_data["language"], by=request.user
                )
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Your message settings were saved."))
            return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})

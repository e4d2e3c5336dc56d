"""The portal inbox: a person's own messages, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services

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

"""Hardship aid in the member portal: apply, upload documents, follow the timeline, withdraw.

Views only translate. Every application is looked up among those the user may see
(``application_list(viewer=...)``: their own, or what a proxy agent filed), so an id in a URL
never reaches someone else's application: it is a 404. Documents are served by a view that makes
the same check; they have no public URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.selectors import current_membership
from union_portal.accounts.roles import Role
from union_portal.core.errors import ApplicationError, add_to_form
from union_portal.core.portal import proxy_agent_required

from . import selectors, services
from .forms import AidApplicationForm, DocumentForm, PayeeForm, ProxyAidApplicationForm, WithdrawForm
from .models import Document, HelpCentre, State, member_label

PAGE_SIZE = 20
#: Steps whose note is written for the applicant.
SHOWN_NOTE_STATES = (State.REJECTED, State.WITHDRAWN)


def _render(
    request: HttpRequest, template: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    is_proxy = request.user.is_authenticated and request.user.has_role(Role.PROXY_AGENT)
    return render(request, template, {"is_proxy_agent": is_proxy, **(context or {})}, status=status)


def _mine(request):
    """The user's own applications and, for a proxy agent, those they filed."""
    return selectors.application_list(viewer=request.user).filter(
        Q(member__user=request.user) | Q(filed_by=request.user)
    )


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    applications = _mine(request).order_by("-submitted_at", "-pk")
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "campaigns": selectors.open_campaigns().order_by("closes_on", "pk"),
        "centres": HelpCentre.objects.filter(is_active=True).select_related("organisation"),
        "membership": current_membership(request.user),
    }
    return _render(request, "assistance/home.html", context)


@never_cache
@login_required
def apply(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is None or membership.status != "active":
        messages.info(request, _("Aid is for union members: your membership must be active to apply."))
        return redirect("aid:home")
    form = AidApplicationForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                member=membership,
                by=request.user,
                kind=form.cleaned_data["kind"],
                data=form.service_data(),
                documents=form.service_documents(),
            )
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Your application has been sent to your union."))
            return redirect("aid:detail", pk=application.pk)
    return _render(request, "assistance/apply.html", {"form": form, "membership": membership})


@never_cache
@proxy_agent_required
def proxy_apply(request: HttpRequest) -> HttpResponse:
    form = ProxyAidApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        member = form.find_member(request.user)
        if member is None:
            form.add_error("id_number", _("No active member of your area has this ID number."))
        else:
            try:
                application = services.application_submit(
                    member=member,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    data=form.service_data(),
                    documents=form.service_documents(),
                )
            except ApplicationError as error:
                add_to_form(form, error)
            else:
                messages.success(
                    request, _("The application of %(name)s has been filed.") % {"name": member_label(member)}
                )
                return redirect("aid:detail", pk=application.pk)
    return _render(request, "assistance/proxy_apply.html", {"form": form})


def _get_application(request, pk):
    return get_object_or_404(_mine(request), pk=pk)


#: Until payment the applicant may give or change the account the aid is paid into.
PAYEE_STATES = (State.SUBMITTED, State.CHECKED, State.APPROVED)


@never_cache
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get_application(request, pk))


def _render_detail(request, application, payee_form: PayeeForm | None = None, status: int = 200):
    context = {
        "application": application,
        "steps": selectors.application_timeline(application),
        "documents": Document.objects.filter(application=application).order_by("uploaded_at", "pk"),
        "document_form": DocumentForm(),
        "withdraw_form": WithdrawForm(),
        "shown_note_states": SHOWN_NOTE_STATES,
        "can_withdraw": application.is_withdrawable,
        "can_upload": services.documents_accepted(application),
        "payee_form": payee_form or PayeeForm(),
        "can_set_payee": application.state in PAYEE_STATES,
    }
    return _render(request, "assistance/detail.html", context, status=status)


@never_cache
@login_required
@require_POST
def payee(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant gives or changes the account the aid is paid into; a refusal shows the page
    again with their input and the error on its field."""
    application = _get_application(request, pk)
    form = PayeeForm(request.POST)
    if form.is_valid():
        try:
            services.application_payee_set(
                application=application,
                by=request.user,
                bank=form.cleaned_data["payee_bank"],
                account=form.cleaned_data["payee_account"],
            )
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The account for the transfer is saved."))
            return redirect("aid:detail", pk=application.pk)
    return _render_detail(request, application, payee_form=form, status=400)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    form = WithdrawForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.application_withdraw(application=application, by=request.user, note=note)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The application has been withdrawn."))
    return redirect("aid:detail", pk=application.pk)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                application=application,
                by=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The document has been added."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("aid:detail", pk=application.pk)


@never_cache
@login_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    """A document, to those who may see its application (the member, who filed it, staff in scope)."""
    doc = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type, filename=doc.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response

"""Legal aid in the portal, for phones: a lawyer's shifts, swaps, absence, a quick consultation,
their cases and calendar link; a member's questions and requests for legal aid.

Views only translate. Every row is looked up among those the user may see (a lawyer's own shift,
``visible_to`` for the rest), so an id in a URL never reaches someone else's: it is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.selectors import current_membership
from union_portal.core.errors import ApplicationError, add_to_form
from union_portal.core.portal import absolute_url

from . import selectors, services
from .forms import (
    AbsenceForm,
    AidRequestForm,
    AskForm,
    CaseMoveForm,
    EnterpriseEventForm,
    QuickConsultationForm,
    SwapForm,
)
from .models import Consultation, DisputeCase, Lawyer, Shift, Stage, SwapRequest

LIST_SIZE = 30


def _lawyer_or_404(request) -> Lawyer:
    lawyer = selectors.lawyer_of(request.user)
    if lawyer is None:
        raise Http404
    return lawyer


def _own_shift(request, pk) -> tuple[Lawyer, Shift]:
    lawyer = _lawyer_or_404(request)
    return lawyer, get_object_or_404(Shift.objects.filter(lawyer=lawyer).select_related("station"), pk=pk)


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    lawyer = selectors.lawyer_of(request.user)
    context = {"lawyer": lawyer, "stations": selectors.station_list()}
    if lawyer is not None:
        context.update(
            shifts=list(selectors.lawyer_shifts(lawyer=lawyer)[:LIST_SIZE]),
            swaps=list(selectors.swaps_for(lawyer=lawyer)),
            cases=list(
                selectors.case_order(
                    DisputeCase.objects.filter(lawyer=lawyer).open().select_related("lawyer")
                )[:LIST_SIZE]
            ),
            calendar_url=absolute_url(request, reverse("legal:calendar", args=[lawyer.calendar_token])),
            advised=list(selectors.advised_unions(lawyer=lawyer)),
        )
    else:
        membership = current_membership(request.user)
        context.update(
            membership=membership,
            consultations=list(
                Consultation.objects.filter(member__user=request.user).order_by("-asked_at")[:LIST_SIZE]
            ),
            my_cases=list(
                DisputeCase.objects.filter(applicant__user=request.user)
                .select_related("lawyer")
                .order_by("-opened_at")[:LIST_SIZE]
            ),
        )
    return render(request, "legal_aid/home.html", context)


@never_cache
@login_required
def shift(request: HttpRequest, pk: int) -> HttpResponse:
    lawyer, shift = _own_shift(request, pk)
    return render(
        request,
        "legal_aid/shift.html",
        {"shift": shift, "swap_form": SwapForm(lawyer=lawyer), "absence_form": AbsenceForm()},
    )


def _run(request, call, success: str) -> bool:
    try:
        call()
    except ApplicationError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True


@require_POST
@login_required
def shift_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _lawyer, shift = _own_shift(request, pk)
    _run(request, lambda: services.shift_confirm(shift=shift, by=request.user), _("Shift confirmed."))
    return redirect("legal:shift", pk=pk)


@require_POST
@login_required
def shift_swap(request: HttpRequest, pk: int) -> HttpResponse:
    lawyer, shift = _own_shift(request, pk)
    form = SwapForm(request.POST, lawyer=lawyer)
    if form.is_valid():
        _run(
            request,
            lambda: services.swap_request(
                shift=shift,
                to_lawyer=form.cleaned_data["to_lawyer"],
                by=request.user,
                note=form.cleaned_data["note"],
            ),
            _("Your request has been sent."),
        )
    else:
        messages.error(request, _("Choose a lawyer to ask."))
    return redirect("legal:shift", pk=pk)


@require_POST
@login_required
def shift_absent(request: HttpRequest, pk: int) -> HttpResponse:
    _lawyer, shift = _own_shift(request, pk)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.shift_report_absence(
                shift=shift, by=request.user, reason=form.cleaned_data["reason"]
            ),
            _("The station's staff have been told."),
        )
    else:
        messages.error(request, _("Write why you cannot come."))
    return redirect("legal:shift", pk=pk)


@never_cache
@login_required
def swaps(request: HttpRequest) -> HttpResponse:
    lawyer = _lawyer_or_404(request)
    return render(request, "legal_aid/swaps.html", {"swaps": selectors.swaps_for(lawyer=lawyer)})


def _own_swap(request, pk) -> SwapRequest:
    lawyer = _lawyer_or_404(request)
    return get_object_or_404(SwapRequest.objects.filter(to_lawyer=lawyer), pk=pk)


@require_POST
@login_required
def swap_accept(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _own_swap(request, pk)
    _run(request, lambda: services.swap_accept(swap=swap, by=request.user), _("The shift is yours now."))
    return redirect("legal:home")


@require_POST
@login_required
def swap_decline(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _own_swap(request, pk)
    _run(request, lambda: services.swap_decline(swap=swap, by=request.user), _("Declined."))
    return redirect("legal:home")


@never_cache
@login_required
def consultation_new(request: HttpRequest) -> HttpResponse:
    lawyer = _lawyer_or_404(request)
    now = timezone.now()
    on_duty = (
        Shift.objects.live()
        .filter(lawyer=lawyer, start__lte=now, end__gte=now)
        .select_related("station")
        .first()
    )
    form = QuickConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_record(
                by=request.user,
                lawyer=lawyer,
                station=on_duty.station if on_duty else None,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Consultation recorded."))
            return redirect("legal:home")
    return render(request, "legal_aid/consultation_new.html", {"form": form, "on_duty": on_duty})


@never_cache
@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    """A lawyer records a check-up or an education event at one of the unions they advise."""
    lawyer = _lawyer_or_404(request)
    form = EnterpriseEventForm(request.POST or None, assignments=selectors.advised_unions(lawyer=lawyer))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        union = data.pop("assignment").union
        try:
            services.enterprise_event_record(by=request.user, lawyer=lawyer, union=union, **data)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Recorded."))
            return redirect("legal:home")
    return render(request, "legal_aid/event_new.html", {"form": form})


@never_cache
@login_required
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Consultation.objects.visible_to(request.user).select_related("lawyer"), pk=pk)
    return render(request, "legal_aid/consultation.html", {"consultation": item})


@never_cache
@login_required
def ask(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is None or membership.status != "active":
        messages.info(request, _("Questions online are for union members with an active membership."))
        return redirect("legal:home")
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.consultation_request(member=membership, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Your question has been sent; a lawyer will answer."))
            return redirect("legal:consultation", pk=item.pk)
    return render(request, "legal_aid/ask.html", {"form": form})


@never_cache
@login_required
def request_aid(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is None or membership.status != "active":
        messages.info(request, _("Legal aid is for union members with an active membership."))
        return redirect("legal:home")
    form = AidRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                by=request.user,
                applicant=membership,
                data={
                    "employer_name": data["employer_name"], "arose_on": data["arose_on"], "details": data["details"],
                    "claims": [{"type": data["claim_type"], "amount": data["amount"]}],
                },
            )  # fmt: skip
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Your request has been received; your union will contact you."))
            return redirect("legal:case", pk=case.pk)
    return render(request, "legal_aid/request_aid.html", {"form": form})


@never_cache
@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        DisputeCase.objects.visible_to(request.user).select_related("lawyer__user", "applicant"), pk=pk
    )
    is_lawyer = item.lawyer_id is not None and item.lawyer.user_id == request.user.pk
    form = CaseMoveForm(request.POST or None) if is_lawyer and item.stage != Stage.CLOSED else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["to_stage"] == Stage.CLOSED:
                    services.case_close(
                        case=item, by=request.user, outcome=data["outcome"],
                        amount_recovered=data["amount_recovered"] or 0, note=data["note"],
                    )  # fmt: skip
                else:
                    services.case_advance(
                        case=item, to_stage=data["to_stage"], by=request.user, note=data["note"]
                    )
            except ApplicationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("The case has been updated."))
                return redirect("legal:case", pk=pk)
    return render(
        request,
        "legal_aid/case.html",
        {
            "case": item,
            "form": form,
            "steps": selectors.case_steps(item),
            "show_details": selectors.may_read_details(request.user, item),
        },
    )


@require_POST
@login_required
def calendar_renew(request: HttpRequest) -> HttpResponse:
    lawyer = _lawyer_or_404(request)
    _run(
        request,
        lambda: services.calendar_token_reset(lawyer=lawyer, by=request.user),
        _("Your old calendar link no longer works; copy the new one."),
    )
    return redirect("legal:home")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A lawyer's private iCalendar feed: who holds the link sees the shifts; renewing revokes it."""
    from icalendar import Calendar, Event

    lawyer = Lawyer.objects.filter(calendar_token=token, status="active").first()
    if lawyer is None or len(token) < 20:
        raise Http404
    since = timezone.now() - dt.timedelta(days=31)
    calendar = Calendar()
    calendar.add("prodid", "-//union-portal//legal-aid roster//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Duty shifts"))
    for shift in Shift.objects.live().filter(lawyer=lawyer, end__gte=since).select_related("station"):
        event = Event()
        event.add("uid", f"legal-shift-{shift.pk}@union-portal")
        event.add("summary", _("Duty at %(station)s") % {"station": shift.station.name})
        event.add("location", shift.station.address)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        event.add("dtstamp", timezone.now())
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response

"""Volunteer service in the portal, on a phone: find activities, sign up, check in and out by scanning
the leader's code, see one's hours and star level, download a certificate; a team leader shows the
check-in code and verifies hours.

Views only translate. Open activities are public; everything else is looked up among the rows the
user may see (their own, or their teams' for a leader), so an id in a URL never reaches another's row.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.models import Member, MemberStatus
from union_portal.core.errors import ApplicationError, add_to_form
from union_portal.core.portal import absolute_url

from . import selectors, services
from .forms import (
    ActivityFilterForm,
    CodeForm,
    CorrectForm,
    JoinForm,
    JoinRequestForm,
    LeaderActivityForm,
    ReasonForm,
    RegisterForm,
)
from .models import (
    STAR_THRESHOLDS,
    Activity,
    ActivityStatus,
    RecordStatus,
    ServiceRecord,
    Signup,
    SignupStatus,
    Team,
    Volunteer,
)

PAGE_SIZE = 30


def _volunteer(user) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first() if user.is_authenticated else None


def _is_leader(user) -> bool:
    return user.is_authenticated and user.led_volunteer_teams.exists()


def _fail(request, error: ApplicationError) -> None:
    messages.error(request, str(error))


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Open activities near me (by town and category), and my sign-ups."""
    form = ActivityFilterForm(request.GET or None)
    town = category = None
    if form.is_valid():
        town, category = form.cleaned_data["town"], form.cleaned_data["category"] or None
    activities = selectors.open_activities(town=town, category=category)[:PAGE_SIZE]
    volunteer = _volunteer(request.user)
    signups = []
    if volunteer is not None:
        signups = list(
            selectors.my_signups(volunteer=volunteer).filter(
                status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITING],
                activity__ends_at__gt=timezone.now(),
            )
        )
    context = {
        "form": form,
        "activities": activities,
        "volunteer": volunteer,
        "signups": signups,
        "is_leader": _is_leader(request.user),
    }
    return render(request, "volunteers/home.html", context)


@never_cache
@login_required
def register(request: HttpRequest) -> HttpResponse:
    if _volunteer(request.user) is not None:
        return redirect("volunteers:my_hours")
    member = (
        Member.objects.filter(user=request.user, status=MemberStatus.ACTIVE).select_related("union").first()
    )
    form = RegisterForm(request.POST or None)
    if member is None:
        return redirect("volunteers:join")
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_register(by=request.user, member=member, **form.cleaned_data)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("You are registered as a volunteer. Thank you!"))
            return redirect("volunteers:home")
    return render(request, "volunteers/register.html", {"form": form, "member": member})


@never_cache
def join(request: HttpRequest) -> HttpResponse:
    """A person who is not a member registers: the mobile proved by an SMS code, then name, resident
    ID number, town and (without a login) a password. The answer to a code request is the same page
    whatever is on file; a refused request (cooldown, caps) says why, with HTTP 429."""
    from django.conf import settings

    from union_portal.core.clientip import client_key

    if _volunteer(request.user) is not None:
        return redirect("volunteers:my_hours")
    if Member.objects.filter(user=request.user.pk or 0, status=MemberStatus.ACTIVE).exists():
        return redirect("volunteers:register")
    with_password = not request.user.is_authenticated
    step = request.POST.get("step") if request.method == "POST" else None
    template = "volunteers/join.html"
    if step == "register":
        form = JoinForm(request.POST, with_password=with_password)
        if form.is_valid():
            data = dict(form.cleaned_data)
            password, _again = data.pop("password1", None), data.pop("password2", None)
            try:
                volunteer = services.volunteer_register_person(by=request.user, password=password, **data)
            except ApplicationError as error:
                add_to_form(form, error)
            else:
                if with_password:
                    from django.contrib.auth import login

                    from members.portal import LOGIN_BACKEND

                    login(request, volunteer.user, backend=LOGIN_BACKEND)
                messages.success(request, _("You are registered as a volunteer. Thank you!"))
                return redirect("volunteers:home")
        return render(request, template, {"form": form, "step": "register"})
    form = JoinRequestForm(request.POST if step == "request" else None)
    if step == "request" and form.is_valid():
        try:
            services.volunteer_code_request(mobile=form.cleaned_data["mobile"], client=client_key(request))
        except ApplicationError as error:
            add_to_form(form, error)
            response = render(
                request, template, {"form": form, "step": "request"}, status=error.status_code or 400
            )
            response["Retry-After"] = str(settings.SMS_CODE_COOLDOWN_SECONDS)
            return response
        code_form = JoinForm(initial={"mobile": form.cleaned_data["mobile"]}, with_password=with_password)
        return render(request, template, {"form": code_form, "step": "register", "sent": True})
    return render(request, template, {"form": form, "step": "request"})


@never_cache
def ranking(request: HttpRequest) -> HttpResponse:
    """The honour roll: the volunteers with the most verified hours this year (names masked)."""
    year = timezone.localdate().year
    rows = list(selectors.public_ranking(year=year))
    return render(request, "volunteers/ranking.html", {"rows": rows, "year": year})


@never_cache
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """An open activity, public; the volunteer's own sign-up and its place on the waiting list."""
    item = get_object_or_404(Activity.objects.public().select_related("team", "town"), pk=pk)
    volunteer = _volunteer(request.user)
    signup = None
    if volunteer is not None:
        signup = Signup.objects.live().filter(activity=item, volunteer=volunteer).first()
    context = {
        "activity": item,
        "volunteer": volunteer,
        "signup": signup,
        "position": services.waiting_position(signup) if signup else None,
    }
    return render(request, "volunteers/activity.html", context)


@require_POST
@login_required
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Activity.objects.public(), pk=pk)
    try:
        result = services.signup_create(
            activity=item, volunteer=services.volunteer_of(request.user), by=request.user
        )
    except ApplicationError as error:
        _fail(request, error)
    else:
        if result.status == SignupStatus.CONFIRMED:
            messages.success(request, _("You have a place. See you there!"))
        else:
            messages.info(
                request,
                _(
                    "The activity is full: you are on the waiting list and will be told if a place comes free."
                ),
            )
    return redirect("volunteers:activity", pk=item.pk)


@require_POST
@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Signup.objects.filter(volunteer__user=request.user), pk=pk)
    try:
        services.signup_cancel(signup=item, by=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteers:activity", pk=item.activity_id)


@never_cache
@login_required
def scan(request: HttpRequest, code: str = "") -> HttpResponse:
    """The address in the leader's QR code: the volunteer confirms, and is checked in or out."""
    form = CodeForm(request.POST or None, initial={"code": code})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.checkin_scan(code=form.cleaned_data["code"], by=request.user)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            if record.status == RecordStatus.OPEN:
                messages.success(request, _("Checked in at %(title)s.") % {"title": record.activity.title})
            else:
                messages.success(
                    request,
                    _("Checked out: %(hours)s hours, waiting for the leader's verification.")
                    % {"hours": record.hours},
                )
            return redirect("volunteers:my_hours")
    return render(request, "volunteers/scan.html", {"form": form, "code": code})


@never_cache
@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer(request.user)
    if volunteer is None:
        return redirect("volunteers:register")
    records = selectors.my_records(volunteer=volunteer)[:200]
    next_threshold = next((t for t in STAR_THRESHOLDS if t > volunteer.verified_hours), None)
    context = {
        "volunteer": volunteer,
        "records": records,
        "stars": range(volunteer.star_level),
        "next_threshold": next_threshold,
        "to_next": (next_threshold - volunteer.verified_hours) if next_threshold else None,
        "star_events": volunteer.star_events.order_by("-at", "-pk")[:20],
    }
    return render(request, "volunteers/my_hours.html", context)


@never_cache
@login_required
def certificate(request: HttpRequest) -> HttpResponse:
    """A PDF certificate of the volunteer's verified hours, with a verification code."""
    volunteer = _volunteer(request.user)
    if volunteer is None:
        raise Http404
    try:
        issued = services.hours_certificate(volunteer=volunteer, by=request.user)
    except ApplicationError as error:
        _fail(request, error)
        return redirect("volunteers:my_hours")
    from union_portal.certificates.services import certificate_pdf

    response = HttpResponse(certificate_pdf(issued), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{issued.code}.pdf"'
    return response


# --- team leaders --------------------------------------------------------------------------------


def _led(request, pk):
    return get_object_or_404(selectors.led_activities(viewer=request.user), pk=pk)


@never_cache
@login_required
def lead_home(request: HttpRequest) -> HttpResponse:
    if not _is_leader(request.user):
        raise Http404
    activities = selectors.led_activities(viewer=request.user)[:PAGE_SIZE]
    return render(request, "volunteers/lead_home.html", {"activities": activities})


@never_cache
@login_required
def lead_activity(request: HttpRequest, pk: int) -> HttpResponse:
    item = _led(request, pk)
    signups = Signup.objects.live().filter(activity=item).select_related("volunteer").order_by("pk")
    records = ServiceRecord.objects.filter(activity=item).select_related("volunteer").order_by("status", "pk")
    context = {"activity": item, "signups": signups, "records": records, "reason_form": ReasonForm()}
    return render(request, "volunteers/lead_activity.html", context)


@never_cache
@login_required
def lead_code(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The rotating QR code on the leader's phone; the page reloads itself as the code changes."""
    import segno

    item = _led(request, pk)
    try:
        code = services.checkin_code(activity=item, kind=kind, by=request.user)
    except ApplicationError as error:
        raise Http404 from error
    url = absolute_url(request, reverse("volunteers:scan_code", kwargs={"code": code}))
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2)
    context = {
        "activity": item,
        "kind": kind,
        "code": code,
        "qr": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "refresh": services.CHECKIN_WINDOW_SECONDS,
    }
    return render(request, "volunteers/lead_code.html", context)


def _led_record(request, pk):
    return get_object_or_404(
        ServiceRecord.objects.filter(activity__team__leaders=request.user).select_related("activity__team"),
        pk=pk,
    )


@require_POST
@login_required
def lead_verify(request: HttpRequest, pk: int) -> HttpResponse:
    record = _led_record(request, pk)
    try:
        services.record_verify(record=record, by=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Hours verified."))
    return redirect("volunteers:lead_activity", pk=record.activity_id)


@require_POST
@login_required
def lead_reject(request: HttpRequest, pk: int) -> HttpResponse:
    record = _led_record(request, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Give the reason."), field="reason")
        services.record_reject(record=record, by=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Hours rejected."))
    return redirect("volunteers:lead_activity", pk=record.activity_id)


@never_cache
@login_required
def lead_correct(request: HttpRequest, pk: int) -> HttpResponse:
    record = _led_record(request, pk)
    initial = {"started_at": timezone.localtime(record.started_at)}
    if record.ended_at:
        initial["ended_at"] = timezone.localtime(record.ended_at)
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_correct(record=record, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Times corrected."))
            return redirect("volunteers:lead_activity", pk=record.activity_id)
    return render(request, "volunteers/lead_correct.html", {"form": form, "record": record})


# --- team leaders: their teams' activities ----------------------------------------------------------


def _led_teams(user):
    return Team.objects.filter(leaders=user, is_active=True).order_by("name")


def _activity_page(request, item: Activity | None) -> HttpResponse:
    teams = _led_teams(request.user)
    if not teams:
        raise Http404
    initial = {}
    if item is not None:
        initial = {name: getattr(item, name) for name in LeaderActivityForm.FIELDS}
        for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
            initial[name] = timezone.localtime(initial[name])
    form = LeaderActivityForm(request.POST or None, initial=initial, teams=teams)
    if request.method == "POST" and form.is_valid():
        target = item or Activity()
        for name, value in form.cleaned_data.items():
            setattr(target, name, value)
        try:
            saved = services.activity_save(activity=target, by=request.user)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("volunteers:lead_activity", pk=saved.pk)
    context = {"form": form, "activity": item}
    return render(request, "volunteers/lead_edit.html", context)


@never_cache
@login_required
def lead_new(request: HttpRequest) -> HttpResponse:
    """A leader creates an activity of their team (a draft, published from its page)."""
    return _activity_page(request, None)


@never_cache
@login_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _led(request, pk)
    if item.status in (ActivityStatus.FINISHED, ActivityStatus.CANCELLED):
        messages.error(request, _("A finished or cancelled activity cannot be changed."))
        return redirect("volunteers:lead_activity", pk=item.pk)
    return _activity_page(request, item)


@require_POST
@login_required
def lead_publish(request: HttpRequest, pk: int) -> HttpResponse:
    item = _led(request, pk)
    try:
        services.activity_publish(activity=item, by=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The activity is open for sign-up."))
    return redirect("volunteers:lead_activity", pk=item.pk)


@require_POST
@login_required
def lead_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = _led(request, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Give the reason."), field="reason")
        services.activity_cancel(activity=item, by=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The activity is cancelled; everyone signed up is told."))
    return redirect("volunteers:lead_activity", pk=item.pk)

"""The member self-service portal: server-rendered pages for a phone.

Views only translate: they read a form, call a service or a selector, and
render. "Mine" is found through the logged-in user (no ids in those URLs);
where an id is needed it is looked up among the rows of the user (their own
memberships, or what a proxy agent filed within their scope) and anything
else is a 404.
"""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from union_portal.accounts.services import ensure_mobile_free, member_login_create
from union_portal.core.clientip import client_key, over_rate
from union_portal.core.errors import ApplicationError, add_to_form
from union_portal.core.masking import mask_phone
from union_portal.core.portal import absolute_url, is_proxy_agent, proxy_agent_required
from union_portal.core.registry import declared
from union_portal.core.timeline import member_timeline
from union_portal.core.validators import normalize_mobile

from . import services
from .forms import (
    ActivationForm,
    ActivationRequestForm,
    MemberApplicationForm,
    PortalApplicationForm,
    PortalLoginForm,
    ProxyApplicationForm,
    find_unions,
    member_union_queryset,
    union_select_fits,
)
from .models import Channel, Member, MembershipEvent, MemberStatus
from .selectors import current_membership

#: The backend that ``login()`` records for an account made on the apply page.
LOGIN_BACKEND = "union_portal.accounts.backends.MobileOrUsernameBackend"
#: Card verification answers anyone: at most so many look-ups per client address per minute, and
#: so many from everybody together (a walk through card numbers from many addresses)
#: (``PORTAL_VERIFY_RATE_PER_MINUTE``, ``PORTAL_VERIFY_TOTAL_PER_MINUTE``); anonymous applications
#: (form submits) per client address per hour: ``PORTAL_APPLY_RATE_PER_HOUR``. Read at each request.
#: What the QR code of a card carries: the card number signed with this salt (issue 18.2).
CARD_TOKEN_SALT = "members.card-verify"  # noqa: S105 - a signing salt, not a secret
#: How long a used submission token of the apply page is remembered (seconds).
SUBMISSION_TTL = 60 * 60
PROXY_PAGE_SIZE = 20
#: Events whose note is written for the member (a reason); the notes of other steps are the officers'.
SHOWN_NOTE_KINDS = (
    MembershipEvent.Kind.REJECTED,
    MembershipEvent.Kind.TRANSFERRED,
    MembershipEvent.Kind.LAPSED,
    MembershipEvent.Kind.WITHDRAWN,
)


def _render(
    request: HttpRequest, template: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    """``render`` with what the base template's navigation needs."""
    context = {
        "is_proxy_agent": is_proxy_agent(request.user),
        "cooldown": settings.SMS_CODE_COOLDOWN_SECONDS,
        **(context or {}),
    }
    return render(request, template, context, status=status)


def _filed_by(user):
    """What a proxy agent filed, within what they may see (the one scoping rule)."""
    return Member.objects.visible_to(user).filter(filed_by=user)


# --- home, login ------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    context = {"membership": None, "filed": []}
    if request.user.is_authenticated:
        context["membership"] = current_membership(request.user)
        if is_proxy_agent(request.user):
            context["filed"] = list(
                _filed_by(request.user).select_related("union").order_by("-applied_at", "-pk")[:5]
            )
    return _render(request, "portal/home.html", context)


class PortalLoginView(LoginView):
    """Django's login view: the form passes ``request`` to ``authenticate()``, which axes needs."""

    authentication_form = PortalLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


# --- applying -----------------------------------------------------------------------------------


def _submission_key(token: str) -> str:
    return f"portal:apply:submission:{token}"


def _claim_submission(token: str) -> str:
    """``"new"`` if this request may handle the submission ``token``; ``"done"`` if an earlier request
    with the same token succeeded; ``"busy"`` if one is still at it. A double tap sends the same token
    twice: the second request waits a little for the first one's outcome."""
    key = _submission_key(token)
    if cache.add(key, "busy", SUBMISSION_TTL):
        return "new"
    state = cache.get(key)
    for _attempt in range(25):
        if state != "busy":
            break
        time.sleep(0.2)
        state = cache.get(key)
    if state is None and cache.add(key, "busy", SUBMISSION_TTL):
        return "new"  # the first request failed and released the token: this one tries again
    return state or "busy"


def _create_account(form: PortalApplicationForm, mobile: str):
    """The login of a new applicant, once the chosen password passes the validators. Whether the
    mobile already has an account is said last, after everything else was accepted (issue 18.2)."""
    name = form.cleaned_data["name"]
    form.validate_password_for_user(get_user_model()(username=mobile, mobile=mobile, display_name=name))
    if form.has_error("password2"):
        return None
    ensure_mobile_free(mobile)
    if form.has_error("password2"):
        return None
    return member_login_create(mobile=mobile, display_name=name, password=form.cleaned_data["password1"])


def _chosen_union(request: HttpRequest, viewer=None):
    """The union picked on the finder (``?union=<id>``, then carried by the form), among those allowed."""
    raw = request.POST.get("union") or request.GET.get("union") or ""
    if not raw.isdigit():
        return None
    return member_union_queryset(viewer).filter(pk=raw).first()


def _union_finder(request: HttpRequest, viewer=None) -> HttpResponse:
    """Step one in a large district: find the union by (part of) its name; each result links to the form."""
    query = (request.GET.get("union_q") or "").strip()[:50]
    results = list(find_unions(query, viewer).select_related("enterprise")) if query else []
    context = {"query": query, "results": results, "for_a_worker": viewer is not None}
    return _render(request, "portal/find_union.html", context)


def _application_form(request: HttpRequest, form_class, *, viewer=None, **kwargs):
    """The form, or None when the person must first find their union (too many unions for a select)."""
    union = _chosen_union(request, viewer)
    if union is None and not union_select_fits(viewer):
        return None
    return form_class(request.POST or None, viewer=viewer, union=union, **kwargs)


def _apply_anonymous(request: HttpRequest) -> HttpResponse:
    form = _application_form(request, PortalApplicationForm)
    if form is None:
        return _union_finder(request)
    if request.method == "POST" and over_rate(
        request, "apply", settings.PORTAL_APPLY_RATE_PER_HOUR, window=60 * 60
    ):
        response = _render(request, "portal/verify_limited.html", status=429)
        response["Retry-After"] = "3600"
        return response
    if request.method != "POST" or not form.is_valid():
        return _render(request, "portal/apply.html", {"form": form})

    token = form.cleaned_data.get("submission") or ""
    if token and _claim_submission(token) != "new":
        # The same page was submitted again (a double tap, a reload) and the first one went through.
        messages.info(
            request, _("Your application has already been received. Log in with your mobile number.")
        )
        return redirect("portal:login")

    user = None
    try:
        with transaction.atomic():
            data = form.service_data()
            services.member_application_check(data=data)  # the input first: the account is said last
            user = _create_account(form, normalize_mobile(data["mobile"]))
            if user is not None:
                services.member_apply(data=data, channel=Channel.PORTAL, user=user)
    except ApplicationError as error:
        add_to_form(form, error)
        user = None
    except IntegrityError:
        # Two submits raced past the checks: the database kept one, this one leaves nothing behind.
        form.add_error(None, _("This application was already submitted. Log in with your mobile number."))
        user = None
    if user is None:
        if token:
            cache.delete(_submission_key(token))
        return _render(request, "portal/apply.html", {"form": form})

    if token:
        cache.set(_submission_key(token), "done", SUBMISSION_TTL)
    login(request, user, backend=LOGIN_BACKEND)
    messages.success(request, _("Thank you: your application has been sent to the union."))
    return redirect("portal:status")


def _apply_logged_in(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is not None and membership.is_open:
        messages.info(request, _("You already have a membership or an application in progress."))
        return redirect("portal:status")
    initial = {"mobile": request.user.mobile or "", "name": request.user.display_name}
    form = _application_form(request, MemberApplicationForm, initial=initial)
    if form is None:
        return _union_finder(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_apply(data=form.service_data(), channel=Channel.PORTAL, user=request.user)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Thank you: your application has been sent to the union."))
            return redirect("portal:status")
    return _render(request, "portal/apply.html", {"form": form})


@never_cache
def apply(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _apply_logged_in(request)
    return _apply_anonymous(request)


# --- my membership ----------------------------------------------------------------------------------


def _status_page(request: HttpRequest, membership: Member | None) -> HttpResponse:
    others = Member.objects.filter(user=request.user).select_related("union").order_by("-applied_at", "-pk")
    if membership is not None:
        others = others.exclude(pk=membership.pk)
    context = {
        "membership": membership,
        "events": membership.events.select_related("from_union", "to_union") if membership else [],
        "others": others,
        "shown_note_kinds": SHOWN_NOTE_KINDS,
    }
    return _render(request, "portal/status.html", context)


@never_cache
@login_required
def status(request: HttpRequest) -> HttpResponse:
    return _status_page(request, current_membership(request.user))


@never_cache
@login_required
def status_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An earlier membership or application of the user's own; anyone else's is a 404."""
    membership = get_object_or_404(Member.objects.filter(user=request.user).select_related("union"), pk=pk)
    return _status_page(request, membership)


@never_cache
@login_required
def record(request: HttpRequest) -> HttpResponse:
    """The member's own timeline across every app (membership, aid, legal aid, contests, honours,
    volunteering): what their union officer sees on their page, in the member's own version (each app's
    ``member_events`` returns to the member only their own records, with portal links)."""
    membership = current_membership(request.user) or (
        Member.objects.filter(user=request.user)
        .select_related("union")
        .order_by("-applied_at", "-pk")
        .first()
    )
    events = member_timeline(member=membership, viewer=request.user) if membership else []
    return _render(request, "portal/record.html", {"membership": membership, "events": events})


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "membership": current_membership(user),
        # An applicant's user name is their mobile number: mask it like the number.
        "account_name": mask_phone(user.username) if user.username == user.mobile else user.username,
        "account_mobile": mask_phone(user.mobile),
        # What other apps show on the profile (an app's honours...): ``PROFILE_SECTIONS`` in its portal.py.
        "sections": [
            html
            for _c, fns in declared("portal", "PROFILE_SECTIONS")
            for fn in fns
            if (html := fn(request=request))
        ],
    }
    return _render(request, "portal/profile.html", context)


def verification_url(request: HttpRequest, card_number: str) -> str:
    """The public address a merchant opens (by scanning the QR code) to check a card."""
    return absolute_url(request, reverse("portal:verify", args=[card_token(card_number)]))


def qr_svg(text: str, *, title: str) -> str:
    """An inline SVG QR code (no external file, no script: fine under the strict CSP).

    Cached per text and title: drawing the code was the largest cost of the card page under load.
    """
    import hashlib

    key = "portal:qr:" + hashlib.sha256(f"{text}\x00{title}".encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        code = segno.make(text, error="m")
        svg = code.svg_inline(scale=4, border=4, omitsize=True, dark="#1f2937", light="#ffffff", title=title)
        cache.set(key, svg, timeout=24 * 60 * 60)
    return svg


@never_cache
@login_required
def card(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is None or membership.status != MemberStatus.ACTIVE:
        messages.info(request, _("Your membership card appears here once your application is approved."))
        return redirect("portal:status")
    url = verification_url(request, membership.card_number)
    context = {
        "membership": membership,
        "verify_url": url,
        "qr": mark_safe(qr_svg(url, title=_("QR code to verify this card"))),  # noqa: S308 - segno's own SVG
    }
    return _render(request, "portal/card.html", context)


# --- public card verification --------------------------------------------------------------------------


def card_token(card_number: str) -> str:
    """What the card's QR code carries: the number with a signature only the portal can make."""
    return signing.Signer(salt=CARD_TOKEN_SALT).sign(card_number)


def _card_from_token(value: str) -> tuple[str, bool]:
    """The card number of a verification URL, and whether it came signed (from a card's QR code)."""
    if ":" not in value:
        return value, False
    try:
        return signing.Signer(salt=CARD_TOKEN_SALT).unsign(value), True
    except signing.BadSignature:
        return "", False


@never_cache
def verify(request: HttpRequest, card_number: str) -> HttpResponse:
    """The public card check. Throttled per client and for everybody together. Only a card's own QR
    code (a signed token) shows the holder's masked name and union; a typed number (old QR codes
    carry the bare number) says valid or not, so walking numbers learns no names (issue 18.2)."""
    card, signed = _card_from_token(card_number)
    # The cap for everybody together stops a walk through typed numbers from many addresses; a signed
    # token cannot be walked, so a card's own QR code is never refused because of someone's walk.
    if over_rate(request, "card-verify", settings.PORTAL_VERIFY_RATE_PER_MINUTE) or (
        not signed
        and over_rate(request, "card-verify", settings.PORTAL_VERIFY_TOTAL_PER_MINUTE, everybody=True)
    ):
        response = _render(request, "portal/verify_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    check = services.card_verify(card)
    if not signed:
        check = services.CardCheck(valid=check.valid)
    context = {"check": check, "card_number": card[:30], "signed": signed}
    response = _render(request, "portal/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- activating the login of a member registered by others ---------------------------------------------

ACTIVATION_RATE_PER_MINUTE = 5


def _code_refused(request: HttpRequest, form, error: ApplicationError, template: str, context: dict):
    """A code request over a cap or inside the cooldown: the same page with the reason, HTTP 429."""
    if form.is_bound:
        add_to_form(form, error)
    else:  # the code step after "send a new code": the reason above the unchanged form
        context = {**context, "refused": str(error)}
    response = _render(request, template, {"form": form, **context}, status=error.status_code)
    response["Retry-After"] = str(settings.SMS_CODE_COOLDOWN_SECONDS)
    return response


@never_cache
def activate(request: HttpRequest) -> HttpResponse:
    """Members registered by their union (or imported) get a login: ID number and mobile as on file,
    then the code sent by SMS to that mobile, then a password. A failed last step keeps the code;
    "send a new code" is offered after the cooldown (issue 9.5)."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "activate":
        form = ActivationForm(request.POST)
        if form.is_valid():
            try:
                user = services.member_activate(
                    id_number=form.cleaned_data["id_number"],
                    mobile=form.cleaned_data["mobile"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password1"],
                )
            except ApplicationError as error:
                add_to_form(form, error)
            else:
                login(request, user, backend=LOGIN_BACKEND)
                messages.success(request, _("Your member account is active."))
                return redirect("portal:card")
        return _render(request, "portal/activate.html", {"form": form, "step": "activate"})
    form = ActivationRequestForm(request.POST if step in ("request", "resend") else None)
    if step in ("request", "resend") and form.is_valid():
        if over_rate(request, "activate", ACTIVATION_RATE_PER_MINUTE):
            response = _render(request, "portal/verify_limited.html", status=429)
            response["Retry-After"] = "60"
            return response
        try:
            services.member_activation_request(
                id_number=form.cleaned_data["id_number"],
                mobile=form.cleaned_data["mobile"],
                client=client_key(request),
            )
        except ApplicationError as error:
            if step == "resend":
                code_form = ActivationForm(initial=form.cleaned_data)
                return _code_refused(request, code_form, error, "portal/activate.html", {"step": "activate"})
            return _code_refused(request, form, error, "portal/activate.html", {"step": "request"})
        code_form = ActivationForm(initial=form.cleaned_data)
        return _render(request, "portal/activate.html", {"form": code_form, "step": "activate", "sent": True})
    return _render(request, "portal/activate.html", {"form": form, "step": "request"})


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgot password (忘记密码): a code by SMS to the mobile on file, then a new password. The
    answer is the same whether the mobile has a login or not; after the reset every session of the
    account has ended and the person logs in with the new password (issue 9.6)."""
    from union_portal.accounts import services as account_services

    from .forms import PasswordResetForm, PasswordResetRequestForm

    if request.user.is_authenticated:
        return redirect("portal:home")
    template = "portal/password_reset.html"
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "reset":
        form = PasswordResetForm(request.POST)
        if form.is_valid():
            try:
                account_services.password_reset(
                    mobile=form.cleaned_data["mobile"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password1"],
                )
            except ApplicationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Your new password is set: log in with it."))
                return redirect("portal:login")
        return _render(request, template, {"form": form, "step": "reset"})
    form = PasswordResetRequestForm(request.POST if step in ("request", "resend") else None)
    if step in ("request", "resend") and form.is_valid():
        try:
            account_services.password_reset_request(
                mobile=form.cleaned_data["mobile"], client=client_key(request)
            )
        except ApplicationError as error:
            if step == "resend":
                code_form = PasswordResetForm(initial=form.cleaned_data)
                return _code_refused(request, code_form, error, template, {"step": "reset"})
            return _code_refused(request, form, error, template, {"step": "request"})
        code_form = PasswordResetForm(initial=form.cleaned_data)
        return _render(request, template, {"form": code_form, "step": "reset", "sent": True})
    return _render(request, template, {"form": form, "step": "request"})


# --- proxy agents ------------------------------------------------------------------------------------------


@never_cache
@proxy_agent_required
def proxy_apply(request: HttpRequest) -> HttpResponse:
    form = _application_form(request, ProxyApplicationForm, viewer=request.user)
    if form is None:
        return _union_finder(request, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_apply(
                data=form.service_data(),
                by=request.user,
                channel=Channel.PROXY,
                consent=form.cleaned_data["consent"],
            )
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("The application of %(name)s has been filed.") % {"name": member.name}
            )
            return redirect("portal:proxy_detail", pk=member.pk)
    return _render(request, "portal/proxy_apply.html", {"form": form})


@never_cache
@proxy_agent_required
def proxy_list(request: HttpRequest) -> HttpResponse:
    queryset = _filed_by(request.user).select_related("union").order_by("-applied_at", "-pk")
    page = Paginator(queryset, PROXY_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "portal/proxy_list.html", {"page": page})


@never_cache
@proxy_agent_required
def proxy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(_filed_by(request.user).select_related("union", "employer"), pk=pk)
    events = member.events.select_related("from_union", "to_union")
    return _render(
        request,
        "portal/proxy_detail.html",
        {"member": member, "events": events, "shown_note_kinds": SHOWN_NOTE_KINDS},
    )

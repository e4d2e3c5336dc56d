"""Contests and honours in the portal: members enter contests and see their results and honours,
judges mark their sheets on a phone, and anyone reads the honours register and the public notice.

Views only translate. Every id in a URL is looked up among the viewer's own rows (their entries,
their sheets) or among published results, so someone else's is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from members.selectors import current_membership
from union_portal.certificates.services import certificates_for
from union_portal.core.errors import ApplicationError, add_to_form

from . import selectors, services
from .models import Contest, Criterion, Mark, SheetState

PAGE_SIZE = 30


class EnterForm(forms.Form):
    project_title = forms.CharField(label=gettext_lazy("project"), max_length=200, required=False)


class TeamEnterForm(forms.Form):
    """A team leader enters their work team (班组): its name and the card numbers of the team-mates."""

    team_name = forms.CharField(label=gettext_lazy("work team"), max_length=100)
    team_members = forms.CharField(
        label=gettext_lazy("team-mates' membership card numbers"),
        widget=forms.Textarea(attrs={"rows": 4, "inputmode": "numeric"}),
        help_text=gettext_lazy("One card number a line (you are the team leader and need not be listed)."),
    )
    project_title = forms.CharField(label=gettext_lazy("project"), max_length=200, required=False)

    def cards(self) -> list[str]:
        return self.cleaned_data["team_members"].replace(",", "\n").replace("，", "\n").split()


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    member = membership if membership is not None and membership.status == "active" else None
    entries = selectors.entry_list(viewer=request.user).filter(people__member__user=request.user).distinct()
    context = {
        "membership": membership,
        "open_contests": selectors.open_contests_for(member, day=timezone.localdate()),
        "entries": entries,
        "honours": selectors.member_honours(user=request.user),
        "is_judge": hasattr(request.user, "judge"),
    }
    return render(request, "competitions/home.html", context)


@never_cache
@login_required
def enter(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is None or membership.status != "active":
        messages.info(request, _("Contests are for union members: your membership must be active to enter."))
        return redirect("contests:home")
    contest = get_object_or_404(selectors.open_contests_for(membership, day=timezone.localdate()), pk=pk)
    form_class = TeamEnterForm if contest.is_team else EnterForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        team = (
            {"team_name": form.cleaned_data["team_name"], "team_cards": form.cards()}
            if contest.is_team
            else {}
        )
        try:
            entry = services.entry_register(
                contest=contest,
                member=membership,
                by=request.user,
                project_title=form.cleaned_data["project_title"],
                **team,
            )
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("You have entered the contest."))
            return redirect("contests:entry", entry.pk)
    return render(request, "competitions/enter.html", {"contest": contest, "form": form})


@never_cache
@login_required
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        selectors.entry_list(viewer=request.user).filter(people__member__user=request.user).distinct(), pk=pk
    )
    certificate = certificates_for(entry).filter(revoked_at__isnull=True).first()
    return render(
        request,
        "competitions/entry.html",
        {"entry": entry, "award": services.award_label(entry), "certificate": certificate},
    )


def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The published results of a contest (public): ranks, masked names, unions, prizes."""
    contest = get_object_or_404(
        Contest.objects.filter(status="published").select_related("organisation"), pk=pk
    )
    page = Paginator(selectors.published_results(contest.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "competitions/results.html", {"contest": contest, "page": page})


@never_cache
@login_required
def judge_home(request: HttpRequest) -> HttpResponse:
    sheets = selectors.judge_sheets(user=request.user)
    return render(request, "competitions/judge_home.html", {"sheets": sheets})


class SheetForm(forms.Form):
    def __init__(self, *args, criteria, marks, locked, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.part.get_kind_display()} · {criterion.name}",
                help_text=_("at most %(max)s") % {"max": criterion.max_marks},
                min_value=0,
                max_value=criterion.max_marks,
                decimal_places=2,
                required=False,
                initial=marks.get(criterion.pk),
                disabled=locked,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
            )

    def marks(self) -> dict:
        return {int(k.split("_")[1]): v for k, v in self.cleaned_data.items() if k.startswith("criterion_")}


@never_cache
@login_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = get_object_or_404(selectors.judge_sheets(user=request.user), pk=pk)
    criteria = Criterion.objects.filter(part__contest_id=sheet.entry.contest_id).select_related("part")
    marks = dict(Mark.objects.filter(sheet=sheet).values_list("criterion_id", "marks"))
    locked = sheet.state != SheetState.OPEN
    form = SheetForm(request.POST or None, criteria=criteria, marks=marks, locked=locked)
    if request.method == "POST" and not locked and form.is_valid():
        try:
            services.sheet_mark(
                sheet=sheet, by=request.user, marks=form.marks(), submit="submit" in request.POST
            )
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("Marks submitted.") if "submit" in request.POST else _("Marks saved.")
            )
            return redirect("contests:sheet", sheet.pk)
    return render(request, "competitions/sheet.html", {"sheet": sheet, "form": form, "locked": locked})


def register(request: HttpRequest) -> HttpResponse:
    """The public register of honours (names of people masked)."""
    page = Paginator(selectors.public_register(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "competitions/register.html", {"page": page})


def notice(request: HttpRequest) -> HttpResponse:
    """The shortlists under public notice (公示) today."""
    rows = selectors.public_notice(day=timezone.localdate())
    return render(request, "competitions/notice.html", {"rows": rows})


class ObjectionForm(forms.Form):
    content = forms.CharField(
        label=gettext_lazy("objection"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "What you know about the nominee's deeds or conduct, with facts that can be checked."
        ),
    )
    raised_by = forms.CharField(
        label=gettext_lazy("name to record (optional)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Leave empty to object anonymously towards the nominee; staff see your account."
        ),
    )


@never_cache
@login_required
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise an objection to a nomination under public notice today (signed in; kept with the account)."""
    nomination = get_object_or_404(selectors.public_notice(day=timezone.localdate()), pk=pk)
    form = ObjectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_raise(nomination=nomination, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Your objection was received. You will be told the outcome."))
            return redirect("contests:notice")
    return render(request, "competitions/objection.html", {"nomination": nomination, "form": form})


def profile_honours(*, request: HttpRequest) -> str:
    """The member's honours for their portal profile (``PROFILE_SECTIONS``)."""
    honours = list(selectors.member_honours(user=request.user))
    if not honours:
        return ""
    return render_to_string("competitions/_profile_honours.html", {"honours": honours}, request=request)


PROFILE_SECTIONS = [profile_honours]

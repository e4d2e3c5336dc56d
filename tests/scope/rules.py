"""What the scope walk needs to know about each route: the one place a new app adds its rules.

The walk (``test_scope_walk.py``) collects every URL of the admin, the API router and the portal
from the resolver. A route it cannot classify fails the walk, so a new route cannot ship without a
rule. Each app adds:

- ``VICTIMS[Model] = fn(world) -> obj``: an object of the *other* town (town B) or of another
  member, for every model that is scoped to organisations or people;
- ``UNSCOPED_ADMIN_MODELS``: admin models that are not scoped by organisation, reachable only with a
  permission the walking roles do not have (superuser tooling: beat schedules, API keys, axes);
- ``ADMIN_EXTRA_URLS`` / ``PORTAL_URLS`` / ``API_COMMAND_URLS``: how to fill the arguments of
  custom routes, or why a route is public.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from members.models import BenefitMerchant, ImportJob, Member, MembershipEvent
from union_portal.accounts.models import User
from union_portal.api.models import APIKey
from union_portal.core.models import AccessLog
from union_portal.organisations.models import Enterprise, Organisation

# -- objects that must stay invisible to town A's staff and to other members -----------------------

VICTIMS = {
    Organisation: lambda w: w.tree.union_b,
    Enterprise: lambda w: w.tree.union_b.enterprise,
    Member: lambda w: w.victim_member,
    MembershipEvent: lambda w: w.victim_member.events.first(),
    BenefitMerchant: lambda w: w.victim_merchant,
    ImportJob: lambda w: w.victim_import_job,
    User: lambda w: w.people.town_b_staff,
}

#: Who may see a victim (a positive control: the walk fails if they cannot, so it can fail at all).
ALLOWED_ROLES = {"district_staff", "town_b_staff"}

#: Admin models with no organisation scope: only superusers or holders of a permission no walking
#: role has. The walk checks that every walking role is denied on all their URLs.
UNSCOPED_ADMIN_MODELS = {
    Group, APIKey, AccessLog,
    PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule,
}  # fmt: skip
UNSCOPED_ADMIN_APPS = {"axes", "django_celery_beat"}

#: Admin URLs that are not per-model: their names, and why they hold nothing of another town.
ADMIN_SITE_URLS = {
    "index": "dashboard of apps the user may use",
    "login": "public",
    "logout": "own session",
    "password_change": "own password",
    "password_change_done": "own password",
    "autocomplete": "scoped by each ModelAdmin.get_search_results / get_queryset",
    "jsi18n": "public strings",
    "view_on_site": "redirect to get_absolute_url after the admin's own permission check",
    "app_list": "dashboard of one app",
}

#: Custom admin URLs with arguments other than object_id: url name -> {argument: the model whose victim
#: fills it, or a literal value for arguments that name no object}.
ADMIN_EXTRA_URLS: dict[str, dict[str, type | str]] = {
    "auth_user_password_change": {"id": User},
    "members_member_import_job": {"job_id": ImportJob},
    "members_member_import_confirm": {"job_id": ImportJob},
    "members_member_import_cancel": {"job_id": ImportJob},
    "members_member_import_template": {"fmt": "csv"},
    "organisations_enterprise_import_job": {"job_id": ImportJob},
    "organisations_enterprise_import_confirm": {"job_id": ImportJob},
    "organisations_enterprise_import_cancel": {"job_id": ImportJob},
    "organisations_enterprise_import_template": {"fmt": "csv"},
}

#: Portal URLs: name -> ("public", reason) | ("own", reason) for pages without ids that show only the
#: viewer's own records | (Model, kwarg) for pages whose id must not reach another's object.
PORTAL_URLS: dict[str, tuple] = {
    "portal:home": ("own", "the viewer's own summary"),
    "portal:login": ("public", "login form"),
    "portal:logout": ("own", "ends the viewer's session"),
    "portal:apply": ("public", "application form"),
    "portal:activate": (
        "public",
        "asks for ID number and mobile; answers the same whether they match or not",
    ),
    "portal:status": ("own", "the viewer's own applications"),
    "portal:status_detail": (Member, "pk"),
    "portal:profile": ("own", "the viewer's own data"),
    "portal:card": ("own", "the viewer's own card"),
    "portal:verify": ("public", "card check: valid or not and a masked name, rate-limited"),
    "portal:proxy_list": ("own", "what the proxy agent filed"),
    "portal:proxy_apply": ("own", "a proxy agent's form, unions limited to their area"),
    "portal:proxy_detail": (Member, "pk"),
}

#: API routes outside the router's model viewsets: name -> reason.
API_COMMAND_URLS = {
    "v1:card-verify": "answers valid/invalid and a masked name only, throttled per key",
    "v1:api-root": "list of endpoints",
}


# -- hardship aid (assistance/) and the inbox (notifications/) ------------------------------------------


def _aid(w):
    """Town B's hardship-aid records of the victim member, made once per world through the services."""
    cached = w.__dict__.get("_aid")
    if cached is not None:
        return cached
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from assistance import services as aid
    from assistance.models import Campaign, HelpCentre, MutualAidScheme, Pairing, Visit
    from union_portal.notifications.models import Notification

    staff, today = w.people.district_staff, timezone.localdate()
    file = aid.hardship_file_open(
        member=w.victim_member,
        by=staff,
        level="severe",
        causes=["illness"],
        household=[{"name": "外镇秘密会员", "relation": "self", "age": 40, "monthly_income": "1000"}],
    )
    campaign = aid.campaign_save(
        campaign=Campaign(
            kind="festival",
            name="乐平秘密送温暖",
            year=today.year,
            festival="spring",
            organisation=w.tree.town_b,
            budget=Decimal("10000"),
            standard_amount=Decimal("500"),
            opens_on=today - dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=30),
        ),
        by=staff,
    )
    scheme = MutualAidScheme.objects.create(
        name="乐平秘密互助",
        year=today.year,
        organisation=w.tree.town_b,
        deductible=Decimal("100"),
        ratio=Decimal("0.5"),
        annual_cap=Decimal("1000"),
        enrol_opens_on=today,
        enrol_closes_on=today,
    )
    application = aid.application_submit(
        member=w.victim_member,
        by=w.victim_user,
        kind="festival",
        data={"reason": "外镇秘密困难", "campaign": campaign},
    )
    document = aid.document_add(
        application=application,
        by=w.victim_user,
        upload=SimpleUploadedFile("外镇秘密.pdf", b"%PDF-1.4 secret"),
    )
    aid.application_check(application=application, by=staff)
    aid.application_approve(application=application, by=staff)
    aid.application_pay(application=application, by=staff, method="cash")
    cached = {
        "file": file, "campaign": campaign, "scheme": scheme, "application": application, "document": document,
        "payment": application.payment,
        "enrolment": aid.mutual_aid_enrol(scheme=scheme, member=w.victim_member, by=staff, on=today),
        "centre": HelpCentre.objects.create(name="乐平秘密帮扶站", organisation=w.tree.town_b, address="乐平"),
        "visit": Visit.objects.create(file=file, visited_on=today, visitors="乐平秘密走访", recorded_by=staff),
        "pairing": Pairing.objects.create(file=file, helper_name="乐平秘密帮扶人", starts_on=today),
        "notification": Notification.objects.create(recipient=w.victim_user, kind="t", title="外镇秘密消息", key="walk"),
    }  # fmt: skip
    w.__dict__["_aid"] = cached
    return cached


def _register_aid_rules():
    from assistance import models as aid
    from union_portal.notifications.models import Notification

    VICTIMS.update({
        aid.HelpCentre: lambda w: _aid(w)["centre"],
        aid.HardshipFile: lambda w: _aid(w)["file"],
        aid.Campaign: lambda w: _aid(w)["campaign"],
        aid.MutualAidScheme: lambda w: _aid(w)["scheme"],
        aid.MutualAidEnrolment: lambda w: _aid(w)["enrolment"],
        aid.AidApplication: lambda w: _aid(w)["application"],
        aid.Payment: lambda w: _aid(w)["payment"],
        aid.Document: lambda w: _aid(w)["document"],
        aid.Visit: lambda w: _aid(w)["visit"],
        aid.Pairing: lambda w: _aid(w)["pairing"],
        Notification: lambda w: _aid(w)["notification"],
    })  # fmt: skip
    ADMIN_EXTRA_URLS["assistance_campaign_payments"] = {"fmt": "csv"}
    PORTAL_URLS.update({
        "aid:home": ("own", "the viewer's own applications and what they filed"),
        "aid:apply": ("own", "the viewer applies for themselves"),
        "aid:proxy_apply": ("own", "a proxy agent's form; the member is looked up within their area"),
        "aid:detail": (aid.AidApplication, "pk"),
        "aid:withdraw": (aid.AidApplication, "pk"),
        "aid:upload": (aid.AidApplication, "pk"),
        "aid:document": (aid.Document, "pk"),
        "notifications:inbox": ("own", "the viewer's own messages"),
        "notifications:open": (Notification, "pk"),
        "notifications:read_all": ("own", "marks the viewer's own messages"),
    })  # fmt: skip
    for step in ("check", "approve", "reject", "pay", "close", "withdraw"):
        API_COMMAND_URLS[f"v1:aid-application-{step}"] = (
            "looks the application up among those the caller sees (404)"
        )
    API_COMMAND_URLS["v1:aid-figures"] = "aggregates only, with assistance.view_aid_figures"


_register_aid_rules()

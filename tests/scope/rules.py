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

from members.models import BenefitMerchant, Member, MembershipEvent
from union_portal.accounts.models import User
from union_portal.api.models import APICall, APIKey
from union_portal.core.models import AccessLog
from union_portal.imports.models import ImportJob
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

#: Admins that answer "may add" / "may change" by a rule of their own instead of the model's permission,
#: on purpose: "app_label.Model" -> {"add" | "change": why}. The generic per-model tests
#: (``test_allowed.py``) hold every other admin to exactly the role's permissions.
ADMIN_OWN_RULES: dict[str, dict[str, str]] = {
    "assistance.AidApplication": {"add": "filed in the portal or through the API, by the service"},
    "certificates.Certificate": {"add": "issued by the apps' services (a prize, an honour, service hours)"},
    "competitions.ScoreSheet": {"add": "made by assigning a judge (the contest's action, the API)"},
    "legal_aid.DisputeCase": {"change": "a case moves only through its steps (advance, refer, close)"},
    "quiz.QuizMonth": {"change": "its page edits the prize tiers: the prize-tier permission decides"},
    "volunteers.Signup": {"add": "written only by the services", "change": "written only by the services"},
    "volunteers.ServiceRecord": {"add": "written only by the services (verified by the admin's actions)"},
}

#: The record an API list or detail route must show those who may, when it is not the model's victim:
#: router basename -> fn(world) -> obj (members' applications are members not yet approved).
API_VICTIMS: dict[str, object] = {"application": lambda w: w.victim_application}

#: Admin models with no organisation scope: only superusers or holders of a permission no walking
#: role has. The walk checks that every walking role is denied on all their URLs.
UNSCOPED_ADMIN_MODELS = {
    Group, APIKey, APICall, AccessLog,
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
    "portal:password_reset": (
        "public",
        "asks for a mobile; answers the same whether it has a login or not",
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


#: Bodies the walk POSTs to command routes (viewset actions) on a victim: url name -> fn(world) -> payload.
#: A role that may not act gets 404 (or 401/403 without the model permission) and the victim is
#: unchanged; the actor who may gets a 2xx on a fresh victim (the walk's positive control).
#: A list route with a payload here is a create: a role that may not must not create anything.
COMMANDS: dict[str, object] = {
    "v1:member-transfer": lambda w: {"to_union": w.tree.union_a.pk, "reason": "调动"},
    "v1:member-end": lambda w: {"status": "withdrawn", "reason": "离职"},
    "v1:member-reveal": lambda w: {"reason": "核对身份信息"},
    "v1:application-approve": lambda w: {},
    "v1:application-reject": lambda w: {"reason": "资料不全"},
    "v1:member-list": lambda w: {
        "name": "越权会员",
        "id_number": "440607199001011234",
        "mobile": "13712345678",
        "union": w.tree.union_b.pk,
        "household_type": "local",
    },
}
#: The object a command acts on when it is not the model's victim (a fresh one in the state the
#: command needs, so that the positive control can succeed): url name -> fn(world) -> object.
COMMAND_VICTIMS: dict[str, object] = {
    "v1:member-transfer": lambda w: _fresh_member(w),
    "v1:member-end": lambda w: _fresh_member(w),
    "v1:application-approve": lambda w: _fresh_member(w, active=False),
    "v1:application-reject": lambda w: _fresh_member(w, active=False),
}
#: Who may run a command, when it is not the district staff: url name -> fn(world) -> user.
COMMAND_ACTORS: dict[str, object] = {}
#: Arguments of public portal routes other than a card number: url name -> {argument: fn(world) -> value}
#: (the code of a certificate for its public check).
PORTAL_ARGS: dict[str, dict] = {}


def UPDATE_PAYLOAD(w) -> dict:  # noqa: N802 - a rule, read like the constants beside it
    """What the walk sends to PUT/PATCH/DELETE a victim."""
    return {"name": "HACKED", "reason": "x", "to_union": w.tree.union_a.pk, "status": "withdrawn"}


def _fresh_member(w, *, active: bool = True):
    from ..members.factories import make_member

    return make_member(w.tree.union_b, active=active, name="外镇新会员")


# -- each app's rules: tests/<app>/scope_rules.py with register(rules) ---------------------------------


def _discover() -> None:
    import importlib
    import sys
    from pathlib import Path

    rules = sys.modules[__name__]
    for path in sorted(Path(__file__).resolve().parent.parent.glob("*/scope_rules.py")):
        importlib.import_module(f"tests.{path.parent.name}.scope_rules").register(rules)


_discover()

"""Walk every route of the admin, the API and the portal as every role, looking for leaks.

Routes come from the URL resolver and the API router, so a new app's routes are walked without
editing this file; a route the walk cannot classify fails it (add its rule to ``rules.py``).
For each route that can show or change an object of another town or another member, it asserts
that the object is not listed, not readable, not writable, and that a denied write changed nothing.
Allowed roles are checked too (a positive control), so the walk can fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient, APIRequestFactory

from members.models import Member
from union_portal.accounts.models import User
from union_portal.core.models import AccessLog

from ..accounts.factories import make_user
from ..members.factories import make_member
from . import rules
from .world import World
from .world import user_for as _user_for

ROLES = [
    "anonymous", "member", "proxy_agent", "union_officer", "town_a_staff", "town_b_staff", "district_staff",
]  # fmt: skip
#: The API is walked with a partner key too (a service user of town A).
API_ROLES = [*ROLES, "partner"]
CONVERTER = re.compile(
    r"\(\?P<(?P<rname>\w+)>[^)]*\)|<(?:(?P<type>[^>:]+):)?(?P<name>[^>]+)>|(?P<anon>\(\[\^/\]\+\))"
)
WALKED: dict[str, set] = {"admin": set(), "api": set(), "portal": set()}


def _param_names(route: str) -> list[str]:
    names, anonymous = [], 0
    for m in CONVERTER.finditer(route):
        if m.group("anon"):
            names.append(f"arg{anonymous}")
            anonymous += 1
        else:
            names.append(m.group("rname") or m.group("name"))
    return names


def _fill(route: str, values: dict) -> str:
    names = iter(_param_names(route))
    filled = CONVERTER.sub(lambda m: str(values[next(names)]), route)
    return filled.lstrip("^").rstrip("$").replace("\\", "")


def _params(route: str) -> list[str]:
    return _param_names(route)


def _walk(resolver, prefix="", namespace=""):
    """(full route, full name, pattern) for every URL pattern below ``resolver``."""
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _walk(entry, prefix + route, f"{namespace}:{ns}".strip(":") if ns else namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else None
            yield prefix + route, name, entry


def _snapshot(obj) -> tuple:
    fresh = type(obj)._default_manager.model.objects.filter(pk=obj.pk).values().first()
    history = obj.history.count() if hasattr(obj, "history") else None
    return fresh, history, AccessLog.objects.count(), type(obj).objects.count()


def _victim_texts(obj) -> list[str]:
    texts = [str(obj)]
    if isinstance(obj, Member):
        texts += [obj.id_number, obj.masked_id_number] + ([obj.card_number] if obj.card_number else [])
    return [t for t in texts if t]


def _assert_hidden(response, obj, where):
    if (
        response.status_code != 200
        or "html" not in response.get("Content-Type", "")
        and "json" not in response.get("Content-Type", "")
    ):
        return
    body = response.content.decode(errors="replace")
    for text in _victim_texts(obj):
        assert text not in body, f"{where}: shows {text!r} of another town or member"


# --- admin ----------------------------------------------------------------------------------------


def _admin_routes():
    for model, model_admin in admin.site._registry.items():
        for pattern in model_admin.urls:
            if isinstance(pattern, URLPattern):
                yield model, model_admin, str(pattern.pattern), pattern.name


@pytest.mark.parametrize("role", ROLES)
def test_admin_walk(world, role):
    user = _user_for(world, role)
    client = Client()
    if user is not None:
        client.force_login(user)
    allowed = role in rules.ALLOWED_ROLES
    unknown = []
    for model, _model_admin, route, name in _admin_routes():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        scoped = model in rules.VICTIMS
        if (
            not scoped
            and model not in rules.UNSCOPED_ADMIN_MODELS
            and model._meta.app_label not in rules.UNSCOPED_ADMIN_APPS
        ):
            unknown.append(f"admin model {model._meta.label} has no victim and is not declared unscoped")
            continue
        params = _params(route)
        victim = rules.VICTIMS[model](world) if scoped else model._default_manager.order_by("pk").first()
        values = {}
        for param in params:
            if param in ("object_id", "arg0"):
                values[param] = victim.pk if victim is not None else 999999
            elif (
                param == "arg1" and name and name.endswith("_simple_history")
            ):  # <object_id>/history/<history_id>/
                latest = victim.history.order_by("-history_id").first() if victim is not None else None
                values[param] = latest.history_id if latest else 999999
            elif param in rules.ADMIN_EXTRA_URLS.get(name, {}):
                filler = rules.ADMIN_EXTRA_URLS[name][param]
                values[param] = rules.VICTIMS[filler](world).pk if isinstance(filler, type) else filler
                if isinstance(filler, type):
                    victim = rules.VICTIMS[filler](world)
            else:
                unknown.append(f"admin url {name or route} of {model._meta.label}: no rule for <{param}>")
        if unknown and unknown[-1].startswith("admin url"):
            continue
        url = base + _fill(route, values)
        WALKED["admin"].add(name or url)
        if scoped and allowed:
            continue  # allowed roles are checked by the positive control below
        response = client.get(url)
        if victim is None:
            continue
        if not scoped:
            assert response.status_code in (302, 403, 404), f"{role} reached unscoped admin {url}"
            continue
        if params:
            before = _snapshot(victim)
            assert response.status_code in (302, 403, 404) or victim_hidden(response, victim), (
                f"{role} read {url}"
            )
            client.post(url, {"name": "HACKED", "reason": "x", "confirm": "1"})
            assert _snapshot(victim) == before, f"{role} changed {victim!r} through {url}"
        else:
            if response.status_code == 200 and response.context and "cl" in response.context:
                assert victim.pk not in {o.pk for o in response.context["cl"].result_list}, (
                    f"{role} lists it: {url}"
                )
            _assert_hidden(response, victim, f"{role} GET {url}")
    assert not unknown, "\n".join(unknown)


def victim_hidden(response, victim) -> bool:
    body = response.content.decode(errors="replace")
    return all(text not in body for text in _victim_texts(victim))


@pytest.mark.parametrize("role", sorted(rules.ALLOWED_ROLES))
def test_admin_positive_control(world, role):
    client = Client()
    client.force_login(_user_for(world, role))
    for model in rules.VICTIMS:
        if model not in admin.site._registry:
            continue
        victim = rules.VICTIMS[model](world)
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{victim.pk}/change/"
        response = client.get(url)
        assert response.status_code == 200, f"{role} cannot open {url}: the walk would prove nothing"


# --- API -------------------------------------------------------------------------------------------


def _api_client(world: World, role: str) -> APIClient:
    client = APIClient()
    if role == "partner":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.partner_secret}")
    else:
        user = _user_for(world, role)
        if user is not None:
            client.force_authenticate(user)
    return client


@dataclass
class ApiRoute:
    name: str  # "v1:<basename>-<suffix>"
    route: str
    model: type
    methods: set  # the HTTP methods the route answers
    detail: bool


def _api_routes() -> list[ApiRoute]:
    """Every route of the router (viewset routes and their actions), with its model."""
    from union_portal.api.urls import router

    superuser = User.objects.filter(username="walk-root").first() or make_user(
        None, None, username="walk-root", is_superuser=True, is_staff=True
    )
    models = {}
    for _prefix, viewset, basename in router.registry:
        view = viewset()
        view.request = APIRequestFactory().get("/")
        view.request.user = superuser
        view.format_kwarg = None
        view.action = "list"
        view.kwargs = {}
        models[basename] = view.get_queryset().model
    routes = []
    for pattern in router.urls:
        route, name = str(pattern.pattern), pattern.name
        if "format" in _params(route) or name == "api-root":
            continue
        basename = max((b for b in models if name.startswith(b + "-")), key=len)
        methods = {
            method for method in getattr(pattern.callback, "actions", {}) if method not in ("options", "head")
        }  # DRF adds head on the first request
        routes.append(ApiRoute(f"v1:{name}", route, models[basename], methods, "pk" in _params(route)))
    return routes


def _denied(user, model, status: int, method: str) -> bool:
    """What a caller may get for a row outside their scope: 401/403 when they may not take this kind of
    action on the model at all (view for reads and commands, change for updates), else 404: the row
    does not exist for them (a 403 would confirm that it exists)."""
    if status == 405 and method != "get":
        return True
    if user is None:
        return status in (401, 403)
    codename = {"put": "change", "patch": "change", "delete": "delete"}.get(method, "view")
    if user.has_perm(f"{model._meta.app_label}.{codename}_{model._meta.model_name}"):
        return status == 404
    return status in (403, 404)


def walk_api(world: World, role: str) -> None:
    """Everything a role must not reach through the API: lists, reads, updates and every command."""
    client = _api_client(world, role)
    user = world.partner_user if role == "partner" else _user_for(world, role)
    unknown = []
    api_routes = _api_routes()
    for api_route in api_routes:
        name, model = api_route.name, api_route.model
        WALKED["api"].add(name)
        if model not in rules.VICTIMS and name not in rules.COMMAND_VICTIMS:
            unknown.append(f"api route {name}: no victim for {model._meta.label}")
            continue
        commands = api_route.methods - {"get", "put", "patch", "delete"}
        if api_route.detail and commands and name not in rules.COMMANDS:
            unknown.append(f"api command {name}: add its payload to rules.COMMANDS")
            continue
        victim = (rules.COMMAND_VICTIMS.get(name) or rules.VICTIMS[model])(world)
        url = "/api/v1/" + _fill(api_route.route, {"pk": victim.pk})
        if not api_route.detail:
            if "get" in api_route.methods:
                response = client.get(url)
                if response.status_code == 200:
                    ids = {row.get("id") for row in response.json().get("results", [])}
                    assert victim.pk not in ids, f"{role} lists {victim!r} at {url}"
                    _assert_hidden(response, victim, f"{role} GET {url}")
            if "post" in api_route.methods and name in rules.COMMANDS:
                before = type(victim).objects.count()
                response = client.post(url, rules.COMMANDS[name](world), format="json")
                assert response.status_code >= 400, f"{role} created through {url}: {response.status_code}"
                assert type(victim).objects.count() == before, f"{role} created a row through {url}"
            continue
        before = _snapshot(victim)
        if "get" in api_route.methods:
            response = client.get(url)
            assert _denied(user, model, response.status_code, "get"), (
                f"{role} GET {url}: {response.status_code} {response.content[:200]!r}"
            )
        payload = rules.COMMANDS[name](world) if name in rules.COMMANDS else rules.UPDATE_PAYLOAD(world)
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, payload, format="json")
            assert _denied(user, model, response.status_code, method), (
                f"{role} {method.upper()} {url}: {response.status_code} {response.content[:200]!r}"
            )
        assert _snapshot(victim) == before, f"{role} changed {victim!r} through {url}"
    for route, name, _pattern in _walk(get_resolver()):
        if route.startswith("api/v1/") and name and name not in {r.name for r in api_routes}:
            if name not in rules.API_COMMAND_URLS and name != "v1:api-root":
                unknown.append(f"api url {name}: add a rule to rules.API_COMMAND_URLS")
            WALKED["api"].add(name)
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize("role", [r for r in API_ROLES if r not in rules.ALLOWED_ROLES])
def test_api_walk(world, role):
    walk_api(world, role)


@pytest.mark.parametrize("role", sorted(rules.ALLOWED_ROLES))
def test_api_positive_control(world, role):
    """Those who may see town B read its member: without this, the walk could pass by refusing everyone."""
    response = _api_client(world, role).get(f"/api/v1/members/{world.victim_member.pk}/")
    assert response.status_code == 200 and response.json()["name"] == "外镇秘密会员"


def test_every_command_works_for_someone_who_may(world):
    """Each command's payload and victim are right: the actor who may (district staff, or the rule's
    actor) gets a 2xx on a fresh victim. Otherwise a denied role's 4xx would prove nothing."""
    checked = []
    for api_route in _api_routes():
        if not api_route.detail or not api_route.methods - {"get", "put", "patch", "delete"}:
            continue
        name = api_route.name
        actor = rules.COMMAND_ACTORS.get(name, lambda w: w.people.district_staff)(world)
        victim = rules.COMMAND_VICTIMS.get(name, rules.VICTIMS.get(api_route.model))(world)
        client = APIClient()
        client.force_authenticate(actor)
        url = "/api/v1/" + _fill(api_route.route, {"pk": victim.pk})
        response = client.post(url, rules.COMMANDS[name](world), format="json")
        assert 200 <= response.status_code < 300, (
            f"{name} as {actor}: {response.status_code} {response.content!r}"
        )
        checked.append(name)
    assert {"v1:aid-application-approve", "v1:member-transfer", "v1:application-reject"} <= set(checked)


def test_the_walk_fails_when_a_view_forgets_its_scope(world, monkeypatch):
    """A mutation test of the walk: take the scope out of the aid viewset (the service still checks),
    and the walk must notice, on the read and on the commands (a 403 from the service instead of the
    view's 404 confirms that another town's application exists)."""
    from assistance.api import AidApplicationViewSet
    from assistance.models import AidApplication

    monkeypatch.setattr(AidApplicationViewSet, "get_queryset", lambda self: AidApplication.objects.all())
    with pytest.raises(AssertionError, match="aid/applications/"):
        walk_api(world, "town_a_staff")


def test_the_walk_fails_when_only_the_commands_forget_their_scope(world, monkeypatch):
    """A mutation test of the walk: the aid commands look the application up unscoped (the service still
    refuses), as the old command views could; the walk must fail on the commands' POST."""
    from assistance.api import AidApplicationViewSet
    from assistance.models import AidApplication

    def unscoped_step(self, service, input_serializer):
        application = AidApplication.objects.get(pk=self.kwargs["pk"])
        data = self.command_input(input_serializer)
        return self.render(service(application=application, by=self.request.user, **data))

    monkeypatch.setattr(AidApplicationViewSet, "step", unscoped_step)
    with pytest.raises(AssertionError, match=r"POST /api/v1/aid/applications/\d+/\w+/: 403"):
        walk_api(world, "town_a_staff")


def test_the_walk_fails_when_a_command_changes_another_towns_row(world, monkeypatch):
    """A mutation test: a members command whose view and service both forget the scope changes town B's
    member; the walk must fail on the change, not only on the status code."""
    from members import api as members_api
    from members.models import Member

    monkeypatch.setattr(members_api.MemberViewSet, "get_queryset", lambda self: Member.objects.all())
    monkeypatch.setattr("members.services.require_visible", lambda user, obj: None)
    with pytest.raises(AssertionError, match="changed|members/"):
        walk_api(world, "town_a_staff")


def test_proxy_agent_api_walk_shows_only_what_they_filed(world):
    """A proxy agent sees what they filed, in every API list and read as in the portal (issue 18.4): a
    member of their own area whom they did not file for appears nowhere."""
    neighbour = make_member(world.tree.union_a, name="本镇非代办会员")
    filed = make_member(world.tree.union_a, name="本镇代办会员")
    Member.objects.filter(pk=filed.pk).update(filed_by=world.people.proxy_a)
    client = _api_client(world, "proxy_agent")
    listed_filed = False
    for api_route in _api_routes():
        if api_route.detail or "get" not in api_route.methods:
            continue
        url = "/api/v1/" + _fill(api_route.route, {})
        response = client.get(url)
        if response.status_code != 200:
            continue
        _assert_hidden(response, neighbour, f"proxy agent GET {url}")
        if api_route.model is Member:
            ids = {row.get("id") for row in response.json().get("results", [])}
            assert neighbour.pk not in ids, f"proxy agent lists a member they did not file at {url}"
            listed_filed |= filed.pk in ids
    assert listed_filed, "the positive control: the member the agent filed is listed"
    assert client.get(f"/api/v1/members/{neighbour.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{filed.pk}/").status_code == 200


# --- portal and everything else outside admin and API ---------------------------------------------

OTHER_PUBLIC = {
    None: "unnamed redirects and static helpers",
    "healthz": "liveness",
    "set_language": "language switch",
}


@pytest.mark.parametrize("role", [*ROLES, "victim_self"])
def test_portal_walk(world, role):
    user = world.victim_user if role == "victim_self" else _user_for(world, role)
    client = Client()
    if user is not None:
        client.force_login(user)
    denied = role not in rules.ALLOWED_ROLES and role != "victim_self"
    unknown = []
    for route, name, _pattern in _walk(get_resolver()):
        if route.startswith(("admin/", "api/")):
            continue
        if name not in rules.PORTAL_URLS:
            if name in OTHER_PUBLIC or (name is None and not _params(route)):
                continue
            unknown.append(f"route {name or route}: add a rule to rules.PORTAL_URLS")
            continue
        rule = rules.PORTAL_URLS[name]
        WALKED["portal"].add(name)
        victim = world.victim_member
        args = rules.PORTAL_ARGS.get(name, {})
        values = {
            p: (victim.card_number if p == "card_number" else args[p](world) if p in args else None)
            for p in _params(route)
        }
        if isinstance(rule[0], type):
            model, kwarg = rule
            victim = (
                world.victim_application
                if model is Member and "proxy" in name
                else rules.VICTIMS[model](world)
            )
            values[kwarg] = victim.pk
        missing = [p for p, v in values.items() if v is None]
        if missing:
            unknown.append(f"route {name}: no value for {missing}")
            continue
        url = "/" + _fill(route, values)
        response = client.get(url)
        if not denied:
            continue
        if isinstance(rule[0], type):
            assert response.status_code in (302, 403, 404) or victim_hidden(response, victim), (
                f"{role} read {url}"
            )
            before = _snapshot(victim)
            client.post(url, {"reason": "x", "name": "HACKED"})
            assert _snapshot(victim) == before, f"{role} changed {victim!r} via {url}"
        elif rule[0] == "public" and name == "portal:verify":
            assert "外镇秘密会员" not in response.content.decode(), "verify shows a full name"
        else:
            _assert_hidden(response, world.victim_member, f"{role} GET {url}")
    assert not unknown, "\n".join(unknown)


def test_walk_covers_every_area(world):
    """Counts what the walk reaches, so a broken collector shows up as a failure, not as silence."""
    from union_portal.api.urls import router

    admin_urls = sum(1 for _ in _admin_routes())
    api_urls = sum(1 for p in router.urls if "format" not in _params(str(p.pattern)))
    portal_urls = sum(1 for r, n, _ in _walk(get_resolver()) if n in rules.PORTAL_URLS)
    assert admin_urls >= 60 and api_urls >= 10 and portal_urls >= 10, (admin_urls, api_urls, portal_urls)
    print(f"scope walk: {admin_urls} admin, {api_urls} API, {portal_urls} portal routes x {len(ROLES)} roles")

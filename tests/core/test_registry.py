"""Discovery: the platform finds what each app declares, and names no app itself."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from union_portal.core.figures import Period
from union_portal.core.registry import app_modules, project_app_configs


def test_the_platform_imports_no_domain_app():
    # the arrows point one way: union_portal/ never imports an app (it discovers them)
    apps = {"members", "assistance", "legal_aid", "competitions", "volunteers"}
    offenders = []
    for path in (Path(settings.BASE_DIR) / "union_portal").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.strip().split()
            if words[:1] in (["import"], ["from"]) and words[1].split(".")[0] in apps:
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {line.strip()}")
    assert offenders == []


def test_only_the_projects_apps_are_asked():
    labels = [config.label for config in project_app_configs()]
    assert {"members", "assistance", "organisations", "accounts"} <= set(labels)
    assert not {"admin", "rest_framework", "axes", "simple_history"} & set(labels)


def test_api_routes_and_portal_urls_are_discovered():
    from django.urls import reverse

    from union_portal.api.urls import router

    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    declared = {prefix for _config, module in app_modules("api") for prefix, _v, _b in module.ROUTES}
    assert prefixes == declared and {"members", "aid/applications"} <= prefixes
    assert reverse("aid:home") == "/portal/aid/" and reverse("portal:home") == "/portal/"


def test_role_permissions_are_the_union_of_what_apps_declare():
    from union_portal.accounts.roles import Role, role_permissions

    perms = role_permissions()
    assert "assistance.approve_aidapplication" in perms[Role.DISTRICT_STAFF]
    assert "assistance.approve_aidapplication" not in perms[Role.TOWN_STAFF]
    assert "organisations.view_organisation" in perms[Role.UNION_OFFICER]
    assert perms[Role.MEMBER] == []


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period.month(2026, 1), Period.month(2025, 12)),
        (Period.quarter(2026, 1), Period.quarter(2025, 4)),
        (Period.year(2026), Period.year(2025)),
        (
            Period(dt.date(2026, 3, 10), dt.date(2026, 3, 19)),
            Period(dt.date(2026, 2, 28), dt.date(2026, 3, 9)),
        ),
    ],
)
def test_the_period_before(period, previous):
    assert period.previous() == previous


def test_the_same_period_last_year_and_its_months():
    leap = Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert leap.shifted_years(-1) == Period(dt.date(2023, 2, 1), dt.date(2023, 2, 28))
    assert Period(dt.date(2025, 11, 15), dt.date(2026, 2, 1)).months() == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    with pytest.raises(ValueError, match="cannot end before"):
        Period(dt.date(2026, 2, 1), dt.date(2026, 1, 1))

"""Nothing a user entered is hard-deleted: not through the admin, not through the API."""

from django.contrib import admin
from django.test import RequestFactory

from union_portal.core.registry import project_app_configs

from ..accounts.factories import make_user

#: Every app of this project (not a library's): new apps are checked without editing this file.
DOMAIN_APPS = {config.label for config in project_app_configs()}


def test_no_admin_of_ours_offers_delete_even_to_a_superuser(db):
    request = RequestFactory().get("/admin/")
    request.user = make_user(None, None, username="root-del", is_superuser=True, is_staff=True)
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        assert not model_admin.has_delete_permission(request), model._meta.label
        assert "delete_selected" not in model_admin.get_actions(request), model._meta.label
        for inline in model_admin.get_inline_instances(request):
            deletable = inline.can_delete and inline.has_delete_permission(request)
            assert not deletable, f"{model._meta.label} inline {inline.model._meta.label}"
        checked.append(model._meta.label)
    assert {
        "members.Member",
        "organisations.Organisation",
        "organisations.Enterprise",
        "accounts.User",
    } <= set(checked)


def test_no_api_route_maps_delete():
    """No route of the router answers DELETE: no viewset of ours has ``destroy``, and none maps it."""
    from union_portal.api.urls import router

    routes = [pattern for pattern in router.urls if hasattr(pattern.callback, "actions")]
    assert len(routes) >= 10
    offenders = [pattern.name for pattern in routes if "delete" in pattern.callback.actions]
    assert offenders == []
    assert [prefix for prefix, viewset, _b in router.registry if hasattr(viewset, "destroy")] == []


def test_delete_through_the_api_is_refused_and_the_row_stays(tree, people):
    from rest_framework.test import APIClient

    from members.models import Member

    from ..members.factories import make_member

    member = make_member(tree.union_a)
    client = APIClient()
    client.force_authenticate(make_user(None, None, username="root-api", is_superuser=True, is_staff=True))
    assert client.delete(f"/api/v1/members/{member.pk}/").status_code == 405
    assert client.delete(f"/api/v1/enterprises/{tree.union_a.enterprise_id}/").status_code == 405
    assert Member.objects.filter(pk=member.pk).exists()

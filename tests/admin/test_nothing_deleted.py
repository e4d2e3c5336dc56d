"""Nothing a user entered is hard-deleted: not through the admin, not through the API."""

from django.contrib import admin
from django.test import RequestFactory

from union_portal.core.registry import project_app_configs

from ..factories import make_user

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


def test_no_api_endpoint_accepts_delete():
    from union_portal.api.urls import router

    for prefix, viewset, _basename in router.registry:
        assert not hasattr(viewset, "destroy"), prefix
        assert "delete" not in [m.lower() for m in getattr(viewset, "http_method_names", [])] or not hasattr(
            viewset, "destroy"
        ), prefix

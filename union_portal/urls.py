"""The project's URLs. Portal pages are discovered: every app whose ``urls.py`` declares
``PORTAL_PREFIX`` and ``app_name`` is mounted at ``/portal/<PORTAL_PREFIX>`` in that namespace."""

from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from union_portal.core.registry import app_modules
from union_portal.core.views import healthz

admin.site.site_header = admin.site.site_title = format_lazy("三水区总工会 · {}", _("staff workspace"))


def portal_urls() -> list:
    modules = [module for _config, module in app_modules("urls") if hasattr(module, "PORTAL_PREFIX")]
    modules.sort(key=lambda module: -len(module.PORTAL_PREFIX))  # the longest prefix first
    return [
        path(f"portal/{module.PORTAL_PREFIX}", include((module.urlpatterns, module.app_name)))
        for module in modules
    ]


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("healthz/", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("union_portal.api.urls")),
    *portal_urls(),
]

# error pages in the portal's style (the admin's style under /admin/), Chinese by default: the workspace
handler403 = "union_portal.core.views.permission_denied"
handler404 = "union_portal.core.views.page_not_found"
handler500 = "union_portal.core.views.server_error"

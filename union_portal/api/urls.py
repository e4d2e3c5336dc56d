"""The API router. Each installed app declares ``ROUTES`` and ``COMMAND_URLS`` in its ``api.py``;
they are discovered here (``union_portal.core.registry``), so this file names no app."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from union_portal.core.registry import app_modules

router = DefaultRouter()
command_urls = []
for _config, app_api in app_modules("api"):
    for prefix, viewset, basename in getattr(app_api, "ROUTES", ()):
        router.register(prefix, viewset, basename=basename)
    command_urls += getattr(app_api, "COMMAND_URLS", [])

urlpatterns = [
    path("v1/", include((router.urls + command_urls, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]

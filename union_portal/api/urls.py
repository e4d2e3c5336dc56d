"""The API router. Each domain app registers its viewsets in its ``api.py`` via ``ROUTES``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from assistance import api as assistance_api
from members import api as members_api

APPS = [members_api, assistance_api]

router = DefaultRouter()
for app_api in APPS:
    for prefix, viewset, basename in app_api.ROUTES:
        router.register(prefix, viewset, basename=basename)
command_urls = [url for app_api in APPS for url in app_api.COMMAND_URLS]

urlpatterns = [
    path("v1/", include((router.urls + command_urls, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]

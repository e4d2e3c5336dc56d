"""The API router. Each domain app registers its viewsets in its ``api.py`` via ``ROUTES``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from members import api as members_api

router = DefaultRouter()
for prefix, viewset, basename in members_api.ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("v1/", include((router.urls + members_api.COMMAND_URLS, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

"""The API router. Each installed app declares ``ROUTES`` and ``COMMAND_URLS`` in its ``api.py``;
they are discovered here (``union_portal.core.registry``), so this file names no app."""

from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from union_portal.core.registry import app_modules

router = DefaultRouter()
command_urls = []
for _config, app_api in app_modules("api"):
    for prefix, viewset, basename in getattr(app_api, "ROUTES", ()):
        router.register(prefix, viewset, basename=basename)
    command_urls += getattr(app_api, "COMMAND_URLS", [])


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under ``/api/``: the API's JSON 404, never Django's HTML page (also with DEBUG on)."""

    #: No key scope to grant: it answers nothing (``scopes.known_scopes`` skips it).
    scoped = False
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()

    def initial(self, request, *args, **kwargs):
        raise NotFound(_("There is no such endpoint: see /api/schema/."))

    def options(self, request, *args, **kwargs):
        raise NotFound(_("There is no such endpoint: see /api/schema/."))


urlpatterns = [
    path("v1/", include((router.urls + command_urls, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    re_path(r"^", NotFoundView.as_view(), name="not-found"),
]

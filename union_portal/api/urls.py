"""The API router. Each installed app declares ``ROUTES`` and ``COMMAND_URLS`` in its ``api.py``;
they are discovered here (``union_portal.core.registry``), so this file names no app."""

import re

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


_SEGMENT = re.compile(r"\^([a-z0-9_-]+)/(.+)$")


def by_first_segment(patterns: list) -> list:
    """The router's routes under one ``include`` per literal first path segment, in their order.

    Django tries a path against each route in turn: the router makes two hundred (with their format
    suffixes), and a path near the end (``quiz/...``) paid for all of them on every call. Grouped, it is
    matched against the segments, then against the routes of its own one. Names, matches and the
    schema stay the same: a route whose regex does not start with a literal segment stays as it is."""
    grouped: list = []
    groups: dict[str, list] = {}
    for pattern in patterns:
        found = _SEGMENT.match(str(pattern.pattern))
        if found is None:
            grouped.append(pattern)
            continue
        segment, rest = found.groups()
        if segment not in groups:
            groups[segment] = []
            grouped.append(re_path(rf"^{segment}/", include(groups[segment])))
        groups[segment].append(re_path("^" + rest, pattern.callback, pattern.default_args, pattern.name))
    return grouped


urlpatterns = [
    path("v1/", include((by_first_segment(router.urls) + command_urls, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    re_path(r"^", NotFoundView.as_view(), name="not-found"),
]

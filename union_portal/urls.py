from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from union_portal.core.views import healthz

admin.site.site_header = admin.site.site_title = "三水区总工会 · Union portal"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("healthz/", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("union_portal.api.urls")),
    path("portal/aid/", include(("assistance.urls", "aid"), namespace="aid")),
    path("portal/inbox/", include("union_portal.notifications.urls", namespace="notifications")),
    path("portal/", include(("members.urls", "portal"), namespace="portal")),
]

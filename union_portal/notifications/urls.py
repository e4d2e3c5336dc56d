"""The inbox, mounted at /portal/inbox/ with the namespace ``notifications``."""

from django.urls import path

from . import portal

app_name = "notifications"
PORTAL_PREFIX = "inbox/"

urlpatterns = [
    path("", portal.inbox, name="inbox"),
    path("<int:pk>/", portal.open_message, name="open"),
    path("read-all/", portal.mark_all_read, name="read_all"),
    path("settings/", portal.message_settings, name="settings"),
]

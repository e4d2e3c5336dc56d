"""Volunteer service in the portal, mounted at /portal/volunteers/ with the namespace ``volunteers``."""

from django.urls import path

from . import portal

app_name = "volunteers"
PORTAL_PREFIX = "volunteers/"

urlpatterns = [
    path("", portal.home, name="home"),
    path("register/", portal.register, name="register"),
    path("join/", portal.join, name="join"),
    path("ranking/", portal.ranking, name="ranking"),
    path("activities/<int:pk>/", portal.activity, name="activity"),
    path("activities/<int:pk>/signup/", portal.signup, name="signup"),
    path("signups/<int:pk>/cancel/", portal.cancel, name="cancel"),
    path("scan/", portal.scan, name="scan"),
    path("scan/<str:code>/", portal.scan, name="scan_code"),
    path("hours/", portal.my_hours, name="my_hours"),
    path("hours/certificate/", portal.certificate, name="certificate"),
    path("lead/", portal.lead_home, name="lead_home"),
    path("lead/new/", portal.lead_new, name="lead_new"),
    path("lead/<int:pk>/", portal.lead_activity, name="lead_activity"),
    path("lead/<int:pk>/edit/", portal.lead_edit, name="lead_edit"),
    path("lead/<int:pk>/publish/", portal.lead_publish, name="lead_publish"),
    path("lead/<int:pk>/cancel/", portal.lead_cancel, name="lead_cancel"),
    path("lead/<int:pk>/code/<str:kind>/", portal.lead_code, name="lead_code"),
    path("lead/records/<int:pk>/verify/", portal.lead_verify, name="lead_verify"),
    path("lead/records/<int:pk>/reject/", portal.lead_reject, name="lead_reject"),
    path("lead/records/<int:pk>/correct/", portal.lead_correct, name="lead_correct"),
]

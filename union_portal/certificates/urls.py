"""Certificates in the portal, mounted at /portal/certificates/ with the namespace ``certificates``."""

from django.urls import path

from . import portal

app_name = "certificates"
PORTAL_PREFIX = "certificates/"

urlpatterns = [
    path("verify/", portal.verify_form, name="verify_form"),
    path("verify/<str:code>/", portal.verify, name="verify"),
    path("<int:pk>/pdf/", portal.pdf, name="pdf"),
]

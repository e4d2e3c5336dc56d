"""Hardship aid in the member portal, mounted at /portal/aid/ with the namespace ``aid``."""

from django.urls import path

from . import portal

app_name = "aid"
PORTAL_PREFIX = "aid/"

urlpatterns = [
    path("", portal.home, name="home"),
    path("apply/", portal.apply, name="apply"),
    path("proxy/new/", portal.proxy_apply, name="proxy_apply"),
    path("<int:pk>/", portal.detail, name="detail"),
    path("<int:pk>/withdraw/", portal.withdraw, name="withdraw"),
    path("<int:pk>/payee/", portal.payee, name="payee"),
    path("<int:pk>/documents/", portal.upload, name="upload"),
    path("documents/<int:pk>/", portal.document, name="document"),
]

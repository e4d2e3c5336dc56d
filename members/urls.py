"""The member self-service portal, mounted at /portal/ with the namespace ``portal``."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from . import portal

app_name = "portal"
PORTAL_PREFIX = ""

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", portal.PortalLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("apply/", portal.apply, name="apply"),
    path("activate/", portal.activate, name="activate"),
    path("password-reset/", portal.password_reset, name="password_reset"),
    path("status/", portal.status, name="status"),
    path("status/<int:pk>/", portal.status_detail, name="status_detail"),
    path("profile/", portal.profile, name="profile"),
    path("record/", portal.record, name="record"),
    path("card/", portal.card, name="card"),
    path("verify/<str:card_number>/", portal.verify, name="verify"),
    path("proxy/", portal.proxy_list, name="proxy_list"),
    path("proxy/new/", portal.proxy_apply, name="proxy_apply"),
    path("proxy/<int:pk>/", portal.proxy_detail, name="proxy_detail"),
]

"""Contests and honours in the portal, mounted at /portal/contests/ with the namespace ``contests``."""

from django.urls import path

from . import portal

app_name = "contests"
PORTAL_PREFIX = "contests/"

urlpatterns = [
    path("", portal.home, name="home"),
    path("<int:pk>/enter/", portal.enter, name="enter"),
    path("<int:pk>/results/", portal.results, name="results"),
    path("entries/<int:pk>/", portal.entry, name="entry"),
    path("judge/", portal.judge_home, name="judge_home"),
    path("judge/sheets/<int:pk>/", portal.sheet, name="sheet"),
    path("honours/", portal.register, name="honours"),
    path("honours/notice/", portal.notice, name="notice"),
    path("honours/notice/<int:pk>/object/", portal.objection, name="object"),
]

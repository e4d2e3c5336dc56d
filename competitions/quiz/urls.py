"""The knowledge quiz in the member portal, mounted at /portal/quiz/ with the namespace ``quiz``."""

from django.urls import path

from . import portal

app_name = "quiz"
PORTAL_PREFIX = "quiz/"

urlpatterns = [
    path("", portal.index, name="index"),
    path("<int:quiz_id>/", portal.home, name="home"),
    path("<int:quiz_id>/code/", portal.send_code, name="send_code"),
    path("<int:quiz_id>/start/", portal.start, name="start"),
    path("<int:quiz_id>/union/", portal.change_union, name="union"),
    path("<int:quiz_id>/board/", portal.board, name="board"),
    path("<int:quiz_id>/history/", portal.history, name="history"),
    path("attempt/<int:pk>/", portal.attempt, name="attempt"),
    path("s/<str:token>/", portal.share, name="share"),
]

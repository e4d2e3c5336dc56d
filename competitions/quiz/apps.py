from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizConfig(AppConfig):
    name = "competitions.quiz"
    label = "quiz"
    verbose_name = _("Knowledge quiz")
    default_auto_field = "django.db.models.BigAutoField"

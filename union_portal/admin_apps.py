"""App configurations that give third-party apps a Chinese name in the admin (issue 10: nothing English
in the Chinese interface). Their model names are translated in the root catalogue (``locale/``)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes (locking out repeated failed logins) names itself "Axes"."""

    verbose_name = _("Login protection")

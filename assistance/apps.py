from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Hardship aid")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .tasks import install_schedules

        post_migrate.connect(install_schedules, sender=self, dispatch_uid="assistance.install_schedules")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "union_portal.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib import admin
        from django.db.models.signals import post_migrate

        from . import checks, lookups  # noqa: F401 - checks registers the system checks
        from .admin import use_labelled_autocomplete
        from .schedules import install_schedules

        lookups.register()  # field__any=[...]
        post_migrate.connect(install_schedules, dispatch_uid="core.install_schedules")
        use_labelled_autocomplete(admin.site)

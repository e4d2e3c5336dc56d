from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "union_portal.imports"
    label = "imports"
    verbose_name = _("Spreadsheet imports")

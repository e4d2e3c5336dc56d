"""Discovery: what each installed app declares in a module of a fixed name.

The platform imports no app by name. It asks every installed app for ``<app>.<module>`` (the way
Django finds ``admin.py``) and reads what that module declares: API routes, portal URLs, role
permissions, beat schedules, demo data, figures, timeline events, work queues. See
``docs/platform.md`` for the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings


def project_app_configs() -> list[AppConfig]:
    """The installed apps that are this project's own (not a library's), in INSTALLED_APPS order."""
    base = Path(settings.BASE_DIR)
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base)
        and not {".venv", "site-packages"} & set(Path(config.path).parts)
    ]


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """``(app_config, module)`` for every project app that has ``<app>.<name>``, in INSTALLED_APPS order."""
    for config in project_app_configs():
        try:
            spec = find_spec(f"{config.name}.{name}")
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            yield config, import_module(f"{config.name}.{name}")


def declared(name: str, attribute: str) -> Iterator[tuple[AppConfig, object]]:
    """``(app_config, value)`` of ``<app>.<name>.<attribute>`` for every app that declares it."""
    for config, module in app_modules(name):
        if hasattr(module, attribute):
            yield config, getattr(module, attribute)

"""The kinds of import the installed apps declare: ``IMPORTS`` in ``<app>/resources.py``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.registry import declared

from .resources import CheckedResource


@dataclass(frozen=True)
class ImportKind:
    """One kind of spreadsheet import.

    ``key`` is stored on every job (at most 20 characters, unique across apps); ``label`` names what
    is imported, in the plural ("members"); ``permission`` is needed to upload, see, confirm and
    cancel its jobs; ``resource`` checks and writes the rows.
    """

    key: str
    label: object
    permission: str
    resource: type[CheckedResource]

    def __post_init__(self):
        if not self.key or len(self.key) > 20:
            raise ValueError(f"import kind {self.key!r}: the key needs 1 to 20 characters")


def import_kinds() -> dict[str, ImportKind]:
    """Every declared kind by key, in INSTALLED_APPS order."""
    kinds: dict[str, ImportKind] = {}
    for config, declared_kinds in declared("resources", "IMPORTS"):
        for kind in declared_kinds:
            if kind.key in kinds:
                raise ValueError(f"import kind {kind.key} is declared twice (again by {config.label})")
            kinds[kind.key] = kind
    return kinds


def import_kind(key: str) -> ImportKind:
    try:
        return import_kinds()[key]
    except KeyError:
        raise ApplicationError(_("Unknown kind of import."), code="unknown_kind") from None

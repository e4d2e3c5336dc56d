"""Spreadsheets of members: the vocabulary of the files, the import, the bulk writer, the export.

The import runs in the one pipeline of ``union_portal.imports`` (upload, check, confirm); this package
holds only what is members-specific:

- ``vocabulary``: the Chinese headers and the words staff write in the cells;
- ``member_import``: :class:`MemberResource`, a row turned into service input and checked by the
  services' own rules (``clean_member_input``, ``build_member``);
- ``writes``: :func:`write_members`, checked members written with ``COPY``, card numbers, one
  history row and one ``imported`` event each;
- ``export``: the member export (masked unless asked and allowed).
"""

from django.utils.translation import gettext_lazy as _

from union_portal.imports.registry import ImportKind

from .export import export_rows
from .member_import import MemberResource
from .vocabulary import *  # noqa: F403 - the spreadsheet vocabulary is part of this package's interface
from .writes import MEMBER_CHECKED_FIELDS, member_record, write_members

IMPORTS = [
    ImportKind(key="members", label=_("members"), permission="members.import_member", resource=MemberResource)
]

__all__ = [
    "IMPORTS",
    "MEMBER_CHECKED_FIELDS",
    "MemberResource",
    "export_rows",
    "member_record",
    "write_members",
]

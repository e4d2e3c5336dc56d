"""Spreadsheets we write (exports, templates), safe to open in Excel.

Every text cell goes through :func:`escape_formula`, and the writers here apply it themselves, so a
caller cannot forget it. The order matters (docs/pitfalls.md): an xlsx writer drops the control characters
XML cannot hold, so escaping ``"\\x01=HYPERLINK(...)"`` by its first character, before the writer
drops the ``\\x01``, leaves a live formula. The escape therefore removes those characters *first* and
then looks at what will really be written: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a line break gets a leading apostrophe, and every string is written as a string, never a formula.
Reading uploads is ``union_portal.imports.reading``.
"""

from __future__ import annotations

import csv
import io
import re

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
#: What XML 1.0 (so every xlsx writer) cannot hold: C0 controls but tab and line breaks, U+FFFE/FFFF,
#: lone surrogates. Writers drop or refuse these; we drop them before escaping.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Spaces and invisible characters a spreadsheet may skip before it sees a leading ``=`` (C1 controls, which
#: XML can hold, zero-width and bidirectional characters): a formula behind them is escaped too.
_LEADING_BLANKS = re.compile(
    r"^[\s\x7f-\x9f\u00a0\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\u3000\ufeff]+"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def escape_formula(value):
    """A cell value made safe: unwritable characters removed, then a text that a spreadsheet would
    run as a formula (CSV/formula injection) prefixed with an apostrophe. Non-text values pass."""
    if not isinstance(value, str):
        return value
    value = _UNWRITABLE.sub("", value)
    if value.startswith(FORMULA_PREFIXES) or _LEADING_BLANKS.sub("", value).startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [escape_formula(v) for v in row]


def xlsx_bytes(rows, *, sheet_title: str | None = None) -> bytes:
    """One sheet of ``rows`` (the first is the header) as an xlsx, streamed by openpyxl's write-only
    mode; every text cell escaped and written as a string."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    for row in rows:
        cells = []
        for value in row:
            value = escape_formula(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a string, whatever it looks like
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    """``rows`` as csv, every text cell escaped; UTF-8 with a BOM, so that Excel on Chinese
    Windows reads UTF-8 instead of guessing GBK."""
    out = io.StringIO()
    csv.writer(out).writerows(safe_row(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


def spreadsheet_response(rows, fmt: str, stem: str) -> HttpResponse:
    """A download of ``rows`` as ``fmt`` (xlsx or csv), named ``<stem>-<date>-<time>.<fmt>``, never cached."""
    if fmt == "xlsx":
        content, content_type = xlsx_bytes(rows), XLSX
    elif fmt == "csv":
        content, content_type = csv_bytes(rows), CSV
    else:
        raise Http404(_("Unknown format."))
    return download(content, content_type, f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}")


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response

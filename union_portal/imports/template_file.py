"""The downloadable template of an import: the header row and an example row, the columns explained,
and a sheet of the values every choice column accepts (offered as drop-down lists in the xlsx).

Identifier columns are formatted as text in the xlsx, so an ID number typed into the template stays
the text it is (Excel would keep only 15 digits of a number). An example row left in the file is
refused by the check, so it cannot be imported by mistake.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from union_portal.core.spreadsheets import CSV, XLSX, csv_bytes, download, escape_formula

from .columns import Column
from .registry import ImportKind

DATA_SHEET = "导入数据"
HELP_SHEET = "填写说明"
VALUES_SHEET = "可选值"
EXAMPLE_ROWS = 1


def _columns(kind: ImportKind) -> list[Column]:
    return [c for c in kind.resource.columns if c.field]


def _help(column: Column) -> str:
    parts = [str(column.help)] if column.help else []
    if column.kind == "identifier":
        parts.append(_("Keep this column formatted as text."))
    elif column.kind == "date":
        parts.append(_("A date, such as 2024-03-01."))
    elif column.kind == "choices":
        parts.append(_("One or more of the allowed values, separated by 、"))
    elif column.kind in ("choice", "bool"):
        parts.append(_("One of the allowed values."))
    elif column.kind == "decimal":
        parts.append(_("An amount in yuan, such as 2100 or 2100.50."))
    elif column.kind == "int":
        parts.append(_("A whole number."))
    if column.max_length:
        parts.append(_("At most %(n)d characters.") % {"n": column.max_length})
    return " ".join(parts)


def _allowed(column: Column) -> str:
    if column.kind not in ("choice", "choices", "bool"):
        return ""
    chinese = "、".join(column.allowed_labels())
    english = " / ".join(column.allowed_english())
    return f"{chinese}（{english}）" if english else chinese


def template_rows(kind: ImportKind) -> list[list[str]]:
    columns = _columns(kind)
    return [[c.header for c in columns], [c.example for c in columns]]


def template_response(kind: ImportKind, fmt: str):
    stem = f"{kind.key}-template"
    if fmt == "csv":
        return download(csv_bytes(template_rows(kind)), CSV, f"{stem}.csv")
    if fmt == "xlsx":
        return download(template_xlsx(kind), XLSX, f"{stem}.xlsx")
    from django.http import Http404

    raise Http404(_("Unknown format."))


def template_xlsx(kind: ImportKind) -> bytes:
    import xlsxwriter

    columns = _columns(kind)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    text = book.add_format({"num_format": "@"})
    example = book.add_format({"num_format": "@", "italic": True, "font_color": "#7F7F7F"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    data = book.add_worksheet(kind.resource.sheet or DATA_SHEET)
    helps = book.add_worksheet(HELP_SHEET)
    values = book.add_worksheet(VALUES_SHEET)
    choice_columns = [c for c in columns if c.kind in ("choice", "choices", "bool")]
    for position, column in enumerate(choice_columns):
        values.write_string(0, position, column.header, bold)
        for offset, word in enumerate(column.allowed_labels(), 1):
            values.write_string(offset, position, escape_formula(word))
        values.set_column(position, position, 16)

    for index, column in enumerate(columns):
        data.write_string(0, index, column.header, required if column.required else bold)
        data.write_string(1, index, escape_formula(column.example), example)
        width = max(12, 2 * len(column.header) + 4, len(column.example) + 2)
        data.set_column(index, index, width, text if column.kind in ("identifier", "text") else None)
        if column in choice_columns and column.kind != "choices":
            position = choice_columns.index(column)
            letter = xlsxwriter.utility.xl_col_to_name(position)
            count = len(column.allowed_labels())
            data.data_validation(
                1, index, 1_048_575, index,
                {
                    "validate": "list",
                    "source": f"='{VALUES_SHEET}'!${letter}$2:${letter}${count + 1}",
                    "error_type": "warning",
                    "ignore_blank": True,
                },
            )  # fmt: skip
    data.freeze_panes(1, 0)

    headers = [_("Column"), _("Required"), _("How to fill it in"), _("Allowed values")]
    for index, header in enumerate(headers):
        helps.write_string(0, index, header, bold)
    for row, column in enumerate(columns, 1):
        helps.write_string(row, 0, column.header)
        helps.write_string(row, 1, _("yes") if column.required else _("no"))
        helps.write_string(row, 2, escape_formula(_help(column)), wrap)
        helps.write_string(row, 3, escape_formula(_allowed(column)), wrap)
    last = len(columns) + 2
    notes = [
        _("The first row names the columns; keep it. Each following row is one record."),
        _("The grey row is an example: replace it with your data or delete it (a file that still holds it is refused)."),
        _("Every row is checked before anything is imported: a file with one bad row imports nothing, and every bad row is listed with its reason."),
    ]  # fmt: skip
    for offset, note in enumerate(notes):
        helps.write_string(last + offset, 0, note)
    helps.set_column(0, 0, 18)
    helps.set_column(1, 1, 8)
    helps.set_column(2, 3, 60)
    book.close()
    return out.getvalue()

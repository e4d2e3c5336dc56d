"""The xlsx reader builds rows straight from the parser's events (no element tree): what it reads of
the sheet and of the shared-string table, on the shapes other programs write."""

from __future__ import annotations

import datetime as dt

import pytest

from union_portal.imports.reading import SpreadsheetError, spreadsheet_rows

from .files import xlsx_from_parts

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
    '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
)


def _rows(sheet: str, shared: str = f'<sst xmlns="{MAIN}"/>') -> list:
    data = xlsx_from_parts(
        {
            "xl/worksheets/sheet1.xml": sheet,
            "xl/sharedStrings.xml": shared,
            "xl/styles.xml": STYLES,  # found without a relationship, as Excel's own files are read
        }
    )
    with spreadsheet_rows(data) as rows:
        return list(rows)


def test_cells_of_every_kind_are_read_with_their_type_and_position():
    shared = (
        f'<sst xmlns="{MAIN}"><si><t>陈伟</t></si>'
        '<si><r><t>区</t></r><r><rPr/><t>伟强</t></r><rPh sb="0" eb="1"><t>ou</t></rPh></si>'
        "<si><t/></si><si><t>a &amp; b</t></si></sst>"
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:H3"/>'
        "<sheetData>"
        '<row r="1" spans="1:8"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>'
        '<c r="E1" t="inlineStr"><is><r><t>In</t></r><r><t xml:space="preserve">line </t></r>'
        '<rPh><t>x</t></rPh></is></c><c r="F1" t="b"><v>1</v></c><c r="H1" t="e"><v>#N/A</v></c></row>'
        '<row r="3"><c r="B3" s="1"><v>45352</v></c><c r="C3"><v>13800138000</v></c>'
        '<c r="D3"><v>2.5</v></c><c r="E3" t="str"><f>A1&amp;"x"</f><v>陈伟x</v></c>'
        '<c r="F3" t="s"><v/></c><c r="G3"/></row>'
        '<row><c><v>7</v></c><c t="inlineStr"><is><t>next</t></is></c></row>'
        '</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>'
    )
    assert _rows(sheet, shared) == [
        (1, ["陈伟", "区伟强", None, "a & b", "Inline ", True, None, "#N/A"]),
        (3, [None, dt.date(2024, 3, 1), 13800138000, 2.5, "陈伟x"]),
        (4, [7, "next"]),
    ]


def test_a_sheet_with_prefixed_names_is_read_the_same():
    sheet = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr">'
        '<x:is><x:t>王芳</x:t></x:is></x:c><x:c r="C2"><x:v>42</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    assert _rows(sheet) == [(2, [None, "王芳", 42])]


def test_a_truncated_sheet_is_an_unreadable_file():
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c'
    with pytest.raises(SpreadsheetError) as caught:
        _rows(sheet)
    assert caught.value.code == "bad_file"


def test_a_sheet_with_a_doctype_is_refused():
    sheet = f'<!DOCTYPE x [<!ENTITY a "b">]><worksheet xmlns="{MAIN}"><sheetData/></worksheet>'
    with pytest.raises(SpreadsheetError):
        _rows(sheet)

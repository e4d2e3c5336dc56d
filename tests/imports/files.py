"""Spreadsheet files as the programs staff use really write them, built byte by byte.

openpyxl writes numbers with Python's ``repr`` (17 significant digits) and inline strings; Excel
writes a number it was typed with 15 significant digits (``4.40607199003101E+17``), every text once
in a shared-string table, and csv files in the code page of the machine (GBK on Chinese Windows),
with CRLF line endings and big numbers in scientific notation (``4.40607E+17``). These helpers write
what Excel writes, so the tests read the files the importer will meet.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def excel_number(value: int | float) -> str:
    """A number as Excel stores it: at most 15 significant digits, ``E+`` beyond 10^15."""
    text = f"{float(value):.15G}"
    return text.replace("E+0", "E+")


def excel_xlsx(rows: list[list]) -> bytes:
    """An xlsx as Excel saves it: text in the shared-string table, numbers (``int``/``float``) as
    Excel keeps them (15 significant digits), ``None`` as an absent cell."""
    strings: dict[str, int] = {}
    body = []
    for r, cells in enumerate(rows, 1):
        parts = []
        for c, value in enumerate(cells):
            ref = f"{_column(c)}{r}"
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                parts.append(f'<c r="{ref}"><v>{excel_number(value)}</v></c>')
            else:
                index = strings.setdefault(str(value), len(strings))
                parts.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
        body.append(f'<row r="{r}">{"".join(parts)}</row>')
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    shared_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'
    )
    return xlsx_from_parts({"xl/worksheets/sheet1.xml": SHEET_HEAD + "".join(body) + SHEET_TAIL,
                            "xl/sharedStrings.xml": shared_xml})  # fmt: skip


def xlsx_from_parts(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def excel_csv(rows: list[list], encoding: str = "gbk") -> bytes:
    """A csv as Excel on Chinese Windows saves it ("CSV (逗号分隔)"): GBK, CRLF, numbers of more
    than 11 digits in scientific notation with 6 significant digits, no quotes unless needed."""
    lines = []
    for cells in rows:
        out = []
        for value in cells:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                text = f"{float(value):.5E}".replace("E+0", "E+") if abs(value) >= 1e11 else str(value)
                if "E" in text:  # Excel drops trailing zeros of the mantissa: 4.40607E+17
                    mantissa, exponent = text.split("E")
                    text = mantissa.rstrip("0").rstrip(".") + "E" + exponent
            else:
                text = "" if value is None else str(value)
                if any(ch in text for ch in ',"\r\n'):
                    text = '"' + text.replace('"', '""') + '"'
            out.append(text)
        lines.append(",".join(out))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def bomb_xlsx(rows: int, width: int = 10) -> bytes:
    """A small xlsx that unpacks to a large sheet (the same short row, again and again)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr(
            "xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_HEAD.encode())
            cells = "".join(f"<c><v>{i}</v></c>" for i in range(width))
            chunk = (f"<row>{cells}</row>" * 1000).encode()
            for _start in range(0, rows, 1000):
                sheet.write(chunk)
            sheet.write(SHEET_TAIL.encode())
    return out.getvalue()

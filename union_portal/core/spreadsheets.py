"""Safe spreadsheet cells and tolerant reading of what staff upload."""

from __future__ import annotations

import io

import tablib

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Neutralise a text cell a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def decode_text(raw: bytes) -> str:
    """Decode a csv saved by Excel: UTF-8 with or without BOM, or GBK/GB18030 (Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("undecodable")


XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def sniff_format(raw: bytes) -> str | None:
    """Tell a spreadsheet's format by its content, not its name: ``xlsx``, ``xls``, ``csv`` or None."""
    if raw.startswith(XLSX_MAGIC):
        return "xlsx"
    if raw.startswith(XLS_MAGIC):
        return "xls"
    if b"\x00" in raw[:4096]:
        return None
    try:
        decode_text(raw[:65536] if len(raw) <= 65536 else raw[:65536].rsplit(b"\n", 1)[0])
    except ValueError:
        return None
    return "csv"


def read_dataset(raw: bytes) -> tablib.Dataset:
    """Read an uploaded csv or xlsx into a dataset of strings (headers from the first row)."""
    kind = sniff_format(raw)
    if kind == "csv":
        dataset = tablib.Dataset()
        dataset.load(decode_text(raw), format="csv")
        return dataset
    if kind == "xlsx":
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
        dataset = tablib.Dataset()
        if rows:
            dataset.headers = [str(h).strip() for h in rows[0]]
            width = len(dataset.headers)
            for row in rows[1:]:
                cells = [_cell_text(c) for c in row[:width]]
                cells += [""] * (width - len(cells))
                dataset.append(cells)
        return dataset
    raise ValueError("unsupported")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()

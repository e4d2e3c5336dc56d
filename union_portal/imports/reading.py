"""Reading uploaded spreadsheets as a stream of rows, whatever their size.

What staff upload, and what can go wrong with it, shapes this module:

- The type is told by the content, not the name: an xlsx (a zip), an old xls (refused with a way out),
  or text that decodes as csv. Excel on Chinese Windows saves csv in GBK (read as GB18030, its
  superset), "CSV UTF-8" with a byte-order mark (sometimes twice), and "Unicode text" as UTF-16 with
  tabs between the cells; all of these are read.
- An xlsx is checked by the sizes its zip *declares* before anything is unpacked (a 1.7 MB file can
  unpack to gigabytes): the total, and the ratio of each large part to its compressed size
  (``IMPORT_MAX_ZIP_RATIO``: real sheets pack 5 to 30 times, a bomb hundreds of times); its rows
  are counted by streaming the sheet, so a file over the row limit is refused before any row is read. Reading never produces more than the declared size (``zipfile``
  stops there), and a damaged archive (bad CRC, truncated) is a :class:`SpreadsheetError`, never a 500.
- Nothing is held in memory per row: the sheet XML is parsed incrementally and each row is dropped once
  yielded; the shared-string table (Excel stores every text once there: a million-row file holds
  millions) is spilled to a temporary file under ``MEDIA_ROOT/imports`` beyond its first
  :data:`SHARED_STRINGS_IN_MEMORY` entries. Memory stays flat from a thousand rows to a million.
- Cells keep their type: text as ``str``, numbers as ``int`` (an integer written as such) or ``float``,
  dates (numbers in a date format) as ``date``/``datetime``, booleans as ``bool``, empty as ``None``.
  Identifier columns need to know that a cell was a number (Excel keeps 15 significant digits: an
  18-digit ID number typed as a number is already another number), see ``columns.py``.

Rows come as ``(row_number, cells)``: ``row_number`` is the row number Excel shows (csv: the record's
number), so every error names the row staff see.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import mmap
import re
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import XMLParser  # noqa: S405 - DTDs refused before parsing (_no_dtd)
from xml.etree.ElementTree import fromstring as xml_fromstring  # noqa: S405 - same

from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
#: Shared strings kept in memory; the rest of a large table is read back from a temporary file.
SHARED_STRINGS_IN_MEMORY = 50_000
#: Parts of a workbook other than sheets and shared strings (workbook, styles, relationships) are small.
SMALL_PART_MAX_BYTES = 20 * 1024 * 1024
CHUNK = 1 << 16
#: Parts smaller than this unpacked are not judged by their compression ratio (small parts pack well).
RATIO_CHECKED_FROM = 1024 * 1024


class SpreadsheetError(Exception):
    """A problem of the whole file (not of one row), with a message for the user."""

    def __init__(self, message, code: str = "bad_file"):
        self.message = message
        self.code = code
        super().__init__(str(message))

    def __str__(self) -> str:
        return str(self.message)


def _unreadable() -> SpreadsheetError:
    return SpreadsheetError(
        _("This file is damaged or is not a readable xlsx workbook: open it in Excel and save it again."),
        "bad_file",
    )


# --- format and encoding -----------------------------------------------------------------------------


def sniff_format(head: bytes) -> str | None:
    """``xlsx``, ``xls``, ``csv`` or None (not a spreadsheet), from the first bytes of a file."""
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    if b"\x00" in head[:4096]:
        return None
    sample = head[:65536]
    if len(head) > 65536 and b"\n" in sample:
        sample = sample.rsplit(b"\n", 1)[0]
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return "csv"
    return None


def detect_encoding(fh) -> str:
    """The encoding of a csv file object, read to the end in chunks (memory stays flat):
    UTF-16 (by its byte-order mark), UTF-8 with or without BOM, or GB18030 (GBK's superset)."""
    fh.seek(0)
    head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if encoding == "utf-8" else encoding
    raise SpreadsheetError(
        _(
            "This csv file is neither UTF-8 nor GBK text: in Excel, save it as “CSV UTF-8” or as an xlsx workbook."
        ),
        "encoding",
    )


@contextlib.contextmanager
def spreadsheet_rows(source, sheet: str | None = None) -> Iterator[Iterator[tuple[int, list]]]:
    """The rows of a csv or xlsx given as bytes or a seekable binary file, the format told by content;
    ``sheet`` names the sheet of a workbook to read (None: the first)."""
    fh = io.BytesIO(source) if isinstance(source, bytes) else source
    head = fh.read(65536 + 1)
    fh.seek(0)
    fmt = sniff_format(head)
    if fmt == "csv":
        rows = csv_rows(fh)
        try:
            yield rows
        finally:
            rows.close()  # before the file closes: the reader detaches itself from it
        return
    if fmt != "xlsx":
        raise SpreadsheetError(_("This is not a spreadsheet: upload an .xlsx or .csv file."), "bad_type")
    workbook = Workbook(fh)
    try:
        if sheet is not None and workbook.sheet_part(sheet) is None:
            raise SpreadsheetError(
                _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet}, "no_sheet"
            )
        rows = workbook.rows(sheet)
        try:
            yield rows
        finally:
            rows.close()
    finally:
        workbook.close()


# --- csv ------------------------------------------------------------------------------------------------


def count_csv_rows(fh) -> int:
    """Lines after the first (an upper bound of the data rows: a quoted cell may hold a line break)."""
    fh.seek(0)
    lines, last = 0, b""
    while chunk := fh.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    if last and last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def csv_rows(fh) -> Iterator[tuple[int, list]]:
    """The records of a csv file object as ``(number, cells)``, decoded and split lazily."""
    encoding = detect_encoding(fh)
    fh.seek(0)
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    first = text.readline()
    text.seek(0)
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(text, delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, 1):
            if number == 1 and cells:
                cells[0] = cells[0].lstrip("\ufeff")  # a BOM, or two (files saved twice)
            yield number, cells  # empty cells are "": a row longer than the header shows
    except (csv.Error, UnicodeDecodeError):
        raise SpreadsheetError(
            _(
                "The csv file could not be read after row %(row)d: check its quotes, or save it again from Excel."
            )
            % {"row": reader.line_num},
            "bad_csv",
        ) from None
    finally:
        text.detach()


# --- xlsx: the archive ---------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _no_dtd(data: bytes) -> None:
    """Workbook XML never has a DTD; one is refused (entity expansion, external entities)."""
    if _DTD.search(data):
        raise _unreadable()


def open_zip(fh) -> zipfile.ZipFile:
    """The workbook's archive, checked by its declared sizes before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(fh)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _unreadable() from None
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    if sum(i.file_size for i in infos) > limit or any(i.file_size < 0 for i in infos):
        raise SpreadsheetError(
            _("This workbook unpacks to more than %(mb)d MB: split it into several files.")
            % {"mb": limit // (1024 * 1024)},
            "too_large",
        )
    ratio = settings.IMPORT_MAX_ZIP_RATIO
    if any(i.file_size > RATIO_CHECKED_FROM and i.file_size > ratio * max(i.compress_size, 1) for i in infos):
        raise SpreadsheetError(
            _(
                "This workbook is packed far more tightly than a real one (a part unpacks to more than "
                "%(ratio)d times its size): open it in Excel and save it again, or save it as csv."
            )
            % {"ratio": ratio},
            "too_compressed",
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise _unreadable()
    return archive


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > SMALL_PART_MAX_BYTES:
        raise _unreadable()
    try:
        data = archive.read(name)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise _unreadable() from None
    _no_dtd(data)
    return data


def _parse_part(archive: zipfile.ZipFile, name: str):
    try:
        return xml_fromstring(_read_part(archive, name))  # noqa: S314 - no DTD (checked), expat limits expansion
    except SyntaxError:  # ParseError
        raise _unreadable() from None


def _part_path(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (PurePosixPath(base).parent / target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


class Workbook:
    """The parts of an xlsx an import needs: sheets by name and order, shared strings, date styles."""

    def __init__(self, fh):
        self.archive = open_zip(fh)
        workbook = _parse_part(self.archive, "xl/workbook.xml")
        self.date1904 = any(
            _local(e.tag) == "workbookPr" and e.get("date1904") in ("1", "true") for e in workbook.iter()
        )
        rels = {}
        if "xl/_rels/workbook.xml.rels" in self.archive.namelist():
            for rel in _parse_part(self.archive, "xl/_rels/workbook.xml.rels").iter():
                if _local(rel.tag) == "Relationship":
                    rels[rel.get("Id")] = (
                        rel.get("Type") or "",
                        _part_path("xl/workbook.xml", rel.get("Target") or ""),
                    )
        names = set(self.archive.namelist())
        self.sheets: list[tuple[str, str]] = []  # (name, part)
        for element in workbook.iter():
            if _local(element.tag) != "sheet":
                continue
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            part = rels.get(rid, ("", ""))[1]
            if part in names:
                self.sheets.append((element.get("name") or "", part))
        if not self.sheets:
            fallback = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
            self.sheets = [(PurePosixPath(n).stem, n) for n in fallback]
        self._shared_part = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
        if self._shared_part not in names:
            self._shared_part = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
        styles_part = next((p for t, p in rels.values() if t.endswith("/styles")), "xl/styles.xml")
        self.date_styles = _date_styles(self.archive, styles_part) if styles_part in names else frozenset()
        self._shared: SharedStrings | None = None

    def close(self) -> None:
        if self._shared is not None:
            self._shared.close()
        self.archive.close()

    def sheet_part(self, name: str | None = None) -> str | None:
        if not self.sheets:
            return None
        if name is None:
            return self.sheets[0][1]
        return next((part for sheet, part in self.sheets if sheet.strip() == name), None)

    def count_rows(self, name: str | None = None) -> int:
        """Rows of a sheet (the header included), counted from the unpacked XML without parsing it."""
        part = self.sheet_part(name)
        if part is None:
            return 0
        count, tail = 0, b""
        try:
            with self.archive.open(part) as raw:
                while chunk := raw.read(1 << 20):
                    data = tail + chunk
                    count += len(_ROW_TAG.findall(data))
                    tail = data[-8:]
                    count -= len(_ROW_TAG.findall(tail))  # counted again with the next chunk
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
            raise _unreadable() from None
        return count

    def shared_strings(self) -> SharedStrings:
        if self._shared is None:
            self._shared = SharedStrings()
            if self._shared_part:
                self._shared.load(self.archive, self._shared_part)
        return self._shared

    def rows(self, name: str | None = None, *, fast: bool = True) -> Iterator[tuple[int, list]]:
        """``(row_number, cells)`` of a sheet (the first when ``name`` is None), streamed. ``fast=False``:
        every row through the XML parser (what the fast reader is held equal to)."""
        part = self.sheet_part(name)
        if part is None:
            return
        target = _SheetTarget(self, self.shared_strings())
        for _done in _feed_sheet(self.archive, part, target, fast=fast):
            if target.rows:
                yield from target.rows
                target.rows = []

    def _value(self, kind, style, v, inline, shared):
        """A cell's value from its type (``t``), style (``s``), ``<v>`` text and inline string."""
        if kind == "inlineStr":
            return inline if inline else None
        if v is None:
            return None
        if kind == "s":
            try:
                return shared[int(v)] or None
            except (ValueError, IndexError):
                raise _unreadable() from None
        if kind in ("str", "e"):
            return v or None
        if kind == "b":
            return v.strip() in ("1", "true")
        if kind == "d":
            return _iso_date(v)
        number = _number(v)
        if number is None:
            return v
        if style is not None and style.isdigit() and int(style) in self.date_styles:
            return excel_date(number, date1904=self.date1904)
        return number


@contextlib.contextmanager
def _part_errors():
    """A part that cannot be read (not well-formed, bad CRC, truncated) as :func:`_unreadable`."""
    try:
        yield
    except SyntaxError:
        raise _unreadable() from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise _unreadable() from None


def _feed(archive: zipfile.ZipFile, name: str, target) -> Iterator[None]:
    """Parse a (possibly huge) part chunk by chunk into ``target`` (an expat target: no element tree
    is built, so memory stays flat); yields after each chunk, for the caller to take what the target
    has completed."""
    parser = XMLParser(target=target)  # noqa: S314 - no DTD (checked on every chunk), expat limits expansion
    tail = b""
    with _part_errors(), archive.open(name) as raw:
        while chunk := raw.read(CHUNK):
            _no_dtd(tail + chunk)
            tail = chunk[-16:]
            parser.feed(chunk)
            yield
        parser.close()
    yield


#: The sheet as Excel writes it, read without the XML parser (see :func:`_feed_sheet`): ``<sheetData>``
#: opened plainly in a UTF-8 document, then rows with a reference, of cells with a reference, an
#: optional style and type and an optional plain ``<v>``. A row of any other shape (inline strings,
#: formulas, comments, prefixed names, entities, cells without a reference) hands itself and the rest
#: of the sheet to the parser.
_FAST_SHEET_DATA = re.compile(rb"<sheetData\s*>")
_FAST_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
#: A row's start tag (``/`` in the second group when it is empty).
_FAST_ROW = re.compile(rb'\s*<row r="(\d+)"(?:\s+[\w:.-]+="[^"<&\x00-\x08\x0b\x0c\x0e-\x1f]*")*\s*(/?)>')
#: A cell: the whole of it, its column letters, style, type and value.
_FAST_CELLS = re.compile(
    rb'(<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?\s*(?:/>|>(?:<v>([^<&\r\x00-\x08\x0b\x0c\x0e-\x1f]*)</v>)?</c>))'
)
#: ``{b"AB": 27}``, as :data:`_COLUMNS` (three letters at most: bounded).
_FAST_COLUMNS: dict[bytes, int] = {}
#: Past this many bytes without a complete row (a sheet of self-closing rows), the parser reads on.
_FAST_BUFFER_MAX = 4 << 20


def _feed_sheet(
    archive: zipfile.ZipFile, name: str, target: _SheetTarget, *, fast: bool = True
) -> Iterator[None]:
    """:func:`_feed` for a sheet, with the rows Excel writes matched by regular expressions (several
    times faster than the parser's callback for each element and its text).

    The parser reads the head of the sheet (up to ``<sheetData>``) and whatever follows the last row;
    each run of complete rows between is matched row by row. A row must match *whole* (every cell of the
    plain shape), else it and everything after it go to the parser: a sheet of another shape is read as
    before from its first row that differs. Both readers put cells through :meth:`_SheetTarget.put`, and
    give the same rows for any well-formed sheet (tests/imports/test_reading_fast.py). What the matched
    rows are not checked for is what only a malformed file has (an attribute given twice, invalid UTF-8
    in an attribute that is not read): the parser refuses such a file, the fast reader reads its cells."""
    if not fast:
        yield from _feed(archive, name, target)
        return
    parser = XMLParser(target=target)  # noqa: S314 - no DTD (checked on every chunk), expat limits expansion
    tail = buffer = b""
    matching: bool | None = None  # None: the head is still being read
    with _part_errors(), archive.open(name) as raw:
        while chunk := raw.read(CHUNK):
            _no_dtd(tail + chunk)
            tail = chunk[-16:]
            if matching is False:
                parser.feed(chunk)
                yield
                continue
            buffer += chunk
            if matching is None:
                opened = _FAST_SHEET_DATA.search(buffer)
                if opened is None and len(buffer) <= _FAST_BUFFER_MAX:
                    continue
                head, buffer = (buffer[: opened.end()], buffer[opened.end() :]) if opened else (buffer, b"")
                parser.feed(head)
                declared = _FAST_ENCODING.match(head)
                matching = (
                    opened is not None
                    and target.depth == 1  # the parser is inside sheetData: it opened there
                    and (declared is None or declared[1].lower() in (b"utf-8", b"utf8"))
                    and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
                )
                if not matching:
                    parser.feed(buffer)
                    buffer = b""
                    yield
                    continue
            cut = buffer.rfind(b"</row>")
            if cut < 0:
                if len(buffer) > _FAST_BUFFER_MAX:
                    matching = False
                    parser.feed(buffer)
                    buffer = b""
                    yield
                continue
            region, buffer = buffer[: cut + 6], buffer[cut + 6 :]
            matching = _fast_rows(region, parser, target)
            if not matching:
                parser.feed(buffer)
                buffer = b""
            yield
        if buffer:
            parser.feed(buffer)
        parser.close()
    yield


def _fast_rows(region: bytes, parser: XMLParser, target: _SheetTarget) -> bool:
    """Complete rows (``region`` ends with ``</row>``) matched one by one into ``target``; at the first
    row of another shape, the rest of ``region`` goes to ``parser`` and False is returned (the parser
    reads the rest of the sheet).

    A shared string in the next column is added here; every other cell goes through ``target.put``."""
    match_row, cells_of, put, rows = _FAST_ROW.match, _FAST_CELLS.findall, target.put, target.rows
    head, shared, columns = target.head, target.shared, _FAST_COLUMNS
    size = len(head)
    pieces = region.split(b"</row>")
    pieces.pop()  # after the last </row>: nothing
    for done, piece in enumerate(pieces):
        at = 0
        start = match_row(piece)
        while start is not None and start[2]:  # empty rows (<row r="7"/>) before this one
            number = int(start[1])
            rows.append((number, []))
            target.number, target.next_number = number, number + 1
            at = start.end()
            start = match_row(piece, at)
        body = piece[start.end() :] if start is not None else b""
        found = cells_of(body) if start is not None else ()
        if start is None or sum([len(cell[0]) for cell in found]) != len(body):  # not only plain cells
            parser.feed(b"</row>".join([piece[at:], *pieces[done + 1 :], b""]))
            return False
        number = int(start[1])
        target.cells = cells = []
        for _whole, letters, style, kind, value in found:
            if kind == b"s" and value and value.isdigit():
                index = int(value)
                try:
                    text = head[index] if index < size else shared[index]
                except IndexError:
                    raise _unreadable() from None
                if not text:
                    continue
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = _column_index(letters.decode())
                if column == len(cells):
                    cells.append(text)
                    continue
            put(letters.decode(), kind.decode() or None, style.decode() or None, value.decode() or None, None)
        rows.append((number, cells))
        target.number, target.next_number = number, number + 1
    return True


class _LocalNames(dict):
    """``{"{namespace}tag": "tag"}``, filled as tags are met (a sheet has a dozen distinct tags)."""

    def __missing__(self, tag: str) -> str:
        local = self[tag] = _local(tag)
        return local


class _SheetTarget:
    """The rows of a sheet as the parser meets them, built directly from its events.

    What it reads, as the sheet's XML nests it: ``sheetData > row > c`` (its ``r``, ``t`` and ``s``)
    ``> v`` (the value) or ``> is`` (an inline string: its ``t``, or its runs' ``t``; phonetic runs,
    ``rPh``, left out). Everything else is skipped. Completed rows collect in :attr:`rows`. (Called
    for every element of the sheet: written for speed, the common shapes first.)"""

    def __init__(self, workbook: Workbook, shared: SharedStrings):
        self.workbook, self.shared, self.head = workbook, shared, shared.head
        self.rows: list[tuple[int, list]] = []
        self.locals = _LocalNames()
        self.depth = 0  # 1: sheetData, 2: a row, 3: a cell, 4: its children, ...
        self.in_cell = False  # the element at depth 3 is a ``c``
        self.sub: list[str] = []  # local names below the cell (inside a cell only)
        self.next_number = 1
        self.number = 0  # -1: inside something of sheetData that is not a row (skipped)
        self.cells: list = []
        self.text: list[str] | None = None  # the text being collected
        self.value: str | None = None
        self.inline: list[str] | None = None
        self.cell: tuple = ("", None, None)

    def start(self, tag, attrib) -> None:
        depth = self.depth
        if depth == 0:
            if self.locals[tag] == "sheetData":
                self.depth = 1
            return
        self.depth = depth = depth + 1
        if depth == 3:
            if self.number >= 0:
                if self.locals[tag] == "c":
                    self.cell = (attrib.get("r"), attrib.get("t"), attrib.get("s"))
                    self.value = self.inline = None
                    self.in_cell = True
                else:
                    self.in_cell = False
        elif depth == 4:
            if self.in_cell and self.number >= 0:
                local = self.locals[tag]
                self.sub = [local]
                if local == "v":
                    self.text = []
                elif local == "is":
                    self.inline = []
        elif depth == 2:
            if self.locals[tag] == "row":
                number = attrib.get("r")
                self.number = int(number) if number and number.isdigit() else self.next_number
                self.cells = []
            else:
                self.number = -1
        elif self.in_cell and self.number >= 0:
            sub = self.sub
            local = self.locals[tag]
            sub.append(local)
            if local == "t" and sub[0] == "is" and (depth == 5 or (depth == 6 and sub[1] == "r")):
                self.text = []

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, tag) -> None:
        depth = self.depth
        if depth == 0:
            return
        self.depth = depth - 1
        if depth == 4:
            if self.in_cell and self.number >= 0 and self.text is not None and self.sub[0] == "v":
                self.value = "".join(self.text) or None  # <v/>: no value, as ElementTree reads it
                self.text = None
        elif depth == 3:
            if self.in_cell and self.number >= 0:
                self._cell()
        elif depth == 2:
            if self.number >= 0:
                self.next_number = self.number + 1
                self.rows.append((self.number, self.cells))
        elif depth > 4 and self.in_cell and self.number >= 0:
            local = self.sub.pop()
            if local == "t" and self.text is not None:
                self.inline.append("".join(self.text))
                self.text = None

    def _cell(self) -> None:
        ref, kind, style = self.cell
        inline = None if self.inline is None else "".join(self.inline)
        self.put(ref.rstrip("0123456789") if ref else None, kind, style, self.value, inline)

    def put(self, letters: str | None, kind, style, value, inline) -> None:
        """Add a cell to the current row: its column letters (None: the next column), type (``t``),
        style (``s``), ``<v>`` text and inline string. (Both readers of the sheet end here.)"""
        if kind == "s" and value is not None:  # most cells: a shared string
            try:
                index = int(value)
                value = self.head[index] if 0 <= index < len(self.head) else self.shared[index]
            except (ValueError, IndexError):
                raise _unreadable() from None
            if not value:
                return
        else:
            value = self.workbook._value(kind, style, value, inline, self.shared)
            if value is None:
                return
        cells = self.cells
        if letters is not None:
            index = _COLUMNS.get(letters)
            if index is None:
                index = _column_index(letters)
                if len(letters) <= 3:  # Excel's columns end at XFD: a file cannot grow the cache
                    _COLUMNS[letters] = index
        else:
            index = len(cells)
        if index == len(cells):
            cells.append(value)
            return
        if index > len(cells):
            cells.extend([None] * (index - len(cells) + 1))
        cells[index] = value

    def close(self) -> None:
        return None


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_INTEGER = re.compile(r"-?\d+")


def _number(text: str):
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _iso_date(text: str):
    try:
        value = dt.datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text
    return value.date() if value.time() == dt.time() else value


def excel_date(serial: float, *, date1904: bool = False):
    """A date (or a date and a time of day, naive: the spreadsheet's own clock) from Excel's serial number."""
    if date1904:
        base = dt.date(1904, 1, 1)
    elif serial < 60:
        base = dt.date(1899, 12, 31)  # before Excel's fictitious 29 February 1900
    else:
        base = dt.date(1899, 12, 30)
    days = int(serial // 1)
    seconds = round((serial - days) * 86400)
    if seconds >= 86400:
        days, seconds = days + 1, 0
    try:
        day = base + dt.timedelta(days=days)
    except OverflowError:
        return serial
    if not seconds:
        return day
    return dt.datetime.combine(day, dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60))


#: ``{"AB": 27}``: the column index of the letters of cell references met so far.
_COLUMNS: dict[str, int] = {}


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            index = index * 26 + ord(ch) - 96
        else:
            break
    return max(index - 1, 0)


def _rich_text(element) -> str:
    """The text of a string item: its ``t``, or its runs' ``t`` (phonetic runs, ``rPh``, left out)."""
    parts = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(g.text or "" for g in child if _local(g.tag) == "t")
    return "".join(parts)


#: Built-in number formats that show dates or times (the CJK ones 27-36 and 50-58 included).
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def is_date_format(code: str) -> bool:
    cleaned = _FORMAT_NOISE.sub("", code or "")
    return bool(re.search(r"[dmyhs]|[年月日]", cleaned, re.IGNORECASE)) and "General" not in cleaned


def _date_styles(archive: zipfile.ZipFile, part: str) -> frozenset[int]:
    styles = _parse_part(archive, part)
    custom = {}
    for element in styles.iter():
        if _local(element.tag) == "numFmt":
            try:
                custom[int(element.get("numFmtId"))] = element.get("formatCode") or ""
            except (TypeError, ValueError):
                continue
    dates = set()
    for xfs in styles.iter():
        if _local(xfs.tag) != "cellXfs":
            continue
        for index, xf in enumerate(x for x in xfs if _local(x.tag) == "xf"):
            try:
                fmt = int(xf.get("numFmtId") or 0)
            except ValueError:
                continue
            if fmt in _BUILTIN_DATE_FORMATS or (fmt in custom and is_date_format(custom[fmt])):
                dates.add(index)
    return frozenset(dates)


class _StringsTarget:
    """The shared-string table's items (``sst > si``: its ``t``, or its runs' ``t``; phonetic runs,
    ``rPh``, left out), appended to a :class:`SharedStrings` as the parser meets them."""

    def __init__(self, strings: SharedStrings):
        self.strings = strings
        self.locals = _LocalNames()
        self.path: list[str] = []  # local names below the root
        self.parts: list[str] = []  # the texts of the current item
        self.text: list[str] | None = None

    def start(self, tag, attrib) -> None:
        path = self.path
        path.append(self.locals[tag])
        if len(path) < 2 or path[1] != "si":
            return
        if len(path) == 2:
            self.parts = []
        elif path[-1] == "t" and (len(path) == 3 or (len(path) == 4 and path[2] == "r")):
            self.text = []

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, tag) -> None:
        path = self.path
        if len(path) >= 2 and path[1] == "si":
            if len(path) == 2:
                self.strings.append("".join(self.parts))
            elif self.text is not None and path[-1] == "t":
                self.parts.append("".join(self.text))
                self.text = None
        path.pop()

    def close(self) -> None:
        return None


class SharedStrings:
    """Excel's table of the workbook's texts, by index: the first entries in memory, the rest in a
    temporary file (unlinked at once) read back by offset, so a large table costs eight bytes an entry."""

    def __init__(self):
        self.head: list[str] = []
        self.offsets = array("Q", [0])
        self._file = None
        self._map: mmap.mmap | None = None  # the file, mapped once the table is read back

    def load(self, archive: zipfile.ZipFile, part: str) -> None:
        for _done in _feed(archive, part, _StringsTarget(self)):
            pass

    def append(self, text: str) -> None:
        if len(self.head) < SHARED_STRINGS_IN_MEMORY:
            self.head.append(text)
            return
        if self._file is None:
            directory = Path(settings.MEDIA_ROOT) / "imports"
            directory.mkdir(parents=True, exist_ok=True)
            self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by close()
        if self._map is not None:
            self._map.close()
            self._map = None
        data = text.encode()
        self._file.write(data)
        self.offsets.append(self.offsets[-1] + len(data))

    def __len__(self) -> int:
        return len(self.head) + len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        if index < len(self.head):
            return self.head[index]
        index -= len(self.head)
        if index + 1 >= len(self.offsets):
            raise IndexError(index)
        if self._map is None:
            self._file.flush()
            if not self.offsets[-1]:  # only empty texts spilled: nothing to map
                return ""
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        return self._map[self.offsets[index] : self.offsets[index + 1]].decode()

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._file is not None:
            self._file.close()
            self._file = None

"""The xlsx sheet's fast reader (regular expressions over the rows Excel writes) gives the rows the XML
parser gives, on every shape a sheet can take; a row of another shape hands itself and the rest of the
sheet to the parser, and a file the parser refuses is refused."""

from __future__ import annotations

import io
from xml.etree.ElementTree import XMLParser  # noqa: S405 - parses our own test strings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from union_portal.imports import reading
from union_portal.imports.reading import SpreadsheetError, Workbook

from .files import xlsx_from_parts

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><cellXfs count="3"><xf numFmtId="0"/>'
    '<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="0"/></cellXfs></styleSheet>'
)
SHARED_TEXTS = ["陈伟", "", "a & b", "𠮷野家", "13800138000", "  空格  ", "单"]
SHARED = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst xmlns="{MAIN}" count="7" uniqueCount="7">'
    "<si><t>陈伟</t></si><si><t/></si><si><t>a &amp; b</t></si><si><t>𠮷野家</t></si>"
    '<si><t>13800138000</t></si><si><t xml:space="preserve">  空格  </t></si>'
    "<si><r><t>单</t></r><rPh><t>dan</t></rPh></si></sst>"
)
#: What Excel writes before the rows.
EXCEL_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    '<dimension ref="A1:K3"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="13.5" x14ac:dyDescent="0.15"/><cols><col min="1" max="1" width="12"/></cols>'
    "<sheetData>"
)
EXCEL_TAIL = '</sheetData><phoneticPr fontId="1" type="noConversion"/><pageMargins left="0.7"/></worksheet>'


def _book(sheet: str | bytes) -> Workbook:
    data = xlsx_from_parts(
        {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": SHARED, "xl/styles.xml": STYLES}
    )
    return Workbook(io.BytesIO(data))


def _read(sheet: str | bytes, *, fast: bool):
    book = _book(sheet)
    try:
        return list(book.rows(fast=fast))
    except SpreadsheetError as exc:
        return ("refused", exc.code)
    finally:
        book.close()


def _same(sheet: str | bytes):
    fast, parsed = _read(sheet, fast=True), _read(sheet, fast=False)
    assert fast == parsed
    return fast


# --- the rows Excel writes: read by the fast reader alone -------------------------------------------------

EXCEL_ROWS = (
    '<row r="1" spans="1:11" x14ac:dyDescent="0.15"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c>'
    '<c r="C1" s="1"><v>45352</v></c><c r="D1"><v>2.5</v></c><c r="E1" t="b"><v>1</v></c>'
    '<c r="F1" t="e"><v>#N/A</v></c><c r="G1" s="2"/><c r="H1" t="s"><v>1</v></c><c r="I1" t="str"><v>陈x</v></c>'
    '<c r="J1" t="n"><v>-3</v></c><c r="K1" t="s"><v>3</v></c></row>'
    '<row r="2" spans="1:11" ht="20" customHeight="1"/>'
    '<row r="3" spans="1:11"><c r="B3" s="2" t="s"><v>5</v></c><c r="D3"><v>1.5E+16</v></c>'
    '<c r="E3" t="s"><v>6</v></c><c r="F3"><v></v></c></row>'
)
EXCEL_READ = [
    (
        1,
        [
            "陈伟",
            "13800138000",
            reading.dt.date(2024, 3, 1),
            2.5,
            True,
            "#N/A",
            None,
            None,
            "陈x",
            -3,
            "𠮷野家",
        ],
    ),
    (2, []),
    (3, [None, "  空格  ", None, 1.5e16, "单"]),
]


def test_the_rows_excel_writes_are_read_by_the_fast_reader_alone():
    book = _book(EXCEL_HEAD + EXCEL_ROWS + EXCEL_TAIL)
    target = reading._SheetTarget(book, book.shared_strings())
    parser = XMLParser(target=target)  # noqa: S314 - our own string
    parser.feed(EXCEL_HEAD.encode())
    assert target.depth == 1
    assert reading._fast_rows(EXCEL_ROWS.encode(), parser, target) is True
    assert target.rows == EXCEL_READ
    book.close()


def test_a_sheet_as_excel_writes_it_is_read_the_same_by_both_readers():
    assert _same(EXCEL_HEAD + EXCEL_ROWS + EXCEL_TAIL) == EXCEL_READ


# --- other shapes: the parser takes over from the row that differs --------------------------------------------

PLAIN = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>7</v></c></row>'
LAST = '<row r="9"><c r="A9" t="s"><v>2</v></c></row>'


@pytest.mark.parametrize(
    "middle",
    [
        pytest.param('<row r="2"><c r="A2" t="inlineStr"><is><t>内联</t></is></c></row>', id="inline-string"),
        pytest.param('<row r="2"><c r="A2"><f>1+1</f><v>2</v></c></row>', id="formula"),
        pytest.param('<row r="2"><c r="A2" t="str"><v>a &amp; b</v></c></row>', id="entity"),
        pytest.param('<row r="2"><c r="A2" t="str"><v><![CDATA[<x>]]></v></c></row>', id="cdata"),
        pytest.param('<!-- a comment --><row r="2"><c r="A2"><v>1</v></c></row>', id="comment"),
        pytest.param('<?pi here?><row r="2"><c r="A2"><v>1</v></c></row>', id="processing-instruction"),
        pytest.param(
            '<row r="2">\n  <c r="A2"><v>1</v></c>\n  <c r="B2"><v>2</v></c>\n</row>\n', id="indented"
        ),
        pytest.param('<row><c r="A2"><v>1</v></c></row>', id="row-without-number"),
        pytest.param('<row r="2"><c><v>1</v></c><c t="s"><v>0</v></c></row>', id="cells-without-reference"),
        pytest.param('<row r="2"><c r="b2"><v>1</v></c></row>', id="lower-case-reference"),
        pytest.param('<row r="2"><c r="A2" t="s" s="1"><v>0</v></c></row>', id="attributes-in-another-order"),
        pytest.param('<row r="2"><c r="A2" cm="1"><v>1</v></c></row>', id="another-cell-attribute"),
        pytest.param("<row r='2'><c r='A2'><v>1</v></c></row>", id="single-quotes"),
        pytest.param('<row r="2"><c r="A2"><v/></c><c r="B2"><v>3</v></c></row>', id="empty-value-element"),
        pytest.param('<row r="2"><c r="A2" t="str"><v>一\r\n二</v></c></row>', id="carriage-return"),
        pytest.param('<row r="2"><c r="A2"><v>1</v><extLst/></c></row>', id="extension-in-cell"),
        pytest.param(
            '<row r="4"/><row r="5" hidden="1"/><row r="6"><c r="A6" t="s"><v>3</v></c></row>',
            id="empty-rows",
        ),
        pytest.param(
            '<row r="4"/><row r="6"><c r="A6" t="inlineStr"><is><t>x</t></is></c></row>',
            id="empty-row-then-other-shape",
        ),
        pytest.param(
            '<row r="2"><c r="C2"><v>3</v></c><c r="A2" t="s"><v>0</v></c></row>', id="columns-out-of-order"
        ),
        pytest.param(
            '<row r="2"><c r="A2" t="s"><v> 3 </v></c><c r="B2" t="s"><v>0003</v></c></row>',
            id="padded-index",
        ),
    ],
)
def test_every_other_shape_reads_the_same_as_with_the_parser_alone(middle):
    rows = _same(EXCEL_HEAD + PLAIN + middle + LAST + EXCEL_TAIL)
    assert rows[0] == (1, ["陈伟", 7])
    assert rows[-1] == (9, ["a & b"])


@pytest.mark.parametrize(
    "sheet",
    [
        pytest.param(
            f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
            "</x:sheetData></x:worksheet>",
            id="prefixed-names",
        ),  # fmt: skip
        pytest.param(f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>', id="no-rows"),
        pytest.param(
            f'<worksheet xmlns="{MAIN}"><!-- <sheetData> --><sheetData>{PLAIN}</sheetData></worksheet>',
            id="sheetdata-in-a-comment",
        ),  # fmt: skip
        pytest.param(("\ufeff" + EXCEL_HEAD + PLAIN + EXCEL_TAIL).encode(), id="byte-order-mark"),
        pytest.param(
            (
                f'<?xml version="1.0" encoding="ISO-8859-1"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
                '<c r="A1" t="str"><v>café</v></c></row></sheetData></worksheet>'
            ).encode("latin-1"),
            id="declared-latin-1",
        ),  # fmt: skip
        pytest.param(
            (
                f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN}"><sheetData>{PLAIN}</sheetData>'
                "</worksheet>"
            ).encode("utf-16"),
            id="utf-16",
        ),  # fmt: skip
    ],
)
def test_whole_sheets_of_other_shapes_read_the_same(sheet):
    rows = _same(sheet)
    assert rows == [] or rows[0][0] == 1


@pytest.mark.parametrize(
    "row",
    [
        pytest.param('<row r="2"><c r="A2" t="s"><v>99</v></c></row>', id="shared-string-out-of-range"),
        pytest.param('<row r="2"><c r="A2" t="s"><v>x</v></c></row>', id="shared-string-not-a-number"),
        pytest.param('<row r="2"><c r="A2"><v>1</v></c>', id="unclosed-row"),
        pytest.param('<row r="2"><c r="A2" t="str"><v>\x01</v></c></row>', id="control-character"),
        pytest.param(b'<row r="2"><c r="A2" t="str"><v>\xff\xfe</v></c></row>', id="invalid-utf8"),
        pytest.param('<row r="2"><c r="A2" t="str"><v>a &bogus; b</v></c></row>', id="undefined-entity"),
    ],
)
def test_what_the_parser_refuses_is_refused(row):
    row = row if isinstance(row, bytes) else row.encode()
    assert _same(EXCEL_HEAD.encode() + PLAIN.encode() + row + EXCEL_TAIL.encode()) == ("refused", "bad_file")


# --- any mixture, cut into chunks anywhere ----------------------------------------------------------------------

_cells = st.lists(
    st.sampled_from(
        [
            '<c r="{c}{r}" t="s"><v>0</v></c>', '<c r="{c}{r}" t="s"><v>3</v></c>', '<c r="{c}{r}" t="s"><v>1</v></c>',
            '<c r="{c}{r}"><v>42</v></c>', '<c r="{c}{r}" s="1"><v>45000</v></c>', '<c r="{c}{r}" s="2"/>',
            '<c r="{c}{r}" t="str"><v>陈伟x</v></c>', '<c r="{c}{r}" t="b"><v>0</v></c>', '<c r="{c}{r}"></c>',
            '<c r="{c}{r}" t="inlineStr"><is><t>内</t></is></c>', '<c r="{c}{r}"><f>A1</f><v>1</v></c>',
            '<c r="{c}{r}" t="str"><v>x &lt; y</v></c>', ' <c r="{c}{r}"><v>5</v></c>',
        ]
    ),
    max_size=6,
)  # fmt: skip
_row_shapes = st.sampled_from(['<row r="{r}"{a}>{cells}</row>', '<row r="{r}"{a}/>', "<row{a}>{cells}</row>",
                               '\n<row r="{r}"{a}>{cells}</row>', '<!--x--><row r="{r}"{a}>{cells}</row>'])  # fmt: skip
_row_attributes = st.sampled_from(
    ["", ' spans="1:6"', ' spans="1:6" x14ac:dyDescent="0.25"', ' ht="20" customHeight="1"']
)


@st.composite
def sheets(draw):
    rows = []
    for number in range(1, draw(st.integers(0, 12)) + 1):
        cells = "".join(shape.format(c="ABCDEF"[i], r=number) for i, shape in enumerate(draw(_cells)))
        rows.append(draw(_row_shapes).format(r=number, a=draw(_row_attributes), cells=cells))
    return (EXCEL_HEAD + "".join(rows) + EXCEL_TAIL).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet=sheets(), chunk=st.sampled_from([7, 64, 1000, 1 << 16]))
def test_any_mixture_of_shapes_cut_into_any_chunks_reads_the_same(monkeypatch, sheet, chunk):
    monkeypatch.setattr(reading, "CHUNK", chunk)
    _same(sheet)


def test_a_large_sheet_crossing_chunks_reads_the_same_and_turns_to_the_parser_where_it_must():
    rows = [
        f'<row r="{r}" spans="1:3"><c r="A{r}" t="s"><v>{r % 7}</v></c><c r="B{r}"><v>{r}</v></c>'
        f'<c r="C{r}" s="1"><v>{45000 + r}</v></c></row>'
        for r in range(1, 6001)
    ]
    rows[4500] = '<row r="4501"><c r="A4501" t="inlineStr"><is><t>内联</t></is></c></row>'
    read = _same(EXCEL_HEAD + "".join(rows) + EXCEL_TAIL)
    assert len(read) == 6000
    assert read[4499] == (4500, [SHARED_TEXTS[4500 % 7] or None, 4500,
                                 reading.excel_date(49500)])  # fmt: skip
    assert read[4500] == (4501, ["内联"])
    assert read[5999][1][1] == 6000


def test_a_sheet_of_only_empty_rows_beyond_the_buffer_reads_the_same(monkeypatch):
    monkeypatch.setattr(reading, "_FAST_BUFFER_MAX", 4096)
    sheet = (
        EXCEL_HEAD
        + "".join(f'<row r="{r}"/>' for r in range(1, 2001))
        + PLAIN.replace('"1"', '"2001"')
        + EXCEL_TAIL
    )
    read = _same(sheet)
    assert len(read) == 2001
    assert read[0] == (1, [])

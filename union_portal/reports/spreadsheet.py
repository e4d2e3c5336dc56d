"""The spreadsheet of a report run (XlsxWriter), written from the figures stored on the run.

A cover sheet with what was asked, then one sheet per area: each figure for the period, the previous
period and the same period last year, with the change against each (formulas, so the sheet stays
live when someone corrects a number); the scalar figures per child node (per town); the monthly
series; native charts. Headers are in Chinese (the file is written in the portal's language);
every sheet is print-ready: A4 landscape, fitted to the page width, the header row repeated on
each page, page numbers in the footer.
"""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from union_portal.core.figures import Figure, all_figures

from .areas import area_title

NUMBER_FORMATS = {"count": "#,##0", "money": "#,##0.00", "hours": "#,##0.0", "rate": "0.0%"}
CHART_EVERY = 16  # rows a chart takes


def _number(value):
    if value is None:
        return None
    if isinstance(value, str):
        return float(Decimal(value))
    return value


def _unit_label(unit: str) -> str:
    return {"count": _("number"), "money": _("yuan"), "rate": _("share"), "hours": _("hours")}[unit]


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


class _Formats:
    def __init__(self, book):
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.label = book.add_format({"border": 1})
        self.group = book.add_format({"border": 1, "bold": True})
        self.part = book.add_format({"border": 1, "indent": 1})
        self.units = {
            unit: book.add_format({"border": 1, "num_format": fmt}) for unit, fmt in NUMBER_FORMATS.items()
        }
        self.change = book.add_format({"border": 1, "num_format": "+0.0%;-0.0%;0.0%"})

    def unit(self, unit: str):
        return self.units[unit]


def _print_ready(sheet, header_row: int, title: str) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # as wide as one page, as many pages down as needed
    sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.set_header(f"&C&12{title.replace('&', '&&')}")
    sheet.set_footer("&C" + _("Page &P of &N"))
    sheet.freeze_panes(header_row + 1, 1)


def _change(row: int, current_col: str, other_col: str, unit: str) -> str:
    """The formula of the change of ``current_col`` against ``other_col`` on ``row``
    (1-based Excel row): relative for counts and money, in points for rates."""
    now, before = f"{current_col}{row}", f"{other_col}{row}"
    if unit == "rate":
        return f'=IF(OR({now}="",{before}=""),"",{now}-{before})'
    return f'=IF(OR({before}="",{before}=0),"",({now}-{before})/{before})'


def _cached_change(now, before, unit):
    if now is None or before is None:
        return ""
    if unit == "rate":
        return round(now - before, 6)
    if not before:
        return ""
    return round((now - before) / before, 6)


def _write_cover(book, fmt: _Formats, run, stored: dict, used: set[str]) -> None:
    sheet = book.add_worksheet(_sheet_name(_("Overview"), used))
    title = f"{stored['scope']['name']} {run.period_label}"
    sheet.write(0, 0, title, fmt.title)
    periods = stored["periods"]
    rows = [
        (_("Organisation"), stored["scope"]["name"]),
        (_("Period"), f"{periods['current'][0]} — {periods['current'][1]}"),
        (_("Previous period"), f"{periods['previous'][0]} — {periods['previous'][1]}"),
        (_("Same period last year"), f"{periods['last_year'][0]} — {periods['last_year'][1]}"),
        (_("Areas"), "、".join(str(area_title(area)) for area in stored["areas"])),
        (_("Requested by"), str(run.requested_by) if run.requested_by_id else _("Scheduled")),
        (_("Built at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    sheet.write_row(2, 0, [_("Item"), _("Value")], fmt.header)
    for index, (label, value) in enumerate(rows, start=3):
        sheet.write(index, 0, label, fmt.label)
        sheet.write(index, 1, value, fmt.label)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 60)
    _print_ready(sheet, 2, title)


def _write_area(book, fmt: _Formats, area: str, figures: list[Figure], stored: dict, used: set[str]) -> None:
    title = str(area_title(area, figures))
    sheet = book.add_worksheet(_sheet_name(title, used))
    name = _sheet_name_ref(sheet.name)
    full_title = f"{stored['scope']['name']} {title}"
    sheet.write(0, 0, full_title, fmt.title)
    periods = stored["periods"]
    sheet.write(
        1, 0,
        _("This period %(now)s; previous period %(before)s; same period last year %(last)s")
        % {
            "now": "—".join(periods["current"]),
            "before": "—".join(periods["previous"]),
            "last": "—".join(periods["last_year"]),
        },
        fmt.note,
    )  # fmt: skip
    header_row = 3
    sheet.write_row(
        header_row, 0,
        [_("Figure"), _("Unit"), _("This period"), _("Previous period"), _("Change on previous period"),
         _("Same period last year"), _("Change on last year")],
        fmt.header,
    )  # fmt: skip
    sheet.set_row(header_row, 32)
    row = header_row + 1
    charts = []
    values = stored["figures"]
    for figure in figures:
        found = values.get(figure.key)
        if found is None or found["kind"] == "by_month":
            continue
        if found["kind"] == "scalar":
            _write_line(sheet, fmt, row, str(figure.label), figure.unit, found, None, fmt.label)
            row += 1
            continue
        sheet.write(row, 0, str(figure.label), fmt.group)
        sheet.write(row, 1, _unit_label(figure.unit), fmt.label)
        row += 1
        first = row
        for code, label in figure.breakdown:
            _write_line(sheet, fmt, row, str(label), figure.unit, found, str(code), fmt.part)
            row += 1
        chart = book.add_chart({"type": "column"})
        for column, series in (("C", _("This period")), ("F", _("Same period last year"))):
            chart.add_series({
                "name": series,
                "categories": f"={name}!$A${first + 1}:$A${row}",
                "values": f"={name}!${column}${first + 1}:${column}${row}",
            })  # fmt: skip
        chart.set_title({"name": str(figure.label)})
        charts.append(chart)
    row += 1
    row = _write_by_child(book, sheet, fmt, row, figures, stored, charts, name)
    for figure in figures:
        found = values.get(figure.key)
        if found is None or found["kind"] != "by_month":
            continue
        row = _write_months(book, sheet, fmt, row, figure, found, charts, name)
    for chart in charts:
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 300})
        sheet.insert_chart(row, 0, chart)
        row += CHART_EVERY
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 8)
    sheet.set_column(2, 6, 14)
    sheet.set_column(7, 30, 12)
    _print_ready(sheet, header_row, full_title)


def _sheet_name_ref(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _write_line(sheet, fmt, row: int, label: str, unit: str, found: dict, code, label_format) -> None:
    def pick(span):
        value = found.get(span)
        return _number(value.get(code) if code is not None and isinstance(value, dict) else value)

    now, before, last = pick("current"), pick("previous"), pick("last_year")
    number = fmt.unit(unit)
    sheet.write(row, 0, label, label_format)
    sheet.write(row, 1, _unit_label(unit), fmt.label)
    for col, value in ((2, now), (3, before), (5, last)):
        if value is None:
            sheet.write_blank(row, col, None, number)
        else:
            sheet.write_number(row, col, value, number)
    excel_row = row + 1
    for col, other, other_value in ((4, "D", before), (6, "F", last)):
        formula = _change(excel_row, "C", other, unit)
        sheet.write_formula(row, col, formula, fmt.change, _cached_change(now, other_value, unit))


def _write_by_child(book, sheet, fmt, row: int, figures, stored: dict, charts: list, name: str) -> int:
    split = [f for f in figures if "by_child" in stored["figures"].get(f.key, {})]
    children = stored["children"]
    if not split:
        return row
    scope_path = stored["scope"]["path"]
    names = {**children, scope_path: _("(held by %(name)s itself)") % {"name": stored["scope"]["name"]}}
    paths = list(children) + [scope_path]
    sheet.write(row, 0, _("By organisation below (this period)"), fmt.group)
    row += 1
    header = row
    sheet.write_row(header, 0, [_("Organisation")] + [str(f.label) for f in split], fmt.header)
    sheet.set_row(header, 32)
    row += 1
    first = row
    for path in paths:
        sheet.write(row, 0, names[path], fmt.label)
        for col, figure in enumerate(split, start=1):
            value = _number(stored["figures"][figure.key]["by_child"].get(path))
            if value is None and figure.unit != "rate":
                value = 0  # a node without rows counts nothing; a rate without a base stays blank
            if value is None:
                sheet.write_blank(row, col, None, fmt.unit(figure.unit))
            else:
                sheet.write_number(row, col, value, fmt.unit(figure.unit))
        row += 1
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": str(split[0].label),
        "categories": f"={name}!$A${first + 1}:$A${row}",
        "values": f"={name}!$B${first + 1}:$B${row}",
    })  # fmt: skip
    chart.set_title({"name": str(split[0].label)})
    charts.append(chart)
    return row + 1


def _write_months(book, sheet, fmt, row: int, figure: Figure, found: dict, charts: list, name: str) -> int:
    sheet.write(row, 0, str(figure.label), fmt.group)
    row += 1
    sheet.write_row(row, 0, [_("Month"), _("This period"), _("Same period last year")], fmt.header)
    row += 1
    first = row
    now = list((found.get("current") or {}).items())
    last = list((found.get("last_year") or {}).values())
    number = fmt.unit(figure.unit)
    for index, (month, value) in enumerate(now):
        sheet.write(row, 0, month, fmt.label)
        sheet.write_number(row, 1, _number(value) or 0, number)
        before = _number(last[index]) if index < len(last) else None
        if before is None:
            sheet.write_blank(row, 2, None, number)
        else:
            sheet.write_number(row, 2, before, number)
        row += 1
    if now:
        chart = book.add_chart({"type": "line"})
        for column, series in (("B", _("This period")), ("C", _("Same period last year"))):
            chart.add_series({
                "name": series,
                "categories": f"={name}!$A${first + 1}:$A${row}",
                "values": f"={name}!${column}${first + 1}:${column}${row}",
                "marker": {"type": "circle"},
            })  # fmt: skip
        chart.set_title({"name": str(figure.label)})
        charts.append(chart)
    return row + 1


def write_workbook(run, stored: dict) -> bytes:
    """The report's xlsx, in the portal's language (Chinese)."""
    by_key = {figure.key: figure for figure in all_figures()}
    with translation.override(settings.LANGUAGE_CODE):
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
        book.set_properties({"title": str(run), "company": stored["scope"]["name"]})
        fmt = _Formats(book)
        used: set[str] = set()
        _write_cover(book, fmt, run, stored, used)
        for area in stored["areas"]:
            figures = [
                by_key[key]
                for key, entry in stored["figures"].items()
                if entry["area"] == area and key in by_key
            ]
            _write_area(book, fmt, area, figures, stored, used)
        book.close()
        return out.getvalue()

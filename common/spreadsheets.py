"""Writing .xlsx: streamed (XlsxWriter constant memory), numbers as numeric cells.

Every string is written as a string cell, so text that came from outside and begins with
=, +, - or @ is shown as text and never becomes a formula.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from common.money import to_money

FORMATS = {
    "text": {},
    "int": {"num_format": "0"},
    "money": {"num_format": "#,##0.00"},
    "decimal": {"num_format": "0.00"},
    "percent": {"num_format": "0.0%"},
    "date": {"num_format": "yyyy-mm-dd"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm:ss"},
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"
    width: int = 14


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    title_lines: Sequence[str] = field(default_factory=tuple)
    total_label: str = ""


def write_xlsx(path: Path, sheets: Iterable[Sheet]) -> None:
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
        },
    )
    bold = workbook.add_format({"bold": True})
    formats = {kind: workbook.add_format(spec) for kind, spec in FORMATS.items()}
    total_formats = {
        kind: workbook.add_format({**spec, "bold": True}) for kind, spec in FORMATS.items()
    }
    for sheet in sheets:
        _write_sheet(workbook.add_worksheet(sheet.name[:31]), sheet, bold, formats, total_formats)
    workbook.close()


def _write_sheet(worksheet, sheet: Sheet, bold, formats, total_formats) -> None:
    row_index = 0
    for line in sheet.title_lines:
        worksheet.write_string(row_index, 0, line, bold)
        row_index += 1
    for col_index, column in enumerate(sheet.columns):
        worksheet.set_column(col_index, col_index, column.width)
        worksheet.write_string(row_index, col_index, column.header, bold)
    worksheet.freeze_panes(row_index + 1, 0)
    row_index += 1
    totals = [Decimal(0) if column.kind == "money" else None for column in sheet.columns]
    for values in sheet.rows:
        for col_index, (column, value) in enumerate(zip(sheet.columns, values, strict=True)):
            _write_cell(worksheet, row_index, col_index, column.kind, value, formats)
            if totals[col_index] is not None and value is not None:
                totals[col_index] += to_money(value)
        row_index += 1
    if sheet.total_label:
        worksheet.write_string(row_index, 0, sheet.total_label, total_formats["text"])
        for col_index, total in enumerate(totals):
            if total is not None and col_index:
                worksheet.write_number(row_index, col_index, total, total_formats["money"])


def _write_cell(worksheet, row: int, col: int, kind: str, value, formats) -> None:
    if value is None or value == "":
        worksheet.write_blank(row, col, None, formats[kind])
    elif kind in {"money", "decimal", "int", "percent"}:
        worksheet.write_number(row, col, value, formats[kind])
    elif kind in {"date", "datetime"}:
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value)
        worksheet.write_datetime(row, col, value, formats[kind])
    else:
        worksheet.write_string(row, col, str(value), formats[kind])

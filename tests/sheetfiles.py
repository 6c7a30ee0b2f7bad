"""Spreadsheets for the import tests, built the way the outside systems write them, and a
runner for the `import_sheet` command that keeps its output and exit status."""

import csv
import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from pathlib import Path

import xlsxwriter
from django.core.management import call_command

MEMBER_HEADERS = ["会员卡号", "会员姓名", "手机号", "开卡门店ID", "开卡日期", "积分"]
POS_HEADERS = [
    "销售日期",
    "门店ID",
    "零售单号",
    "行号",
    "会员卡号",
    "商品编码",
    "商品名称",
    "品牌",
    "数量",
    "实收金额",
]
ROSTER_HEADERS = [
    "片区",
    "门店ID",
    "门店名称",
    "公共手机号",
    "门店邮箱",
    "员工销售ID",
    "员工姓名",
    "岗位",
    "员工手机号",
]
CALLBACK_HEADERS = ["会员卡号", "手机号", "门店ID", "最近购买日期", "近一年消费额"]


def write_xlsx(
    path: Path,
    rows: Iterable[Sequence] = (),
    *,
    title_rows: Sequence[Sequence] = (),
    sheets: dict[str, Iterable[Sequence]] | None = None,
) -> Path:
    """A workbook: `rows` on its only sheet (after `title_rows`, e.g. a report title and a
    blank row), or `sheets` (name → rows, in order). Text becomes text cells, numbers
    numeric cells, dates and datetimes real Excel date cells; None leaves a cell empty."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    formats = {
        datetime.datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        datetime.date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    for name, sheet_rows in (sheets or {"Sheet1": [*title_rows, *rows]}).items():
        worksheet = workbook.add_worksheet(name)
        for row_index, row in enumerate(sheet_rows):
            for col_index, value in enumerate(row):
                _write_cell(worksheet, row_index, col_index, value, formats)
    workbook.close()
    return path


def _write_cell(worksheet, row: int, col: int, value, formats) -> None:
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        worksheet.write_datetime(row, col, value, formats[datetime.datetime])
    elif isinstance(value, datetime.date):
        worksheet.write_datetime(row, col, value, formats[datetime.date])
    elif isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        worksheet.write_number(row, col, float(value))
    else:
        worksheet.write_string(row, col, str(value))


def write_csv(path: Path, rows: Iterable[Sequence], *, encoding: str = "utf-8") -> Path:
    """A CSV as Excel saves it: "utf-8", "utf-8-sig" (with BOM) or "gb18030"."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    return path


def pos_rows(count: int, *, store_ids: Sequence[int] = (307, 512)) -> list[list]:
    """`count` POS sale lines (three lines a receipt), in POS_HEADERS order."""
    start = datetime.datetime(2022, 10, 25, 9, 0)
    return [
        [
            start + datetime.timedelta(minutes=index),
            store_ids[index % len(store_ids)],
            f"R{index // 3:07d}",
            index % 3 + 1,
            f"10000{index % 400:07d}",
            f"P{index % 50:04d}",
            "舒敏保湿特护霜",
            "薇诺娜",
            1,
            Decimal(index % 500) + Decimal("0.98"),
        ]
        for index in range(count)
    ]


@dataclass
class CommandRun:
    status: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        """The one JSON object --json prints; fails on anything else in the output."""
        return json.loads(self.stdout)


def import_sheet(path: Path, *args: str) -> CommandRun:
    """`python manage.py import_sheet PATH ARGS…` in this process and this test's database."""
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command("import_sheet", str(path), *args, stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        status = exit_.code
    else:
        status = 0
    return CommandRun(status, stdout.getvalue(), stderr.getvalue())

"""Leaderboard tables as .xlsx: the same rows, in the same order, as the page shows them
(every page of the table, not just the one on screen), written by common's streamed writer."""

import os
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.http import FileResponse

from campaigns.models import Campaign
from common.spreadsheets import Column, Sheet, write_xlsx
from presale.models import Penalty
from reports.selectors import BoardLine, board_line, percent_of

FIGURE_COLUMNS = [
    Column("当日预售", kind="money"),
    Column("当日单数", kind="int", width=10),
    Column("累计销售", kind="money"),
    Column("目标", kind="money"),
    Column("完成率", kind="percent", width=10),
    Column("累计预售", kind="money"),
    Column("预售占比", kind="percent", width=10),
    Column("预售占比目标", kind="percent", width=12),
    Column("当日回访", kind="int", width=10),
    Column("当日回访指标", kind="int", width=12),
    Column("累计回访", kind="int", width=10),
]
HOLDER_COLUMNS = [Column("回访会员", kind="int", width=10), Column("挂0天数", kind="int", width=10)]
CHANGE_COLUMN = Column("较前日名次变化", kind="int", width=14)

REGION_COLUMNS = [
    Column("排名", kind="int", width=6),
    Column("片区", width=14),
    Column("片长", width=10),
    *FIGURE_COLUMNS,
    *HOLDER_COLUMNS,
    CHANGE_COLUMN,
]
STORE_COLUMNS = [
    Column("排名", kind="int", width=6),
    Column("门店ID", kind="int", width=8),
    Column("门店名称", width=24),
    Column("片区", width=12),
    *FIGURE_COLUMNS,
    *HOLDER_COLUMNS,
    CHANGE_COLUMN,
]
STAFF_COLUMNS = [
    Column("排名", kind="int", width=6),
    Column("员工销售ID", width=12),
    Column("员工", width=10),
    Column("门店ID", kind="int", width=8),
    Column("门店名称", width=24),
    *FIGURE_COLUMNS,
    CHANGE_COLUMN,
]
PENALTY_COLUMNS = [
    Column("挂0日期", kind="date", width=12),
    Column("应完成日期", kind="date", width=12),
    Column("门店ID", kind="int", width=8),
    Column("门店名称", width=24),
    Column("员工销售ID", width=12),
    Column("员工", width=10),
    Column("状态", width=16),
]
PENALTY_STATE = "未上传视频、未申请免做"


def _ratio(value: Decimal | None) -> Decimal | None:
    """The rate as the page rounds it (93.5%), as a fraction for a percent cell."""
    shown = percent_of(value)
    return None if shown is None else shown / 100


def _figures(line: BoardLine) -> tuple:
    snapshot = line.snapshot
    return (
        snapshot.presale_amount,
        snapshot.presale_orders,
        snapshot.sales_to_date,
        snapshot.target,
        _ratio(snapshot.completion),
        snapshot.presale_to_date,
        _ratio(snapshot.presale_share),
        line.presale_share_goal,
        snapshot.callbacks_today,
        line.callbacks_quota,
        snapshot.callbacks_to_date,
    )


def region_row(line: BoardLine) -> tuple:
    region = line.snapshot.region
    return (
        line.rank,
        region.name,
        region.lead.name if region.lead else "",
        *_figures(line),
        line.snapshot.audience,
        line.zero_days,
        line.rank_change,
    )


def store_row(line: BoardLine) -> tuple:
    store = line.snapshot.store
    return (
        line.rank,
        store.store_id,
        store.name,
        store.region.name,
        *_figures(line),
        line.snapshot.audience,
        line.zero_days,
        line.rank_change,
    )


def staff_row(line: BoardLine) -> tuple:
    snapshot = line.snapshot
    return (
        line.rank,
        snapshot.staff.staff_no,
        snapshot.staff.name,
        snapshot.store.store_id,
        snapshot.store.name,
        *_figures(line),
        line.rank_change,
    )


def penalty_row(penalty: Penalty) -> tuple:
    return (
        penalty.zero_day,
        penalty.due_on,
        penalty.store.store_id,
        penalty.store.name,
        penalty.staff.staff_no,
        penalty.staff.name,
        PENALTY_STATE,
    )


TABLES = {
    "regions": ("片区排行", REGION_COLUMNS, region_row),
    "stores": ("门店排行", STORE_COLUMNS, store_row),
    "zero": ("当日挂0门店", STORE_COLUMNS, store_row),
    "staff": ("员工排行", STAFF_COLUMNS, staff_row),
}


def _lines(rows, campaign: Campaign, rank_field: str) -> Iterator[BoardLine]:
    for row in rows.iterator(chunk_size=2000):
        yield board_line(row, campaign, rank_field=rank_field)


def table_rows(table: str, rows, campaign: Campaign, *, rank_field: str = "rank") -> Iterable:
    if table == "penalties":
        return (penalty_row(penalty) for penalty in rows.iterator(chunk_size=2000))
    to_row = TABLES[table][2]
    return (to_row(line) for line in _lines(rows, campaign, rank_field))


def leaderboard_response(
    table: str, rows, campaign: Campaign, *, title: str, file_name: str, rank_field="rank"
) -> FileResponse:
    """Write the table to a temporary file and stream it; the file is gone once sent."""
    name, columns = ("挂0未处理", PENALTY_COLUMNS) if table == "penalties" else TABLES[table][:2]
    sheet = Sheet(
        name,
        columns,
        table_rows(table, rows, campaign, rank_field=rank_field),
        title_lines=[title],
    )
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(Path(path), [sheet])
        opened = open(path, "rb")  # noqa: SIM115 - FileResponse closes it after streaming
    finally:
        # The open handle keeps the data readable after the name is removed (POSIX).
        os.unlink(path)
    return FileResponse(opened, as_attachment=True, filename=file_name)

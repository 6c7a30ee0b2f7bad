"""The settlement workbook (formats.md): a summary sheet per region and store, then one sheet
per rule kind with a row per line and the facts behind it. Money is numeric with two
decimals and a total row; every sheet carries the campaign, the version and its approval.
Rows are streamed from the database into XlsxWriter's constant-memory mode, and text from
outside (names, buyer notes) is always written as text, never as a formula."""

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import islice
from pathlib import Path

from django.utils import timezone

from common.spreadsheets import Column, Sheet, write_xlsx
from rewards.models import SettlementLine, SettlementRun
from rewards.rules import RULE_KINDS
from rewards.selectors import money_sum

# Excel holds 1,048,576 rows a sheet; a kind with more lines goes on to a second sheet.
ROWS_PER_SHEET = 1_000_000
ROWS_PER_QUERY = 5000
DIRECTIONS = dict(SettlementLine.Direction.choices)
RECIPIENT_TYPES = dict(SettlementLine.RecipientType.choices)

TOTAL_COLUMNS = (
    Column("应付（奖励）", "money", 14),
    Column("应收（成长金、下账差额）", "money", 20),
    Column("净额（应付−应收）", "money", 16),
)
REGION_SUMMARY_COLUMNS = (Column("片区", width=14), *TOTAL_COLUMNS)
STORE_SUMMARY_COLUMNS = (
    Column("门店ID", "int", 8),
    Column("门店名称", width=22),
    Column("片区", width=14),
    *TOTAL_COLUMNS,
)
LINE_COLUMNS = (
    Column("序号", "int", 8),
    Column("对象类型", width=8),
    Column("对象", width=12),
    Column("名称", width=16),
    Column("片区", width=14),
    Column("门店ID", "int", 8),
    Column("方向", width=6),
    Column("金额", "money", 12),
)
BUYER_NOTE = Column("买家备注", width=24)

Progress = Callable[[int, int], None]


def approval_stamp(run: SettlementRun) -> str:
    if not run.locked:
        return "审批：未审批（草稿）"
    approver = run.approved_by
    at = timezone.localtime(run.approved_at).strftime("%Y-%m-%d %H:%M")
    return f"审批：已审批 {at} {approver.name}（{approver.staff_no}）"


def title_lines(run: SettlementRun) -> tuple[str, str]:
    campaign = run.campaign
    return (
        f"{campaign.name}（{campaign.code}）结算 第 {run.version} 版",
        f"{approval_stamp(run)}；计算时间 {timezone.localtime(run.computed_at):%Y-%m-%d %H:%M}",
    )


def _totals(row: dict) -> tuple:
    return row["pay"], row["owe"], row["pay"] - row["owe"]


def _region_rows(run: SettlementRun) -> Iterator[tuple]:
    """Every line counts in its region: the region's own, its stores' and its staff's."""
    regions = (
        SettlementLine.objects.filter(run=run)
        .order_by()
        .values("region__name")
        .annotate(pay=money_sum("pay"), owe=money_sum("owe"))
        .order_by("region__name")
    )
    for row in regions:
        yield (row["region__name"], *_totals(row))


def _store_rows(run: SettlementRun) -> Iterator[tuple]:
    """A store's own lines and its staff's."""
    stores = (
        SettlementLine.objects.filter(run=run, store__isnull=False)
        .order_by()
        .values("store__store_id", "store__name", "region__name")
        .annotate(pay=money_sum("pay"), owe=money_sum("owe"))
        .order_by("store__store_id")
    )
    for row in stores.iterator(chunk_size=ROWS_PER_QUERY):
        yield (row["store__store_id"], row["store__name"], row["region__name"], *_totals(row))


def _fact_value(value, kind: str):
    if value in (None, ""):
        return None
    return {"money": Decimal, "int": int}.get(kind, str)(value)


def _kind_rows(run: SettlementRun, kind: str, progress: Callable[[], None]) -> Iterator[tuple]:
    fact_columns = RULE_KINDS[kind].fact_columns
    with_order = any(key == "order_no" for key, _, _ in fact_columns)
    fields = [
        "position",
        "recipient_type",
        "recipient",
        "region__name",
        "store__name",
        "staff__name",
        "store__store_id",
        "direction",
        "amount",
        "facts",
    ]
    if with_order:
        fields.append("order__buyer_note")
    rows = (
        SettlementLine.objects.filter(run=run, kind=kind)
        .order_by("position")
        .values_list(*fields)
        .iterator(chunk_size=ROWS_PER_QUERY)
    )
    for row in rows:
        position, recipient_type, recipient, region, store, staff, store_id = row[:7]
        direction, amount, facts = row[7:10]
        name = {"region": region, "store": store, "staff": staff}[recipient_type]
        values = [
            position,
            RECIPIENT_TYPES[recipient_type],
            recipient,
            name or "",
            region,
            store_id,
            DIRECTIONS[direction],
            amount,
            *(_fact_value(facts.get(key), cell) for key, _, cell in fact_columns),
        ]
        if with_order:
            values.append(row[10] or "")
        progress()
        yield values


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[Iterator[tuple]]:
    """The rows a sheet at a time; each chunk is drawn from the one stream as it is written."""
    first = next(rows, None)
    while first is not None:
        chunk = islice(rows, size - 1)
        yield _prepend(first, chunk)
        first = next(rows, None)


def _prepend(first: tuple, rest: Iterable[tuple]) -> Iterator[tuple]:
    yield first
    yield from rest


def settlement_sheets(run: SettlementRun, progress: Progress | None = None) -> Iterator[Sheet]:
    titles = title_lines(run)
    yield Sheet("汇总", REGION_SUMMARY_COLUMNS, _region_rows(run), titles, total_label="合计")
    yield Sheet("门店汇总", STORE_SUMMARY_COLUMNS, _store_rows(run), titles, total_label="合计")
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and done % ROWS_PER_QUERY == 0:
            progress(done, run.line_count)

    kinds = (
        SettlementLine.objects.filter(run=run)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )
    order = [rule.kind for rule in RULE_KINDS.values()]
    for kind in sorted(kinds, key=order.index):
        rule = RULE_KINDS[kind]
        columns = list(LINE_COLUMNS) + [
            Column(header, cell, 14) for _, header, cell in rule.fact_columns
        ]
        if any(key == "order_no" for key, _, _ in rule.fact_columns):
            columns.append(BUYER_NOTE)
        for part, rows in enumerate(_chunks(_kind_rows(run, kind, tick), ROWS_PER_SHEET), 1):
            name = rule.title if part == 1 else f"{rule.title}（{part}）"
            yield Sheet(name, columns, rows, titles, total_label="合计")
    if progress is not None:
        progress(run.line_count, run.line_count)


def settlement_file_name(run: SettlementRun) -> str:
    state = "已审批" if run.locked else "草稿"
    return f"结算_{run.campaign.code}_第{run.version}版_{state}.xlsx"


def settlement_workbook_write(run: SettlementRun, path: Path, progress: Progress | None = None):
    write_xlsx(path, settlement_sheets(run, progress))

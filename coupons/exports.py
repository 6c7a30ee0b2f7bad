"""The finance reports of handbook chapter 7 (附表1–3), for one store and period, as the
same rows for the page and the .xlsx. The caller has fetched the store through
stores.access (a page) or acts for the whole chain (the monthly job)."""

import datetime
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from common.spreadsheets import Column, Sheet, write_xlsx
from coupons.models import CouponEntry
from coupons.selectors import (
    coupon_ledger_summary,
    store_coupon_entries,
    store_gift_handouts,
    store_points_redemptions,
)
from stores.models import Store

CONFIRMED = "已签字"


@dataclass(frozen=True)
class Report:
    title: str
    columns: list[Column]
    rows: Iterator[tuple]
    total_label: str = "小计"
    lines: tuple[str, ...] = ()


def _period_line(store: Store, first: datetime.date, last: datetime.date) -> str:
    return f"门店 {store.store_id} {store.name} · {first:%Y-%m-%d} 至 {last:%Y-%m-%d}"


def points_report(store: Store, first: datetime.date, last: datetime.date) -> Report:
    """附表1 会员赠品领用表."""
    columns = [
        Column("序号", "int", 6),
        Column("日期", "date", 12),
        Column("姓名", width=10),
        Column("卡号", width=16),
        Column("原积分", "int", 10),
        Column("减积分", "int", 10),
        Column("兑换品种", width=24),
        Column("兑换赠品金额", "money", 14),
        Column("顾客签名", width=10),
        Column("经办人", width=10),
    ]
    rows = (
        (
            number,
            row.redeemed_on,
            row.member.name,
            row.member.card_no,
            row.points_before,
            row.points_deducted,
            row.gift.name,
            row.gift_value,
            CONFIRMED,
            row.handler.name,
        )
        for number, row in enumerate(
            store_points_redemptions(store, first, last).iterator(chunk_size=2000), start=1
        )
    )
    return Report("附表1 会员赠品领用表", columns, rows)


def handouts_report(store: Store, first: datetime.date, last: datetime.date) -> Report:
    """附表2 活动赠品领用表."""
    columns = [
        Column("序号", "int", 6),
        Column("日期", "date", 12),
        Column("小票编号", width=20),
        Column("购物金额", "money", 12),
        Column("兑换品种", width=24),
        Column("礼品金额", "money", 12),
        Column("顾客签名", width=10),
        Column("经办人", width=16),
    ]
    rows = (
        (
            number,
            row.handed_on,
            row.receipt_no,
            row.purchase_amount,
            row.gift.name,
            row.gift_value,
            CONFIRMED,
            f"{row.handler.name}、{row.second_handler.name}",
        )
        for number, row in enumerate(
            store_gift_handouts(store, first, last).iterator(chunk_size=2000), start=1
        )
    )
    return Report("附表2 活动赠品领用表", columns, rows)


LEDGER_OPENING = "期初余额"
LEDGER_TOTAL = "本期合计"


def _ledger_summary_text(entry: CouponEntry) -> str:
    serial = entry.coupon.serial if entry.coupon else ""
    if entry.kind == CouponEntry.Kind.RECEIVED:
        return f"{entry.coupon_type.name} 领用入库 {entry.quantity} 张（签收人 {entry.signer}）"
    if entry.kind == CouponEntry.Kind.REVERSAL:
        return f"{entry.coupon_type.name} 冲正 {-entry.quantity} 张：{entry.note}"
    if entry.kind == CouponEntry.Kind.ISSUED:
        return f"{entry.coupon_type.name} 发放 券号 {serial}"
    if entry.kind == CouponEntry.Kind.REDEEMED:
        return f"{entry.coupon_type.name} 回收 券号 {serial}"
    valid_until = f"{entry.coupon.valid_until:%Y-%m-%d}"
    return f"{entry.coupon_type.name} 过期未用 券号 {serial}（有效期至 {valid_until}）"


def coupon_ledger_report(store: Store, first: datetime.date, last: datetime.date) -> Report:
    """附表3 赠券进销存明细表: the opening unused stock, each movement with the unused
    stock after it, then the period's totals, all in yuan."""
    summary = coupon_ledger_summary(store, first, last)
    columns = [
        Column("日期", "date", 12),
        Column("摘要", width=44),
        Column("增加金额", "money", 12),
        Column("发券小票编号", width=18),
        Column("购物金额", "money", 12),
        Column("赠送金额", "money", 12),
        Column("未使用期末余额", "money", 14),
        Column("回收小票编号", width=18),
        Column("回收购物金额", "money", 12),
        Column("回收金额", "money", 12),
    ]

    def row(day, text, balance, *, added=None, issued=("", None, None), back=("", None, None)):
        # (小票编号, 购物金额, 金额) of a coupon handed out, and of one taken back.
        return (day, text, added, *issued, balance, *back)

    def rows() -> Iterator[tuple]:
        balance = summary.opening
        yield row(first, LEDGER_OPENING, balance)
        for entry in store_coupon_entries(store, first, last).iterator(chunk_size=2000):
            balance += entry.amount
            day, text = timezone.localdate(entry.at), _ledger_summary_text(entry)
            receipt = (entry.receipt_no, entry.purchase_amount, entry.face_value)
            if entry.kind in {CouponEntry.Kind.RECEIVED, CouponEntry.Kind.REVERSAL}:
                yield row(day, text, balance, added=entry.amount)
            elif entry.kind == CouponEntry.Kind.ISSUED:
                yield row(day, text, balance, issued=receipt)
            elif entry.kind == CouponEntry.Kind.REDEEMED:
                yield row(day, text, balance, back=receipt)
            else:
                yield row(day, text, balance)
        yield row(
            last,
            LEDGER_TOTAL,
            summary.closing,
            added=summary.received,
            issued=("", None, summary.issued),
            back=("", None, summary.redeemed),
        )

    lines = (
        f"期初余额 {summary.opening:,.2f} 元，本期增加 {summary.received:,.2f} 元，"
        f"发放 {summary.issued:,.2f} 元，期末余额 {summary.closing:,.2f} 元，"
        f"回收 {summary.redeemed:,.2f} 元，过期 {summary.expired:,.2f} 元。",
    )
    return Report("附表3 赠券进销存明细表", columns, rows(), total_label="", lines=lines)


@dataclass(frozen=True)
class ReportKind:
    slug: str
    title: str
    build: Callable[[Store, datetime.date, datetime.date], Report]


REPORT_KINDS = {
    kind.slug: kind
    for kind in (
        ReportKind("points", "附表1 会员赠品领用表", points_report),
        ReportKind("handouts", "附表2 活动赠品领用表", handouts_report),
        ReportKind("coupons", "附表3 赠券进销存明细表", coupon_ledger_report),
    )
}


def report_file_name(report: Report, store: Store, first, last) -> str:
    title = report.title.replace(" ", "_")
    return f"{title}_{store.store_id}_{first:%Y%m%d}-{last:%Y%m%d}.xlsx"


def report_workbook_bytes(report: Report, store: Store, first, last) -> bytes:
    sheet = Sheet(
        report.title.split(" ")[0],
        report.columns,
        report.rows,
        title_lines=(report.title, _period_line(store, first, last), *report.lines),
        total_label=report.total_label,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write_xlsx(path, [sheet])
        return path.read_bytes()

"""The booking sheet (下账表, rules.md §7): one store's presale orders, which the store
books in the POS under channel 有赞小程序 with the order number as 外部订单号."""

from collections.abc import Iterator
from pathlib import Path

from django.db.models import QuerySet

from campaigns.models import Campaign
from common.spreadsheets import Column, Sheet, write_xlsx
from presale.models import YouzanOrder
from stores.models import Store

BOOKING_CHANNEL = "有赞小程序"

BOOKING_SHEET_COLUMNS = [
    Column("订单号", width=26),
    Column("买家付款时间", kind="datetime", width=20),
    Column("商品", width=40),
    Column("实付金额（扣除退款）", kind="money", width=16),
    Column("销售员工ID", width=12),
    Column("销售员工", width=10),
    Column("取货状态", width=10),
]


def booking_orders(campaign: Campaign) -> QuerySet[YouzanOrder]:
    """Every attributed order paid in the presale window with something left to book: a
    fully refunded order nets 0 and has nothing to book."""
    start, end = campaign.presale_period
    return YouzanOrder.objects.filter(
        store__isnull=False, paid_at__gte=start, paid_at__lt=end, net_amount__gt=0
    )


def booking_sheet_file_name(campaign: Campaign, store: Store) -> str:
    return f"下账表_{campaign.code}_{store.store_id}_{store.name}.xlsx"


def _booking_rows(campaign: Campaign, store: Store) -> Iterator[tuple]:
    orders = (
        booking_orders(campaign)
        .filter(store=store)
        .select_related("registered_staff")
        .order_by("paid_at", "order_no")
    )
    for order in orders.iterator(chunk_size=2000):
        staff = order.registered_staff
        yield (
            order.order_no,
            order.paid_at,
            order.items,
            order.net_amount,
            staff.staff_no if staff else "",
            staff.name if staff else "",
            "已取货" if order.picked_up else "待取货",
        )


def booking_sheet_write(campaign: Campaign, store: Store, path: Path) -> None:
    title_lines = [
        f"{campaign.name} · 预售订单下账表",
        f"门店 {store.store_id} {store.name} · 预售 {campaign.presale_start:%Y-%m-%d} 至 "
        f"{campaign.presale_end:%Y-%m-%d}",
        f"请在 POS 中按渠道“{BOOKING_CHANNEL}”逐单下账，外部订单号填写订单号，金额与本表一致。",
    ]
    sheet = Sheet(
        f"{store.store_id} 下账表",
        BOOKING_SHEET_COLUMNS,
        _booking_rows(campaign, store),
        title_lines=title_lines,
        total_label="合计",
    )
    write_xlsx(path, [sheet])

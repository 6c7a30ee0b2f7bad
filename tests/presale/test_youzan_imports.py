"""Importing the three Youzan exports: what operations notice afterwards are the orders'
net amounts, which store each order belongs to, and the counts the import reports.

The files are built as the Youzan back office writes them: every header of formats.md in
its order (so `--kind auto` meets the real header rows), long numbers behind a leading tab,
amounts as text."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from presale.importers import ORDER_EXPORT_HEADERS
from presale.models import YouzanOrder, YouzanOrderItem, YouzanSale
from tests.factories import StoreFactory
from tests.sheetfiles import import_sheet, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

ORDER_HEADERS = list(ORDER_EXPORT_HEADERS)
ITEM_HEADERS = [
    "订单号",
    "订单商品状态",
    "商品名称",
    "商品规格",
    "规格编码",
    "商品编码",
    "商品单价",
    "商品数量",
    "商品金额小计",
    "商品实际成交金额",
    "商品退款状态",
    "商品已退款金额",
    "买家备注",
]
SALESMAN_HEADERS = [
    "下单时间",
    "分销员昵称",
    "分销员手机号",
    "客户昵称",
    "客户手机号",
    "门店信息",
    "订单号",
    "成交金额",
    "订单佣金",
    "结算状态",
    "订单来源",
    "订单状态",
]

SHOP = "康宁大药房官方商城"
PICK_UP_POINT = "康宁大药房驷马桥店"


def tabbed(number: str) -> str:
    """As Youzan writes long numbers, so that Excel keeps every digit."""
    return f"\t{number}"


def order_row(
    order_no: str,
    *,
    status: str = "已完成",
    paid_at: str = "2022-10-25 10:11:12",
    paid: str = "398.00",
    refunded: str = "0.00",
    refund_status: str = "",
    items: str = "薇诺娜舒敏保湿特护霜 50g",
    buyer_phone: str = "13800138000",
    buyer_note: str = "",
) -> list[str]:
    """One order as a row under ORDER_HEADERS; `paid_at=""` for an order never paid."""
    values = {
        "订单号": tabbed(order_no),
        "归属店铺": SHOP,
        "订单类型": "普通订单",
        "订单状态": status,
        "推广方式": "分销员推广",
        "订单来源": "微信小程序",
        "订单创建时间": "2022-10-25 10:05:00",
        "买家付款时间": paid_at,
        "付款方式": "微信支付" if paid_at else "",
        "商品金额合计": paid,
        "运费": "0.00",
        "店铺优惠合计": "0.00",
        "应收订单金额": paid,
        "订单实付金额": paid,
        "全部商品名称": items,
        "商品种类数": "1",
        "订单配送方式": "到店自提",
        "收货人/提货人": "张女士",
        "收货人手机号/提货人手机号": tabbed(buyer_phone),
        "详细收货地址/提货地址": f"四川省成都市金牛区 {PICK_UP_POINT}",
        "买家备注": buyer_note,
        "买家姓名": "张女士",
        "买家是否会员": "是",
        "买家手机号": tabbed(buyer_phone),
        "下单网点": PICK_UP_POINT,
        "订单退款状态": refund_status,
        "订单已退款金额": refunded,
        "商家订单备注": "",
    }
    return [values[header] for header in ORDER_HEADERS]


def item_row(
    order_no: str,
    *,
    spec_code: str,
    name: str = "薇诺娜舒敏保湿特护霜",
    spec: str = "50g",
    price: str = "268.00",
    qty: str = "1",
    paid: str = "268.00",
    refunded: str = "0.00",
    refund_status: str = "",
) -> list[str]:
    values = {
        "订单号": tabbed(order_no),
        "订单商品状态": "已发货",
        "商品名称": name,
        "商品规格": spec,
        "规格编码": spec_code,
        "商品编码": "WN" + spec_code[-4:],
        "商品单价": price,
        "商品数量": qty,
        "商品金额小计": paid,
        "商品实际成交金额": paid,
        "商品退款状态": refund_status,
        "商品已退款金额": refunded,
        "买家备注": "",
    }
    return [values[header] for header in ITEM_HEADERS]


def salesman_row(order_no: str, *, distributor_phone: str, deal: str = "398.00") -> list[str]:
    values = {
        "下单时间": "2022-10-25 10:05:00",
        "分销员昵称": "驷马桥店公共号",
        "分销员手机号": tabbed(distributor_phone),
        "客户昵称": "张女士",
        "客户手机号": tabbed("13800138000"),
        "门店信息": PICK_UP_POINT,
        "订单号": tabbed(order_no),
        "成交金额": deal,
        "订单佣金": "0.00",
        "结算状态": "待结算",
        "订单来源": "微信小程序",
        "订单状态": "已完成",
    }
    return [values[header] for header in SALESMAN_HEADERS]


def orders_file(path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig") -> Path:
    """The order export as Youzan downloads it (.csv) or as saved again by Excel (.xlsx)."""
    if path.suffix == ".xlsx":
        return write_xlsx(path, [ORDER_HEADERS, *rows])
    return write_csv(path, [ORDER_HEADERS, *rows], encoding=encoding)


def items_file(path: Path, rows: list[list[str]]) -> Path:
    return write_xlsx(path, [ITEM_HEADERS, *rows])


def salesman_file(path: Path, rows: list[list[str]]) -> Path:
    return write_xlsx(path, [SALESMAN_HEADERS, *rows])


def order_no(serial: int) -> str:
    return f"E20221025101112{serial:08d}"


PHONE_307 = "13900000307"
PHONE_512 = "13900000512"
NO_STORES_PHONE = "13700009999"


@pytest.fixture
def stores():
    return {
        307: StoreFactory(store_id=307, name="驷马桥店", public_phone=PHONE_307),
        512: StoreFactory(store_id=512, name="青羊宫店", public_phone=PHONE_512),
    }


def net_amounts() -> dict[str, Decimal]:
    return dict(YouzanOrder.objects.values_list("order_no", "net_amount"))


def store_sums() -> dict[int | None, Decimal]:
    """Net amount per store ID; None holds the unattributed orders."""
    rows = YouzanOrder.objects.values("store__store_id").annotate(total=Sum("net_amount"))
    return {row["store__store_id"]: row["total"] for row in rows.order_by()}


def counts(run) -> tuple[int, int, int]:
    return run.json["created"], run.json["updated"], run.json["unchanged"]


def test_every_order_status_and_refund_case_counts_its_net_amount(tmp_path, stores):
    path = orders_file(
        tmp_path / "订单维度.csv",
        [
            order_row(order_no(1), status="待付款", paid_at="", paid="398.00"),
            order_row(order_no(2), status="待发货", paid="398.00"),
            order_row(order_no(3), status="待成团", paid="698.00"),
            order_row(order_no(4), status="已发货", paid="1598.00"),
            order_row(order_no(5), status="已完成", paid="3198.00"),
            order_row(order_no(6), status="已关闭", paid_at="", paid="268.00"),
            order_row(order_no(7), paid="698.00", refunded="300.00", refund_status="部分退款成功"),
            order_row(
                order_no(8),
                status="已关闭",
                paid="398.00",
                refunded="398.00",
                refund_status="全额退款成功",
            ),
        ],
    )

    run = import_sheet(path)

    assert run.status == 0
    assert run.stdout.strip() == "共 8 行：新增 8，更新 0，未变 0。"
    assert net_amounts() == {
        order_no(1): Decimal("0.00"),  # unpaid
        order_no(2): Decimal("398.00"),
        order_no(3): Decimal("698.00"),
        order_no(4): Decimal("1598.00"),
        order_no(5): Decimal("3198.00"),
        order_no(6): Decimal("0.00"),  # closed before payment
        order_no(7): Decimal("398.00"),  # partly refunded: 698 − 300
        order_no(8): Decimal("0.00"),  # fully refunded
    }
    statuses = dict(YouzanOrder.objects.values_list("order_no", "status"))
    assert sorted(set(statuses.values())) == sorted(
        {"待付款", "待发货", "待成团", "已发货", "已完成", "已关闭"}
    )
    assert YouzanOrder.objects.get(order_no=order_no(1)).paid_at is None


@pytest.mark.parametrize(
    ("file_name", "encoding"),
    [("订单.csv", "utf-8-sig"), ("订单.csv", "gb18030"), ("订单.xlsx", "")],
    ids=["csv-utf8-bom", "csv-gb18030", "xlsx"],
)
def test_the_leading_tab_before_long_numbers_is_stripped(tmp_path, stores, file_name, encoding):
    orders = orders_file(
        tmp_path / file_name,
        [order_row(order_no(1), buyer_phone="13812345678")],
        encoding=encoding or "utf-8-sig",
    )
    sales = salesman_file(
        tmp_path / "业绩结算表.xlsx", [salesman_row(order_no(1), distributor_phone=PHONE_307)]
    )

    assert import_sheet(orders).status == 0
    assert import_sheet(sales).status == 0

    order = YouzanOrder.objects.get()
    assert order.order_no == "E2022102510111200000001"
    assert order.buyer_phone == "13812345678"
    assert YouzanSale.objects.get().order_no == order.order_no
    assert order.distributor_phone == PHONE_307
    assert order.store == stores[307]


def test_a_newer_export_with_a_refund_updates_that_order_only(tmp_path, stores):
    sales = salesman_file(
        tmp_path / "业绩结算表.xlsx",
        [salesman_row(order_no(n), distributor_phone=PHONE_307) for n in (1, 2, 3)],
    )
    first = orders_file(
        tmp_path / "订单_1025.csv", [order_row(order_no(n), paid="398.00") for n in (1, 2, 3)]
    )
    assert import_sheet(sales).status == 0
    assert import_sheet(first).status == 0
    assert store_sums() == {307: Decimal("1194.00")}
    later = orders_file(
        tmp_path / "订单_1026.csv",
        [
            order_row(order_no(1), paid="398.00"),
            order_row(order_no(2), paid="398.00", refunded="100.00", refund_status="部分退款成功"),
            order_row(order_no(3), paid="398.00"),
        ],
    )

    run = import_sheet(later, "--json")
    text = import_sheet(later)

    assert run.status == 0
    assert counts(run) == (0, 1, 2)
    assert text.stdout.strip() == "共 3 行，与已有数据完全相同，没有任何改动。"
    assert net_amounts()[order_no(2)] == Decimal("298.00")
    assert YouzanOrder.objects.get(order_no=order_no(2)).refund_status == "部分退款成功"
    assert store_sums() == {307: Decimal("1094.00")}
    assert YouzanOrder.objects.count() == 3


@pytest.mark.parametrize("first", ["orders", "salesman"])
def test_either_file_may_come_first_and_the_attribution_is_the_same(tmp_path, stores, first):
    files = {
        "orders": orders_file(
            tmp_path / "订单.csv",
            [
                order_row(order_no(1), paid="398.00"),
                order_row(order_no(2), paid="698.00"),
                order_row(order_no(3), paid="1598.00"),
            ],
        ),
        "salesman": salesman_file(
            tmp_path / "业绩结算表.xlsx",
            [
                salesman_row(order_no(1), distributor_phone=PHONE_307),
                salesman_row(order_no(2), distributor_phone=PHONE_512),
                salesman_row(order_no(3), distributor_phone=PHONE_307),
            ],
        ),
    }
    second = "salesman" if first == "orders" else "orders"

    assert import_sheet(files[first]).status == 0
    assert import_sheet(files[second]).status == 0

    attributed = dict(YouzanOrder.objects.values_list("order_no", "store__store_id"))
    assert attributed == {order_no(1): 307, order_no(2): 512, order_no(3): 307}
    assert store_sums() == {307: Decimal("1996.00"), 512: Decimal("698.00")}


def test_an_order_whose_distributor_is_no_stores_phone_is_unattributed(tmp_path, stores):
    orders = orders_file(
        tmp_path / "订单.csv",
        [order_row(order_no(1), paid="398.00"), order_row(order_no(2), paid="698.00")],
    )
    sales = salesman_file(
        tmp_path / "业绩结算表.xlsx",
        [
            salesman_row(order_no(1), distributor_phone=PHONE_307),
            salesman_row(order_no(2), distributor_phone=NO_STORES_PHONE),
        ],
    )

    assert import_sheet(orders).status == 0
    assert import_sheet(sales).status == 0

    unattributed = YouzanOrder.objects.get(order_no=order_no(2))
    assert unattributed.store is None
    assert unattributed.distributor_phone == NO_STORES_PHONE
    assert store_sums() == {307: Decimal("398.00"), None: Decimal("698.00")}
    assert not stores[512].presale_orders.exists()


def test_item_lines_are_keyed_by_order_spec_code_and_position(tmp_path, stores):
    mask = {"name": "薇诺娜柔润保湿面膜", "spec": "25ml*6片", "price": "198.00"}
    rows = [
        item_row(order_no(1), spec_code="6937153100501"),
        item_row(order_no(1), spec_code="6937153100518", **mask, paid="198.00"),
        # The same spec twice in one order: a bought cream and the same cream as a gift.
        item_row(order_no(2), spec_code="6937153100501"),
        item_row(order_no(2), spec_code="6937153100501", paid="0.00"),
    ]
    path = items_file(tmp_path / "商品维度.xlsx", rows)

    first = import_sheet(path, "--json")
    again = import_sheet(path, "--json")

    assert first.status == 0
    assert counts(first) == (4, 0, 0)
    assert counts(again) == (0, 0, 4)
    lines = YouzanOrderItem.objects.order_by("order_id", "spec_code", "position")
    assert list(lines.values_list("order_id", "spec_code", "position", "paid_amount")) == [
        (order_no(1), "6937153100501", 1, Decimal("268.00")),
        (order_no(1), "6937153100518", 1, Decimal("198.00")),
        (order_no(2), "6937153100501", 1, Decimal("268.00")),
        (order_no(2), "6937153100501", 2, Decimal("0.00")),
    ]

    rows[1] = item_row(
        order_no(1),
        spec_code="6937153100518",
        **mask,
        paid="198.00",
        refunded="198.00",
        refund_status="退款成功",
    )
    later = import_sheet(items_file(tmp_path / "商品维度_1026.xlsx", rows), "--json")

    assert counts(later) == (0, 1, 3)
    refunded = YouzanOrderItem.objects.get(order_id=order_no(1), spec_code="6937153100518")
    assert (refunded.refunded_amount, refunded.refund_status) == (Decimal("198.00"), "退款成功")


def test_auto_recognises_each_youzan_export(tmp_path, stores):
    files = {
        "youzan-orders": orders_file(tmp_path / "订单维度.csv", [order_row(order_no(1))]),
        "youzan-items": items_file(
            tmp_path / "商品维度.xlsx", [item_row(order_no(1), spec_code="6937153100501")]
        ),
        "youzan-salesman": salesman_file(
            tmp_path / "业绩结算表.xlsx", [salesman_row(order_no(1), distributor_phone=PHONE_307)]
        ),
    }

    runs = {kind: import_sheet(path, "--kind", "auto", "--json") for kind, path in files.items()}

    assert {kind: (run.status, run.json["kind"]) for kind, run in runs.items()} == {
        kind: (0, kind) for kind in files
    }
    assert {kind: run.json["created"] for kind, run in runs.items()} == dict.fromkeys(files, 1)
    assert YouzanOrder.objects.get().store == stores[307]
    assert YouzanOrderItem.objects.get().order.net_amount == Decimal("398.00")


def test_an_order_export_without_the_refund_column_is_refused_and_says_so(tmp_path, stores):
    dropped = ORDER_HEADERS.index("订单已退款金额")
    rows = [ORDER_HEADERS, order_row(order_no(1))]
    path = write_csv(tmp_path / "订单.csv", [row[:dropped] + row[dropped + 1 :] for row in rows])

    run = import_sheet(path)

    assert run.status == 1
    assert "最接近“有赞订单（订单维度）”，但缺少列：订单已退款金额。" in run.stdout
    assert not YouzanOrder.objects.exists()

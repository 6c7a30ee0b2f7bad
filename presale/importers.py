from collections import defaultdict

from common.importing import Field, ImportKind, StagedWriter, import_kind
from common.sheets import read_datetime, read_decimal, read_money, read_phone, read_phone_or_blank
from presale.models import YouzanOrder, YouzanOrderItem, YouzanSale
from presale.services import orders_attribute

# Every column of the order-level export, in the order the Youzan back office writes them
# (formats.md); the importer reads some and ignores the rest.
ORDER_EXPORT_HEADERS = (
    "订单号",
    "归属店铺",
    "订单类型",
    "订单状态",
    "推广方式",
    "订单来源",
    "订单创建时间",
    "买家付款时间",
    "付款方式",
    "商品金额合计",
    "运费",
    "店铺优惠合计",
    "应收订单金额",
    "订单实付金额",
    "全部商品名称",
    "商品种类数",
    "订单配送方式",
    "收货人/提货人",
    "收货人手机号/提货人手机号",
    "详细收货地址/提货地址",
    "买家备注",
    "买家姓名",
    "买家是否会员",
    "买家手机号",
    "下单网点",
    "订单退款状态",
    "订单已退款金额",
    "商家订单备注",
)


class AttributingKind(ImportKind):
    """Every Youzan kind may change which store an order belongs to, whichever file came
    first, so each re-attributes the orders after writing."""

    def write(self, writer):
        writer.write()
        orders_attribute()


@import_kind
class YouzanOrdersKind(AttributingKind):
    code = "youzan-orders"
    label = "有赞订单（订单维度）"
    fields = (
        Field("order_no", ("订单号",)),
        Field("status", ("订单状态",)),
        Field("ordered_at", ("订单创建时间",), read_datetime, required=False, blank=True),
        Field("paid_at", ("买家付款时间",), read_datetime, blank=True),
        Field("paid_amount", ("订单实付金额",), read_money, blank=True),
        Field("items", ("全部商品名称",), required=False, blank=True),
        Field("buyer_note", ("买家备注",), required=False, blank=True),
        Field("buyer_name", ("买家姓名",), required=False, blank=True),
        Field("buyer_phone", ("买家手机号",), read_phone_or_blank, required=False, blank=True),
        Field("refund_status", ("订单退款状态",), required=False, blank=True),
        Field("refunded_amount", ("订单已退款金额",), read_money, blank=True),
    )

    def make_writer(self) -> StagedWriter:
        return StagedWriter(
            YouzanOrder,
            key=["order_no"],
            columns=[
                "order_no",
                "status",
                "ordered_at",
                "paid_at",
                "paid_amount",
                "refunded_amount",
                "refund_status",
                "items",
                "buyer_note",
                "buyer_name",
                "buyer_phone",
            ],
        )

    def stage_values(self, values, row_number):
        return (
            values["order_no"],
            values["status"],
            values["ordered_at"],
            values["paid_at"],
            values["paid_amount"] or 0,
            values["refunded_amount"] or 0,
            values["refund_status"] or "",
            values["items"] or "",
            values["buyer_note"] or "",
            values["buyer_name"] or "",
            values["buyer_phone"] or "",
        )


@import_kind
class YouzanItemsKind(AttributingKind):
    code = "youzan-items"
    label = "有赞订单（商品维度）"
    fields = (
        Field("order_no", ("订单号",)),
        Field("product_name", ("商品名称",)),
        Field("spec_code", ("规格编码",), blank=True),
        Field("spec", ("商品规格",), required=False, blank=True),
        Field("product_code", ("商品编码",), required=False, blank=True),
        Field("unit_price", ("商品单价",), read_money, required=False, blank=True),
        Field("qty", ("商品数量",), read_decimal),
        Field("paid_amount", ("商品实际成交金额",), read_money),
        Field("refund_status", ("商品退款状态",), required=False, blank=True),
        Field("refunded_amount", ("商品已退款金额",), read_money, required=False, blank=True),
    )

    def __init__(self, options):
        super().__init__(options)
        self.seen: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.position = 1

    def observe(self, values):
        key = (values.get("order_no") or "", values.get("spec_code") or "")
        self.seen[key] += 1
        self.position = self.seen[key]

    def make_writer(self) -> StagedWriter:
        return StagedWriter(
            YouzanOrderItem,
            key=["order", "spec_code", "position"],
            columns=[
                "order",
                "spec_code",
                "position",
                "product_name",
                "spec",
                "product_code",
                "unit_price",
                "qty",
                "paid_amount",
                "refunded_amount",
                "refund_status",
            ],
        )

    def stage_values(self, values, row_number):
        return (
            values["order_no"],
            values["spec_code"] or "",
            self.position,
            values["product_name"],
            values["spec"] or "",
            values["product_code"] or "",
            values["unit_price"],
            values["qty"],
            values["paid_amount"],
            values["refunded_amount"] or 0,
            values["refund_status"] or "",
        )


@import_kind
class YouzanSalesmanKind(AttributingKind):
    code = "youzan-salesman"
    label = "有赞分销员业绩"
    fields = (
        Field("order_no", ("订单号",)),
        Field("distributor_phone", ("分销员手机号",), read_phone),
        Field("distributor_name", ("分销员昵称",), required=False, blank=True),
        Field("store_info", ("门店信息",), required=False, blank=True),
        Field("deal_amount", ("成交金额",), read_money, blank=True),
        Field("ordered_at", ("下单时间",), read_datetime, required=False, blank=True),
    )

    def make_writer(self) -> StagedWriter:
        return StagedWriter(
            YouzanSale,
            key=["order_no"],
            columns=[
                "order_no",
                "distributor_phone",
                "distributor_name",
                "store_info",
                "deal_amount",
                "ordered_at",
            ],
        )

    def stage_values(self, values, row_number):
        return (
            values["order_no"],
            values["distributor_phone"],
            values["distributor_name"] or "",
            values["store_info"] or "",
            values["deal_amount"],
            values["ordered_at"],
        )

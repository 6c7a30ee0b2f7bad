from collections import defaultdict

from common.errors import ServiceError
from common.importing import Field, ImportKind, Issue, RowError, StagedWriter, import_kind
from common.sheets import (
    read_date,
    read_datetime,
    read_decimal,
    read_int,
    read_money,
    read_phone,
    read_phone_or_blank,
)
from members.models import CallbackList, CallbackListEntry, Member, SaleLine
from stores.models import Store

STORE_ID = Field("store_id", ("门店ID",), read_int)


class StoreLookup:
    """POS store ID → store row id, loaded once per import."""

    def __init__(self):
        self._pks = dict(Store.objects.values_list("store_id", "pk"))

    def pk(self, store_id: int, field_name: str = "store_id") -> int:
        try:
            return self._pks[store_id]
        except KeyError:
            raise RowError(
                field_name, f"门店ID {store_id} 不存在，请先导入门店与员工名单"
            ) from None


@import_kind
class MembersKind(ImportKind):
    code = "members"
    label = "会员资料"
    fields = (
        Field("card_no", ("会员卡号", "卡号")),
        Field("name", ("会员姓名", "姓名"), blank=True),
        Field("phone", ("手机号", "手机", "联系电话"), read_phone_or_blank, blank=True),
        Field("store_id", ("开卡门店ID", "门店ID"), read_int),
        Field("joined_on", ("开卡日期", "入会日期"), read_date, required=False, blank=True),
        Field("points", ("积分", "当前积分"), read_int, required=False, blank=True),
    )

    def __init__(self, options):
        super().__init__(options)
        self.stores = StoreLookup()
        self.phones: dict[str, int] = {}

    def make_writer(self) -> StagedWriter:
        return StagedWriter(
            Member,
            key=["card_no"],
            columns=["card_no", "name", "phone", "store", "joined_on", "points"],
        )

    def stage_values(self, values, row_number):
        phone = values["phone"] or ""
        if phone:
            first = self.phones.setdefault(phone, row_number)
            if first != row_number:
                raise RowError("phone", f"手机号 {phone} 与第 {first} 行的会员重复")
        return (
            values["card_no"],
            values["name"] or "",
            phone,
            self.stores.pk(values["store_id"]),
            values["joined_on"],
            values["points"],
        )

    def staged_issues(self, writer):
        taken = writer.query(
            "SELECT s.row_number, t.card_no FROM {stage} s JOIN {target} t "
            "ON t.phone = s.phone AND t.card_no <> s.card_no WHERE s.phone <> ''"
        )
        return [Issue(row, "手机号", f"该手机号已属于会员 {card_no}") for row, card_no in taken]


@import_kind
class PosSalesKind(ImportKind):
    code = "pos-sales"
    label = "零售明细"
    fields = (
        Field("sold_at", ("销售日期", "销售时间", "日期"), read_datetime),
        STORE_ID,
        Field("receipt_no", ("零售单号", "小票号", "单据号")),
        Field("line_no", ("行号", "明细序号"), read_int, required=False, blank=True),
        Field("card_no", ("会员卡号",), required=False, blank=True),
        Field("product_code", ("商品编码", "商品ID")),
        Field("product_name", ("商品名称", "品名")),
        Field("brand", ("品牌", "厂家品牌"), blank=True),
        Field("qty", ("数量",), read_decimal),
        Field("amount", ("实收金额", "金额"), read_money),
        Field("channel", ("渠道", "销售渠道"), required=False, blank=True),
        Field("external_order_no", ("外部订单号", "第三方订单号"), required=False, blank=True),
        Field("staff_no", ("员工销售ID", "营业员编码"), required=False, blank=True),
    )

    def __init__(self, options):
        super().__init__(options)
        self.stores = StoreLookup()
        self.lines_in_receipt: defaultdict[str, int] = defaultdict(int)
        self.position_in_receipt = 0

    def observe(self, values):
        receipt_no = values.get("receipt_no")
        if receipt_no:
            self.lines_in_receipt[receipt_no] += 1
            self.position_in_receipt = self.lines_in_receipt[receipt_no]

    def make_writer(self) -> StagedWriter:
        return StagedWriter(
            SaleLine,
            key=["receipt_no", "line_no"],
            columns=[
                "receipt_no",
                "line_no",
                "sold_at",
                "store",
                "member",
                "product_code",
                "product_name",
                "brand",
                "qty",
                "amount",
                "channel",
                "external_order_no",
                "staff_no",
            ],
        )

    def stage_values(self, values, row_number):
        receipt_no = values["receipt_no"]
        line_no = values["line_no"] or self.position_in_receipt
        return (
            receipt_no,
            line_no,
            values["sold_at"],
            self.stores.pk(values["store_id"]),
            values["card_no"],
            values["product_code"],
            values["product_name"],
            values["brand"] or "",
            values["qty"],
            values["amount"],
            values["channel"] or "",
            values["external_order_no"] or "",
            values["staff_no"] or "",
        )


@import_kind
class CallbackListKind(ImportKind):
    """A named list of members to call; the name comes with the import (default: the
    file's name without extension, as operations name lists by date, e.g. 20221009)."""

    code = "callback-list"
    label = "回访名单"
    fields = (
        Field("member", ("会员卡号", "卡号")),
        Field("phone", ("手机号", "手机", "联系电话"), read_phone),
        Field("store_id", ("门店ID",), read_int),
        Field("last_purchase_on", ("最近购买日期",), read_date, blank=True),
        Field("spend_last_year", ("近一年消费额",), read_money, blank=True),
    )

    def __init__(self, options):
        super().__init__(options)
        self.list_name = (options.get("list_name") or "").strip()
        if not self.list_name:
            raise ServiceError("请为回访名单指定名称。")
        self.stores = StoreLookup()

    def make_writer(self) -> StagedWriter:
        return StagedWriter(
            CallbackListEntry,
            key=["callback_list", "member"],
            columns=[
                "callback_list",
                "member",
                "phone",
                "store",
                "last_purchase_on",
                "spend_last_year",
            ],
        )

    def stage_values(self, values, row_number):
        return (
            self.list_name,
            values["member"],
            values["phone"],
            self.stores.pk(values["store_id"]),
            values["last_purchase_on"],
            values["spend_last_year"],
        )

    def write(self, writer):
        CallbackList.objects.get_or_create(name=self.list_name)
        writer.write()

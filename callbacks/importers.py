from callbacks.models import CallbackList, CallbackListEntry
from common.errors import ServiceError
from common.importing import Field, ImportKind, StagedWriter, import_kind
from common.sheets import read_date, read_int, read_money, read_phone
from members.importers import StoreLookup


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

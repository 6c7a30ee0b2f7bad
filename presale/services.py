from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns.models import Campaign
from common.errors import Conflict, PermissionDenied, ServiceError
from common.models import AuditEntry
from common.phones import is_mobile, normalize_phone
from presale.models import YouzanOrder, YouzanSale
from stores.access import Level, is_operations, scope_of
from stores.models import Role, Staff, Store


def orders_attribute() -> int:
    """Give every order the distributor of its salesman line and the store whose public
    phone that is (rules.md §4); an order whose distributor is no store's stays unattributed.
    Set-based, and only orders whose distributor or store changes are written, so a re-import
    that changes nothing writes nothing. Returns how many orders changed store."""
    distributor = Coalesce(
        Subquery(
            YouzanSale.objects.filter(order_no=OuterRef("order_no")).values("distributor_phone")[:1]
        ),
        Value(""),
    )
    YouzanOrder.objects.alias(new_phone=distributor).exclude(
        distributor_phone=F("new_phone")
    ).update(distributor_phone=distributor)
    store = Subquery(
        Store.objects.filter(public_phone=OuterRef("distributor_phone"))
        .exclude(public_phone="")
        .values("pk")[:1]
    )
    changed = (
        Q(store__isnull=True, new_store__isnull=False)
        | Q(store__isnull=False, new_store__isnull=True)
        | ~Q(store=F("new_store"))
    )
    return YouzanOrder.objects.alias(new_store=store).filter(changed).update(store=store)


@transaction.atomic
def order_register(*, order: YouzanOrder, staff: Staff, user) -> YouzanOrder:
    """Record which staff member of the order's store sold it (销售ID登记). Any staff member of
    the store registers an unregistered order; once registered, only the store's 店长 may
    change it. Every change is audited with the previous and the new staff_no."""
    locked = (
        YouzanOrder.objects.select_for_update(of=("self",))
        .select_related("store", "registered_staff")
        .get(pk=order.pk)
    )
    if locked.store_id is None:
        raise ServiceError("该订单还没有归属门店，不能登记销售员工。")
    scope = scope_of(user)
    if scope.level is not Level.STORE or scope.store_pk != locked.store_id:
        raise PermissionDenied("只有本店员工可以登记本店订单的销售员工。")
    if staff.store_id != locked.store_id or not staff.active:
        raise ServiceError("只能登记为本店的在职员工。", field="staff_no")
    previous = locked.registered_staff
    if previous == staff:
        return locked
    if previous is not None and scope.role != Role.STORE_MANAGER:
        raise PermissionDenied(f"该订单已登记给{previous.name}，只有店长可以更改。")
    locked.registered_staff = staff
    locked.save(update_fields=["registered_staff", "updated_at"])
    AuditEntry.objects.create(
        user=user,
        action="presale.register",
        target_type="youzan_order",
        target_id=locked.order_no,
        detail={
            "from": previous.staff_no if previous else None,
            "to": staff.staff_no,
            "store_id": locked.store.store_id,
        },
    )
    return locked


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def booking_sheet_mail(
    *, campaign: Campaign, store: Store, file_name: str, content: bytes, connection=None
) -> None:
    """Mail a store its own booking sheet (rules.md §7) to the store's mailbox."""
    if not store.mailbox:
        raise ServiceError(f"门店 {store.store_id} {store.name} 没有门店邮箱，无法发送下账表。")
    message = EmailMessage(
        subject=f"【{campaign.name}】{store.store_id} {store.name} 预售订单下账表",
        body=(
            f"{store.name}：\n\n附件是本店 {campaign.presale_start:%Y-%m-%d} 至 "
            f"{campaign.presale_end:%Y-%m-%d} 的预售订单。请在 POS 中按渠道“有赞小程序”逐单下账，"
            "外部订单号填写订单号，下账金额与表中金额一致。\n\n营运部"
        ),
        to=[store.mailbox],
        connection=connection,
    )
    message.attach(file_name, content, XLSX_CONTENT_TYPE)
    message.send()


def store_bind_public_phone(*, store_id: int, phone: str, user) -> Store:
    """营运部 bind a distributor's phone to a store as its public phone (rules.md §4), then
    re-attribute every order, so the orders of that distributor move to the store. A phone
    another store already has, or a store ID that does not exist, changes nothing."""
    if not is_operations(user):
        raise PermissionDenied("只有营运部可以绑定门店公共手机。")
    normalized = normalize_phone(phone)
    if not is_mobile(normalized):
        raise ServiceError(f"“{phone}”不是有效的手机号。", field="phone")
    with transaction.atomic():
        store = Store.objects.select_for_update().filter(store_id=store_id).first()
        if store is None:
            raise ServiceError(f"门店ID {store_id} 不存在，请核对门店ID。", field="store_id")
        holder = Store.objects.filter(public_phone=normalized).exclude(pk=store.pk).first()
        if holder is not None:
            raise Conflict(
                f"手机号 {normalized} 已是门店 {holder.store_id} {holder.name} 的公共手机，"
                f"不能再绑定到门店 {store.store_id}。如需改绑，请先修改门店 {holder.store_id}。",
                field="phone",
            )
        previous = store.public_phone
        store.public_phone = normalized
        try:
            # The unique constraint settles a bind of the same phone made at the same moment.
            with transaction.atomic():
                store.save(update_fields=["public_phone", "updated_at"])
        except IntegrityError as error:
            raise Conflict(
                f"手机号 {normalized} 刚刚被绑定到其他门店，请刷新后再试。", field="phone"
            ) from error
        orders_attribute()
        AuditEntry.objects.create(
            user=user,
            action="presale.bind_public_phone",
            target_type="store",
            target_id=str(store.store_id),
            detail={"from": previous, "to": normalized},
        )
    return store

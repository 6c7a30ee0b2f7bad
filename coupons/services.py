"""Every write to the coupon and gift ledgers (rules.md §8–§9).

Ledger rows are only ever added. A write that depends on a store's balance first locks
that store's row, so two tills of one store take stock one after the other; a redemption
claims its coupon with one conditional UPDATE, so of two tills redeeming the same coupon
exactly one wins and the other is told where the coupon went.
"""

import datetime
import secrets
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import Campaign
from common.dates import local_day_start, local_today, months_before
from common.errors import Conflict, PermissionDenied, ServiceError
from common.money import format_yuan, to_money
from coupons.exports import coupon_ledger_report, report_file_name, report_workbook_bytes
from coupons.models import (
    Coupon,
    CouponEntry,
    CouponMonthlyReport,
    CouponType,
    Gift,
    GiftEntry,
    GiftHandout,
    GiftTransfer,
    PointsRedemption,
)
from coupons.selectors import coupon_stock, gift_stock, gift_tier_for, may_keep_ledger
from members.models import Member, SaleLine
from stores.access import Level, scope_of
from stores.models import Staff, Store

SERIAL_DIGITS = 12


def ledger_keeper_require(user, store: Store) -> None:
    if not may_keep_ledger(user, store):
        raise PermissionDenied("只有本店员工、店长、片长和营运部可以登记本店的进销存。")


def _till_staff(user, store: Store) -> Staff:
    """The cashier: only a store's own staff work its till."""
    scope = scope_of(user)
    if scope.level is not Level.STORE or scope.store_pk != store.pk:
        raise PermissionDenied("只有本店员工可以在本店收银台发券、收券。")
    return scope.staff


def _lock_stores(*stores: Store) -> None:
    """Lock the stores' rows in one order, so two transfers never wait on each other."""
    list(Store.objects.select_for_update().filter(pk__in=[s.pk for s in stores]).order_by("pk"))


def _receipt_no(value: str) -> str:
    receipt_no = value.strip()
    if not receipt_no:
        raise ServiceError("请填写小票号。", field="receipt_no")
    return receipt_no


def _positive_money(value, field: str, label: str) -> Decimal:
    amount = to_money(value)
    if amount < 0:
        raise ServiceError(f"{label}不能是负数。", field=field)
    return amount


def _check_receipt_store(receipt_no: str, store: Store) -> None:
    """A receipt already imported from the POS must be one of this store's."""
    line = SaleLine.objects.filter(receipt_no=receipt_no).select_related("store").first()
    if line is not None and line.store_id != store.pk:
        raise ServiceError(
            f"小票 {receipt_no} 是门店 {line.store.store_id} {line.store.name} 的小票，"
            "请核对小票号。",
            field="receipt_no",
        )


# Coupon stock (进销存) -----------------------------------------------------------------


@transaction.atomic
def coupon_stock_receive(
    *,
    store: Store,
    coupon_type: CouponType,
    quantity: int,
    signer: str,
    user,
    at: datetime.datetime | None = None,
) -> CouponEntry:
    """Coupons handed to the store by the branch marketing department: store, quantity
    and the name of who signed for them (handbook ch. 4 三(一))."""
    ledger_keeper_require(user, store)
    if quantity <= 0:
        raise ServiceError("领用数量必须大于 0。", field="quantity")
    signer = signer.strip()
    if not signer:
        raise ServiceError("请填写领用签收人。", field="signer")
    return CouponEntry.objects.create(
        store=store,
        coupon_type=coupon_type,
        kind=CouponEntry.Kind.RECEIVED,
        at=at or timezone.now(),
        quantity=quantity,
        face_value=coupon_type.face_value,
        signer=signer,
        created_by=user,
    )


@transaction.atomic
def coupon_entry_reverse(
    *, entry: CouponEntry, reason: str, user, at: datetime.datetime | None = None
) -> CouponEntry:
    """Put a wrongly recorded receipt of stock right with a reversing row; the original
    row stays. Issues and redemptions are not reversed here: the coupon is in a
    customer's hands."""
    ledger_keeper_require(user, entry.store)
    reason = reason.strip()
    if not reason:
        raise ServiceError("请写明冲正原因。", field="reason")
    _lock_stores(entry.store)
    if entry.kind != CouponEntry.Kind.RECEIVED:
        raise ServiceError("只有领用入库记录可以冲正；发放和回收的券在顾客手中，不能冲正。")
    if CouponEntry.objects.filter(reverses=entry).exists():
        raise Conflict("这条记录已经冲正过了。")
    if coupon_stock(entry.store, entry.coupon_type) < entry.quantity:
        raise ServiceError(
            f"本店“{entry.coupon_type.name}”的库存已少于 {entry.quantity} 张"
            "（部分已发出），不能整笔冲正，请按实际张数重新登记。"
        )
    return CouponEntry.objects.create(
        store=entry.store,
        coupon_type=entry.coupon_type,
        kind=CouponEntry.Kind.REVERSAL,
        at=at or timezone.now(),
        quantity=-entry.quantity,
        face_value=entry.face_value,
        signer=entry.signer,
        reverses=entry,
        note=reason,
        created_by=user,
    )


# Issue and redemption at the till -----------------------------------------------------


def _new_serial() -> str:
    # Unguessable, since a coupon is cash; digits only, so a cashier can type it.
    while True:
        serial = "".join(secrets.choice("0123456789") for _ in range(SERIAL_DIGITS))
        if serial[0] != "0" and not Coupon.objects.filter(serial=serial).exists():
            return serial


@transaction.atomic
def coupon_issue(
    *,
    store: Store,
    coupon_type: CouponType,
    receipt_no: str,
    purchase_amount: Decimal | str,
    user,
    at: datetime.datetime | None = None,
) -> Coupon:
    """Hand a customer a coupon for a receipt that reaches the type's issue threshold,
    taking it out of the store's stock."""
    staff = _till_staff(user, store)
    receipt_no = _receipt_no(receipt_no)
    amount = _positive_money(purchase_amount, "purchase_amount", "购物金额")
    if not coupon_type.active:
        raise ServiceError(f"“{coupon_type.name}”已停用，不能再发放。", field="coupon_type")
    if amount < coupon_type.issue_threshold:
        raise ServiceError(
            f"小票金额 {format_yuan(amount)} 未满发券门槛 "
            f"{format_yuan(coupon_type.issue_threshold)}，不能发“{coupon_type.name}”。",
            field="purchase_amount",
        )
    _check_receipt_store(receipt_no, store)
    _lock_stores(store)
    earlier = Coupon.objects.filter(issue_receipt_no=receipt_no, coupon_type=coupon_type).first()
    if earlier is not None:
        raise Conflict(
            f"小票 {receipt_no} 已发过“{coupon_type.name}”（券号 {earlier.serial}），"
            "每张小票只发一次。",
            field="receipt_no",
        )
    if coupon_stock(store, coupon_type) < 1:
        raise ServiceError(
            f"本店“{coupon_type.name}”库存为 0，请先到分公司市场部领取并登记入库。",
            field="coupon_type",
        )
    at = at or timezone.now()
    # Valid for `valid_months` months from the day of issue, that day included.
    issued_on = timezone.localdate(at)
    valid_until = months_before(issued_on, -coupon_type.valid_months) - datetime.timedelta(days=1)
    coupon = Coupon.objects.create(
        serial=_new_serial(),
        coupon_type=coupon_type,
        store=store,
        issued_at=at,
        issue_receipt_no=receipt_no,
        issue_amount=amount,
        issued_by=staff,
        valid_until=valid_until,
    )
    CouponEntry.objects.create(
        store=store,
        coupon_type=coupon_type,
        kind=CouponEntry.Kind.ISSUED,
        at=at,
        quantity=-1,
        face_value=coupon_type.face_value,
        coupon=coupon,
        receipt_no=receipt_no,
        purchase_amount=amount,
        created_by=user,
    )
    return coupon


def _used_message(coupon: Coupon) -> str:
    where = coupon.redeemed_store
    return (
        f"券号 {coupon.serial} 已于 {timezone.localtime(coupon.redeemed_at):%Y-%m-%d %H:%M} "
        f"在门店 {where.store_id} {where.name} 使用（小票 {coupon.redeem_receipt_no}），"
        "不能重复使用。"
    )


def _check_redeemable(
    coupon: Coupon, *, store: Store, receipt_no: str, regular_amount: Decimal, today
) -> None:
    coupon_type = coupon.coupon_type
    if coupon.status == Coupon.Status.REDEEMED:
        raise Conflict(_used_message(coupon), field="serial")
    if coupon.status == Coupon.Status.EXPIRED or coupon.valid_until < today:
        raise ServiceError(
            f"券号 {coupon.serial} 已过期（有效期至 {coupon.valid_until:%Y-%m-%d}），不能使用。",
            field="serial",
        )
    if coupon_type.is_full_value and coupon.store_id != store.pk:
        raise ServiceError(
            f"券号 {coupon.serial} 是全额抵扣券，只能在发券门店 "
            f"{coupon.store.store_id} {coupon.store.name} 使用。",
            field="serial",
        )
    if receipt_no == coupon.issue_receipt_no:
        raise ServiceError(
            f"这张券是小票 {receipt_no} 购物时获得的，不能在获券当时使用，请下次购物时再用。",
            field="receipt_no",
        )
    already = Coupon.objects.filter(redeem_receipt_no=receipt_no).first()
    if already is not None:
        raise Conflict(
            f"小票 {receipt_no} 已使用过一张抵扣券（券号 {already.serial}），每张小票限用一张。",
            field="receipt_no",
        )
    if coupon_type.is_full_value:
        if regular_amount < coupon_type.face_value:
            raise ServiceError(
                f"正价商品金额 {format_yuan(regular_amount)} 不足券面 "
                f"{format_yuan(coupon_type.face_value)}，本券不找零、不折现。",
                field="receipt_amount",
            )
    elif regular_amount < coupon_type.redeem_threshold:
        raise ServiceError(
            f"正价商品金额 {format_yuan(regular_amount)} 未满 "
            f"{format_yuan(coupon_type.redeem_threshold)}，不能使用“{coupon_type.name}”"
            "（特价商品不计入）。",
            field="receipt_amount",
        )


@transaction.atomic
def coupon_redeem(
    *,
    store: Store,
    serial: str,
    receipt_no: str,
    receipt_amount: Decimal | str,
    special_amount: Decimal | str = "0",
    user,
    at: datetime.datetime | None = None,
) -> Coupon:
    """Take a coupon back at the till against a later receipt (handbook ch. 4).

    The till enters the receipt's amount and the part of it that is special-price (特价)
    goods, from the POS screen: only the regular-price rest counts towards the threshold.
    The POS lines of the receipt are imported hours later, so they cannot decide this
    while the customer waits; both figures are kept on the coupon for finance's check
    against the receipt stapled to it."""
    staff = _till_staff(user, store)
    serial = serial.strip()
    if not serial:
        raise ServiceError("请填写券号。", field="serial")
    receipt_no = _receipt_no(receipt_no)
    amount = _positive_money(receipt_amount, "receipt_amount", "小票金额")
    special = _positive_money(special_amount, "special_amount", "特价商品金额")
    if special > amount:
        raise ServiceError("特价商品金额不能大于小票金额。", field="special_amount")
    regular = amount - special
    coupon = (
        Coupon.objects.select_related("coupon_type", "store", "redeemed_store")
        .filter(serial=serial)
        .first()
    )
    if coupon is None:
        raise ServiceError(f"找不到券号 {serial}，请核对券面上的券号。", field="serial")
    at = at or timezone.now()
    today = timezone.localdate(at)
    _check_redeemable(
        coupon, store=store, receipt_no=receipt_no, regular_amount=regular, today=today
    )
    _check_receipt_store(receipt_no, store)
    try:
        with transaction.atomic():
            # The claim: of two tills at the same moment, the second UPDATE waits for the
            # first to commit, then finds the coupon no longer unused and changes nothing.
            claimed = Coupon.objects.filter(
                pk=coupon.pk, status=Coupon.Status.ISSUED, valid_until__gte=today
            ).update(
                status=Coupon.Status.REDEEMED,
                redeemed_at=at,
                redeemed_store=store,
                redeem_receipt_no=receipt_no,
                redeem_amount=amount,
                redeem_regular_amount=regular,
                redeemed_by=staff,
                updated_at=timezone.now(),
            )
    except IntegrityError as error:
        raise Conflict(
            f"小票 {receipt_no} 刚刚已使用过一张抵扣券，每张小票限用一张。", field="receipt_no"
        ) from error
    coupon.refresh_from_db()
    if not claimed:
        if coupon.status == Coupon.Status.REDEEMED:
            raise Conflict(_used_message(coupon), field="serial")
        raise ServiceError(
            f"券号 {coupon.serial} 已过期（有效期至 {coupon.valid_until:%Y-%m-%d}），不能使用。",
            field="serial",
        )
    CouponEntry.objects.create(
        store=store,
        coupon_type=coupon.coupon_type,
        kind=CouponEntry.Kind.REDEEMED,
        at=at,
        quantity=0,
        face_value=coupon.coupon_type.face_value,
        coupon=coupon,
        receipt_no=receipt_no,
        purchase_amount=amount,
        created_by=user,
    )
    return coupon


EXPIRY_BATCH = 2000


def coupons_expire(*, today: datetime.date | None = None) -> int:
    """Mark every unused coupon past its last valid day as expired, each with a row in
    its issuing store's ledger, dated the start of `today` (the first day it is no longer
    good); in batches, each batch one transaction. A coupon a till is redeeming at this
    moment is skipped and left to the till."""
    today = today or local_today()
    expired_from = local_day_start(today)
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                Coupon.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=Coupon.Status.ISSUED, valid_until__lt=today)
                .values_list("pk", "store_id", "coupon_type_id", "coupon_type__face_value")
                .order_by("pk")[:EXPIRY_BATCH]
            )
            if not batch:
                return expired
            now = timezone.now()
            Coupon.objects.filter(pk__in=[row[0] for row in batch]).update(
                status=Coupon.Status.EXPIRED, expired_at=now, updated_at=now
            )
            CouponEntry.objects.bulk_create(
                CouponEntry(
                    store_id=store_pk,
                    coupon_type_id=type_pk,
                    kind=CouponEntry.Kind.EXPIRED,
                    at=expired_from,
                    quantity=0,
                    face_value=face_value,
                    coupon_id=coupon_pk,
                )
                for coupon_pk, store_pk, type_pk, face_value in batch
            )
            expired += len(batch)


# Gifts ----------------------------------------------------------------------------------


def _gift_entry_record(**fields) -> GiftEntry:
    return GiftEntry.objects.create(**fields)


def _require_gift_stock(store: Store, gift: Gift, quantity: int) -> None:
    left = gift_stock(store, gift)
    if left < quantity:
        raise ServiceError(
            f"本店“{gift.name}”库存只有 {left} 件，不够 {quantity} 件。", field="quantity"
        )


@transaction.atomic
def gift_stock_receive(
    *, store: Store, gift: Gift, quantity: int, user, note: str = "", at=None
) -> GiftEntry:
    """Gifts into the store's stock (from the warehouse, the branch or a manufacturer)."""
    ledger_keeper_require(user, store)
    if quantity <= 0:
        raise ServiceError("入库数量必须大于 0。", field="quantity")
    return _gift_entry_record(
        store=store,
        gift=gift,
        kind=GiftEntry.Kind.RECEIVED,
        at=at or timezone.now(),
        quantity=quantity,
        note=note.strip(),
        created_by=user,
    )


@transaction.atomic
def gift_transfer(
    *, from_store: Store, to_store: Store, gift: Gift, quantity: int, user, at=None
) -> GiftTransfer:
    """Lend gifts to another store (门店间调配): the lending store's out and the borrowing
    store's in are written together, or neither is (handbook ch. 7 二(三)2)."""
    ledger_keeper_require(user, from_store)
    if to_store.pk == from_store.pk:
        raise ServiceError("调入门店不能是本店。", field="to_store")
    if not to_store.active:
        raise ServiceError(f"门店 {to_store.store_id} {to_store.name} 已停业，不能调入。")
    if quantity <= 0:
        raise ServiceError("调配数量必须大于 0。", field="quantity")
    _lock_stores(from_store, to_store)
    _require_gift_stock(from_store, gift, quantity)
    at = at or timezone.now()
    transfer = GiftTransfer.objects.create(
        from_store=from_store,
        to_store=to_store,
        gift=gift,
        quantity=quantity,
        at=at,
        created_by=user,
    )
    for store, kind, change in (
        (from_store, GiftEntry.Kind.TRANSFER_OUT, -quantity),
        (to_store, GiftEntry.Kind.TRANSFER_IN, quantity),
    ):
        _gift_entry_record(
            store=store,
            gift=gift,
            kind=kind,
            at=at,
            quantity=change,
            transfer=transfer,
            created_by=user,
        )
    return transfer


def _store_handler(store: Store, staff: Staff | None, label: str, field: str) -> Staff:
    if staff is None or staff.store_id != store.pk or not staff.active:
        raise ServiceError(f"{label}必须是本店在职员工。", field=field)
    return staff


def _require_confirmation(confirmed: bool) -> None:
    if not confirmed:
        raise ServiceError("请让顾客在赠品单上签字确认后再登记。", field="customer_confirmed")


@transaction.atomic
def gift_hand_out(
    *,
    store: Store,
    campaign: Campaign,
    receipt_no: str,
    purchase_amount: Decimal | str,
    customer_confirmed: bool,
    handler: Staff | None,
    second_handler: Staff | None,
    user,
    handed_on: datetime.date | None = None,
) -> GiftHandout:
    """Hand out the gift the receipt earns under the campaign's gift tiers (满赠, the
    highest tier reached), signed for by the customer, with two handlers."""
    ledger_keeper_require(user, store)
    receipt_no = _receipt_no(receipt_no)
    amount = _positive_money(purchase_amount, "purchase_amount", "购物金额")
    _require_confirmation(customer_confirmed)
    handler = _store_handler(store, handler, "经办人", "handler")
    second_handler = _store_handler(store, second_handler, "第二经办人", "second_handler")
    if handler.pk == second_handler.pk:
        raise ServiceError("赠品需要两位不同的经办人签名。", field="second_handler")
    tier = gift_tier_for(campaign, amount)
    if tier is None:
        lowest = min((to_money(t["min_amount"]) for t in campaign.gift_tiers), default=None)
        if lowest is None:
            raise ServiceError(f"活动“{campaign.name}”没有满赠档位。", field="campaign")
        raise ServiceError(
            f"购物金额 {format_yuan(amount)} 未达到“{campaign.name}”最低满赠档 "
            f"{format_yuan(lowest)}，没有赠品。",
            field="purchase_amount",
        )
    gift = Gift.objects.filter(name=tier["gift"]).first()
    if gift is None:
        raise ServiceError(f"赠品“{tier['gift']}”还没有建档，请营运部先添加该赠品。")
    _check_receipt_store(receipt_no, store)
    _lock_stores(store)
    earlier = GiftHandout.objects.filter(campaign=campaign, receipt_no=receipt_no).first()
    if earlier is not None:
        raise Conflict(
            f"小票 {receipt_no} 已于 {earlier.handed_on:%Y-%m-%d} 领过“{earlier.gift.name}”，"
            "每张小票只送一次。",
            field="receipt_no",
        )
    _require_gift_stock(store, gift, 1)
    handout = GiftHandout.objects.create(
        store=store,
        campaign=campaign,
        handed_on=handed_on or local_today(),
        receipt_no=receipt_no,
        purchase_amount=amount,
        gift=gift,
        gift_value=gift.value,
        customer_confirmed=True,
        handler=handler,
        second_handler=second_handler,
        created_by=user,
    )
    _gift_entry_record(
        store=store,
        gift=gift,
        kind=GiftEntry.Kind.HANDED_OUT,
        at=timezone.now(),
        quantity=-1,
        handout=handout,
        note=f"小票 {receipt_no}",
        created_by=user,
    )
    return handout


@transaction.atomic
def points_redeem(
    *,
    store: Store,
    card_no: str,
    points_before: int,
    points_deducted: int,
    gift: Gift,
    customer_confirmed: bool,
    handler: Staff | None,
    user,
    redeemed_on: datetime.date | None = None,
) -> PointsRedemption:
    """A member exchanges points for a gift: points before, points deducted, the gift and
    its value (附表1)."""
    ledger_keeper_require(user, store)
    member = Member.objects.filter(card_no=card_no.strip()).first()
    if member is None:
        raise ServiceError(f"找不到会员卡号 {card_no}，请核对卡号。", field="card_no")
    if points_deducted <= 0:
        raise ServiceError("扣减积分必须大于 0。", field="points_deducted")
    if points_deducted > points_before:
        raise ServiceError(
            f"扣减积分 {points_deducted} 超过会员原有积分 {points_before}。",
            field="points_deducted",
        )
    _require_confirmation(customer_confirmed)
    handler = _store_handler(store, handler, "经办人", "handler")
    _lock_stores(store)
    _require_gift_stock(store, gift, 1)
    redemption = PointsRedemption.objects.create(
        store=store,
        member=member,
        redeemed_on=redeemed_on or local_today(),
        points_before=points_before,
        points_deducted=points_deducted,
        gift=gift,
        gift_value=gift.value,
        customer_confirmed=True,
        handler=handler,
        created_by=user,
    )
    _gift_entry_record(
        store=store,
        gift=gift,
        kind=GiftEntry.Kind.POINTS,
        at=timezone.now(),
        quantity=-1,
        points_redemption=redemption,
        note=f"会员 {member.card_no}",
        created_by=user,
    )
    return redemption


# The monthly report (每月28日上交) --------------------------------------------------------

MONTHLY_REPORT_DAY = 28


def monthly_period(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period a report handed in on `day` (the 28th) covers: from the 28th of the
    month before to the day before, so each day is in exactly one report."""
    return months_before(day, 1), day - datetime.timedelta(days=1)


def coupon_monthly_report_build(*, store: Store, day: datetime.date) -> CouponMonthlyReport:
    """Write the store's 附表3 for the period ending the day before `day`; building it again
    replaces the file."""
    first, last = monthly_period(day)
    report = coupon_ledger_report(store, first, last)
    content = report_workbook_bytes(report, store, first, last)
    with transaction.atomic():
        monthly, _ = CouponMonthlyReport.objects.select_for_update().get_or_create(
            store=store, period_end=last, defaults={"period_start": first}
        )
        replaced = monthly.file.name
        monthly.period_start = first
        monthly.file.save(
            report_file_name(report, store, first, last), ContentFile(content), save=True
        )
    if replaced and replaced != monthly.file.name:
        monthly.file.storage.delete(replaced)
    return monthly

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from campaigns.models import Campaign
from common.dates import local_day_start
from common.errors import NotFound, ServiceError
from common.money import to_money
from members.models import SaleLine
from presale.exports import BOOKING_CHANNEL, booking_orders
from presale.models import YouzanOrder, YouzanOrderItem
from stores.access import Level, is_operations, restrict, scope_of, staff_visible
from stores.models import Staff, Store

STAFF_NOT_OF_STORE = "只能登记为本店的在职员工。"


def orders_visible(user) -> QuerySet[YouzanOrder]:
    """Presale orders in the user's scope, newest paid first (unpaid last), with what a list
    shows loaded up front; store staff never see unattributed orders."""
    orders = YouzanOrder.objects.select_related("store", "registered_staff").prefetch_related(
        Prefetch("lines", queryset=YouzanOrderItem.objects.order_by("position", "pk"))
    )
    return restrict(user, orders, store_path="store").order_by(
        F("paid_at").desc(nulls_last=True), "-pk"
    )


def store_orders(user, store: Store, *, unregistered_only: bool = False) -> QuerySet[YouzanOrder]:
    orders = orders_visible(user).filter(store=store)
    return orders.filter(registered_staff__isnull=True) if unregistered_only else orders


def order_get(user, order_pk: int) -> YouzanOrder:
    """The order if the user may see it; otherwise NotFound, so a URL never tells whether
    another store's order exists."""
    order = orders_visible(user).filter(pk=order_pk).first()
    if order is None:
        raise NotFound("找不到该订单。")
    return order


def order_item_names(order: YouzanOrder) -> list[str]:
    """The order's products from its item lines when imported, else the order export's own
    product text; expects the lines prefetched (orders_visible does)."""
    lines = list(order.lines.all())
    if not lines:
        return [order.items] if order.items else []
    return [_line_text(line) for line in lines]


def _line_text(line: YouzanOrderItem) -> str:
    spec = f"（{line.spec}）" if line.spec else ""
    qty = line.qty.normalize()
    return f"{line.product_name}{spec} ×{qty:f}"


def staff_for_registration(user, staff_no: str) -> Staff:
    """A staff member the user may see, by staff ID; whether they may sell the order is the
    service's decision. Unknown and out-of-scope IDs get the same answer."""
    staff = staff_visible(user).filter(staff_no=(staff_no or "").strip()).first()
    if staff is None:
        raise ServiceError(STAFF_NOT_OF_STORE, field="staff_no")
    return staff


DEFAULT_BOOKING_DAYS = 3
DIFFERENCE_LABELS = {"missing": "漏下账", "extra": "多下账", "different": "金额不符"}


def booking_days(campaign: Campaign) -> int:
    """N of "booking days 1–N", from the campaign's booking_gap rule (rules.md §5)."""
    for rule in campaign.rules or []:
        if isinstance(rule, dict) and rule.get("kind") == "booking_gap":
            return int(rule.get("booking_days", DEFAULT_BOOKING_DAYS))
    return DEFAULT_BOOKING_DAYS


def booking_window(campaign: Campaign) -> tuple[datetime.datetime, datetime.datetime]:
    """Booking days 1–N as [start, end) in local time, counted from the booking date."""
    if campaign.booking_start is None:
        raise ServiceError("该活动还没有设置下账日期，请先在活动中填写下账开始日期。")
    start = campaign.booking_start
    return (
        local_day_start(start),
        local_day_start(start + datetime.timedelta(days=booking_days(campaign))),
    )


@dataclass(frozen=True)
class BookingDifference:
    kind: str
    order_no: str
    exported: Decimal | None
    booked: Decimal | None
    receipt_no: str = ""
    booked_at: datetime.datetime | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return DIFFERENCE_LABELS[self.kind]


@dataclass
class StoreReconciliation:
    """A store's exported orders against what it booked; `booked` counts the first booking
    of each of its own orders only, the rest is `extra`."""

    store: Store
    exported: Decimal = Decimal("0.00")
    orders: int = 0
    booked: Decimal = Decimal("0.00")
    extra: Decimal = Decimal("0.00")
    differences: list[BookingDifference] = field(default_factory=list)

    @property
    def gap(self) -> Decimal:
        """The booking gap the store owes (rules.md §5 booking_gap)."""
        return to_money(max(self.exported - self.booked, Decimal(0)))


def booking_reconciliation(
    user, campaign: Campaign, *, store: Store | None = None
) -> list[StoreReconciliation]:
    """Per store in the user's scope: exported presale orders against the POS bookings of
    channel 有赞小程序 in booking days 1–N, order by order (rules.md §5, §7). Two grouped
    queries, matched in memory; only stores with orders or bookings are listed."""
    stores = restrict(user, Store.objects.all(), store_path="")
    if store is not None:
        stores = stores.filter(pk=store.pk)
    return bookings_reconcile(campaign, stores)


def _receipt_bookings(campaign: Campaign, stores: QuerySet[Store]) -> QuerySet:
    """Each POS receipt that books a presale order (channel 有赞小程序, booking days 1–N):
    its store, the order number, the receipt's amount for it and when it was booked."""
    start, end = booking_window(campaign)
    return (
        SaleLine.objects.filter(
            store__in=stores, channel=BOOKING_CHANNEL, sold_at__gte=start, sold_at__lt=end
        )
        .exclude(external_order_no="")
        .values("store_id", "external_order_no", "receipt_no")
        .annotate(amount=Sum("amount"), booked_at=Min("sold_at"))
    )


@dataclass(frozen=True)
class BookingGap:
    store_pk: int
    exported: Decimal
    booked: Decimal
    orders: int

    @property
    def gap(self) -> Decimal:
        return to_money(max(self.exported - self.booked, Decimal(0)))


def booking_gaps(campaign: Campaign, stores: QuerySet[Store]) -> list[BookingGap]:
    """Per store, in grouped queries for the whole chain, the figures of the reconciliation
    without its order-by-order list: the exported presale against the first booking of each
    of the store's own orders (a second booking or another store's order books nothing)."""
    exported = (
        booking_orders(campaign)
        .filter(store__in=stores)
        .values("store_id")
        .annotate(total=Sum("net_amount"), orders=Count("pk"))
        .order_by()
    )
    own_order = booking_orders(campaign).filter(
        store_id=OuterRef("store_id"), order_no=OuterRef("external_order_no")
    )
    first_bookings = (
        _receipt_bookings(campaign, stores)
        .filter(Exists(own_order))
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("store_id"), F("external_order_no")],
                order_by=[F("booked_at").asc(), F("receipt_no").asc()],
            )
        )
        .filter(place=1)
        .values_list("store_id", "amount")
    )
    # Summed per store in the database: a chain books millions of orders, and a cursor over
    # them would also be planned for its first rows rather than for all of them. The sum
    # comes back as text, so SQLite's floating-point sum never reaches the money.
    first_sql, params = first_bookings.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT booked_first.store_id, CAST(SUM(booked_first.amount) AS TEXT)"  # noqa: S608
            f" FROM ({first_sql}) booked_first GROUP BY booked_first.store_id",
            params,
        )
        booked = {store_pk: to_money(amount) for store_pk, amount in cursor.fetchall()}
    return [
        BookingGap(
            row["store_id"],
            to_money(row["total"]),
            booked.get(row["store_id"], Decimal("0.00")),
            row["orders"],
        )
        for row in sorted(exported, key=lambda row: row["store_id"])
    ]


def bookings_reconcile(campaign: Campaign, stores: QuerySet[Store]) -> list[StoreReconciliation]:
    """The order-by-order reconciliation of the given stores, whoever asks."""
    exported = {
        (store_pk, order_no): to_money(amount)
        for store_pk, order_no, amount in booking_orders(campaign)
        .filter(store__in=stores)
        .values_list("store_id", "order_no", "net_amount")
    }
    bookings = _receipt_bookings(campaign, stores).order_by("booked_at", "receipt_no")
    by_store: dict[int, StoreReconciliation] = {}

    def of(store_pk: int) -> StoreReconciliation:
        return by_store.setdefault(store_pk, StoreReconciliation(store=None))

    for (store_pk, _), amount in exported.items():
        row = of(store_pk)
        row.exported += amount
        row.orders += 1
    booked_orders: set[tuple[int, str]] = set()
    for booking in bookings:
        key = (booking["store_id"], booking["external_order_no"].strip())
        amount = to_money(booking["amount"])
        row = of(booking["store_id"])
        found = {"receipt_no": booking["receipt_no"], "booked_at": booking["booked_at"]}
        if key not in exported or key in booked_orders:
            row.extra += amount
            note = "重复下账" if key in booked_orders else "不是本店的预售订单"
            row.differences.append(
                BookingDifference("extra", key[1], exported.get(key), amount, **found, note=note)
            )
            continue
        booked_orders.add(key)
        row.booked += amount
        if amount != exported[key]:
            row.differences.append(
                BookingDifference("different", key[1], exported[key], amount, **found)
            )
    for key, amount in exported.items():
        if key not in booked_orders:
            of(key[0]).differences.append(BookingDifference("missing", key[1], amount, None))
    for store_row in Store.objects.filter(pk__in=by_store).select_related("region"):
        by_store[store_row.pk].store = store_row
    for row in by_store.values():
        row.differences.sort(key=lambda difference: difference.order_no)
    return sorted(by_store.values(), key=lambda row: row.store.store_id)


def may_view_booking(user) -> bool:
    """Booking and reconciliation are for operations and, read-only, region leads."""
    return is_operations(user) or scope_of(user).level is Level.REGION

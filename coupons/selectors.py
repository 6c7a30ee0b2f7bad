"""Reads of the coupon and gift ledgers, every one narrowed to the acting user's stores."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce

from campaigns.models import Campaign
from common.dates import local_day_range
from common.money import to_money
from coupons.models import (
    Coupon,
    CouponEntry,
    CouponMonthlyReport,
    CouponType,
    Gift,
    GiftEntry,
    GiftHandout,
    PointsRedemption,
)
from reports.assessment import CostStatus, SourceCosts
from stores.access import Level, may_manage_store, restrict, scope_of
from stores.models import Store

ZERO = Decimal("0.00")


def may_keep_ledger(user, store: Store) -> bool:
    """The store's own staff (店员 included: they run the till), its manager, its region
    lead and operations record coupon and gift movements; finance only reads."""
    scope = scope_of(user)
    if scope.level is Level.STORE and scope.store_pk == store.pk:
        return True
    return may_manage_store(user, store)


def coupon_stock(store: Store, coupon_type: CouponType) -> int:
    """The store's unused coupons of this type: the sum of its ledger rows."""
    return CouponEntry.objects.filter(store=store, coupon_type=coupon_type).aggregate(
        total=Coalesce(Sum("quantity"), 0)
    )["total"]


def coupon_balances(store: Store) -> list[dict]:
    """Unused stock per coupon type (only types the store ever had), count and amount."""
    rows = (
        CouponEntry.objects.filter(store=store)
        .values("coupon_type", "coupon_type__name", "coupon_type__face_value")
        .annotate(quantity=Sum("quantity"))
        .order_by("coupon_type__kind", "coupon_type__face_value", "coupon_type__name")
    )
    return [
        {
            "coupon_type_id": row["coupon_type"],
            "name": row["coupon_type__name"],
            "quantity": row["quantity"],
            "amount": to_money(row["quantity"] * row["coupon_type__face_value"]),
        }
        for row in rows
    ]


def coupon_types_active() -> QuerySet[CouponType]:
    return CouponType.objects.filter(active=True)


def coupons_visible(user) -> QuerySet[Coupon]:
    """Coupons issued by the stores the user may see."""
    return restrict(
        user,
        Coupon.objects.select_related("coupon_type", "store", "redeemed_store"),
        store_path="store",
    )


def store_coupon_entries(
    store: Store, first: datetime.date, last: datetime.date
) -> QuerySet[CouponEntry]:
    """The store's coupon ledger rows of the period; the caller fetched the store through
    stores.access (a page) or acts for the whole chain (the monthly job)."""
    start, end = local_day_range(first, last)
    return (
        CouponEntry.objects.filter(store=store, at__gte=start, at__lt=end)
        .select_related("coupon_type", "coupon", "reverses", "reversed_by")
        .order_by("at", "pk")
    )


def coupon_entries(
    user, store: Store, first: datetime.date, last: datetime.date
) -> QuerySet[CouponEntry]:
    return restrict(user, store_coupon_entries(store, first, last), store_path="store")


@dataclass(frozen=True)
class LedgerSummary:
    """A store's coupon figures for a period, in yuan (附表3): the unused stock at the
    start, what came in and went out, the stock at the end, and what came back."""

    opening: Decimal
    received: Decimal
    issued: Decimal
    closing: Decimal
    redeemed: Decimal
    expired: Decimal


def coupon_ledger_summary(store: Store, first: datetime.date, last: datetime.date) -> LedgerSummary:
    start, end = local_day_range(first, last)
    entries = CouponEntry.objects.filter(store=store)
    amount = F("quantity") * F("face_value")

    def total(queryset, value=amount) -> Decimal:
        return to_money(queryset.aggregate(total=Sum(value))["total"] or ZERO)

    in_period = entries.filter(at__gte=start, at__lt=end)
    opening = total(entries.filter(at__lt=start))
    # Only receipts of stock are ever reversed, so a reversal lowers "in".
    received = total(
        in_period.filter(kind__in=[CouponEntry.Kind.RECEIVED, CouponEntry.Kind.REVERSAL])
    )
    issued = -total(in_period.filter(kind=CouponEntry.Kind.ISSUED))
    return LedgerSummary(
        opening=opening,
        received=received,
        issued=issued,
        closing=opening + received - issued,
        redeemed=total(in_period.filter(kind=CouponEntry.Kind.REDEEMED), F("face_value")),
        expired=total(in_period.filter(kind=CouponEntry.Kind.EXPIRED), F("face_value")),
    )


def gift_stock(store: Store, gift: Gift) -> int:
    return GiftEntry.objects.filter(store=store, gift=gift).aggregate(
        total=Coalesce(Sum("quantity"), 0)
    )["total"]


def gift_balances(store: Store) -> list[dict]:
    rows = (
        GiftEntry.objects.filter(store=store)
        .values("gift", "gift__name", "gift__value")
        .annotate(quantity=Sum("quantity"))
        .order_by("gift__name")
    )
    return [
        {
            "gift_id": row["gift"],
            "name": row["gift__name"],
            "quantity": row["quantity"],
            "amount": to_money(row["quantity"] * row["gift__value"]),
        }
        for row in rows
    ]


def gift_entries(
    user, store: Store, first: datetime.date, last: datetime.date
) -> QuerySet[GiftEntry]:
    start, end = local_day_range(first, last)
    return (
        restrict(user, GiftEntry.objects.filter(store=store), store_path="store")
        .filter(at__gte=start, at__lt=end)
        .select_related("gift", "transfer__from_store", "transfer__to_store")
        .order_by("at", "pk")
    )


def store_gift_handouts(
    store: Store, first: datetime.date, last: datetime.date
) -> QuerySet[GiftHandout]:
    """As store_coupon_entries: the caller fetched the store through stores.access."""
    return (
        GiftHandout.objects.filter(store=store, handed_on__gte=first, handed_on__lte=last)
        .select_related("gift", "campaign", "handler", "second_handler")
        .order_by("handed_on", "pk")
    )


def store_points_redemptions(
    store: Store, first: datetime.date, last: datetime.date
) -> QuerySet[PointsRedemption]:
    """As store_coupon_entries: the caller fetched the store through stores.access."""
    return (
        PointsRedemption.objects.filter(store=store, redeemed_on__gte=first, redeemed_on__lte=last)
        .select_related("gift", "member", "handler")
        .order_by("redeemed_on", "pk")
    )


def monthly_reports(user, store: Store) -> QuerySet[CouponMonthlyReport]:
    return restrict(
        user, CouponMonthlyReport.objects.filter(store=store), store_path="store"
    ).order_by("-period_end")


def gift_tier_for(campaign: Campaign, amount: Decimal) -> dict | None:
    """The highest of the campaign's gift tiers (满赠) the amount reaches, or None."""
    reached = [tier for tier in campaign.gift_tiers if to_money(tier["min_amount"]) <= amount]
    return max(reached, key=lambda tier: to_money(tier["min_amount"]), default=None)


def campaigns_with_gifts() -> QuerySet[Campaign]:
    return Campaign.objects.filter(active=True).exclude(gift_tiers=[]).order_by("-presale_start")


def gifts_handed_out(user, campaign: Campaign) -> SourceCosts:
    """The assessment's cost source (registered in CouponsConfig.ready): the gift value of
    the campaign's hand-outs, per store, in one grouped query. A hand-out is recorded as the
    gift leaves the store, so the figure is never waiting for a settlement."""
    rows = (
        restrict(user, GiftHandout.objects.filter(campaign=campaign), store_path="store")
        .values("store", region=F("store__region"))
        .annotate(amount=Sum("gift_value"))
        .order_by()
    )
    return SourceCosts(CostStatus.FINAL, rows, "活动赠品领用表登记的礼品金额。")

"""The campaign's facts grouped per holder, as querysets: the nightly snapshots join them in
SQL, and the settlement reads the same figures at the end of the campaign (rules.md §4)."""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from callbacks.models import CallbackTask
from campaigns.models import Campaign, Target
from common.dates import local_day_range
from members.models import SaleLine
from presale.models import YouzanOrder

BOOKED_PRESALE_CHANNEL = "有赞小程序"


Period = tuple[datetime.datetime, datetime.datetime]


def presale_facts(
    campaign: Campaign, day: datetime.date, holder: str, period: Period | None = None
) -> QuerySet:
    """Net presale of the day and to date, and the last payment, per store or staff; to date
    means since the start of the presale window, or of `period` when one is given."""
    day_start, day_end = local_day_range(day)
    presale_start, presale_end = period or campaign.presale_period
    today = Q(paid_at__gte=day_start)
    return (
        YouzanOrder.objects.filter(
            paid_at__gte=presale_start,
            paid_at__lt=min(day_end, presale_end),
            **{f"{holder}__isnull": False},
        )
        .values(holder=F(holder))
        .annotate(
            amount=Sum("net_amount", filter=today),
            orders=Count("pk", filter=today),
            to_date=Sum("net_amount"),
            last=Max("paid_at"),
        )
        .order_by()
    )


def in_store_facts(
    campaign: Campaign, day: datetime.date, period: Period | None = None
) -> QuerySet:
    """In-store POS sales of the brand to date per store, without the booked presale orders,
    which are the presale figures themselves (rules.md §4)."""
    _, day_end = local_day_range(day)
    presale_start, presale_end = period or campaign.presale_period
    return (
        SaleLine.objects.filter(
            brand=campaign.brand, sold_at__gte=presale_start, sold_at__lt=min(day_end, presale_end)
        )
        .exclude(channel=BOOKED_PRESALE_CHANNEL)
        .values(holder=F("store"))
        .annotate(total=Sum("amount"), last=Max("sold_at"))
        .order_by()
    )


def callback_facts(campaign: Campaign, day: datetime.date, holder: str) -> QuerySet:
    """Callback tasks done today and to date, and the audience, per store or staff."""
    day_start, day_end = local_day_range(day)
    return (
        CallbackTask.objects.filter(campaign=campaign, **{f"{holder}__isnull": False})
        .values(holder=F(holder))
        .annotate(
            audience=Count("pk"),
            done_to_date=Count("pk", filter=Q(done_at__lt=day_end)),
            done_today=Count("pk", filter=Q(done_at__gte=day_start, done_at__lt=day_end)),
        )
        .order_by()
    )


def targets_of(campaign: Campaign, level: str, holder: str) -> QuerySet:
    return (
        Target.objects.filter(campaign=campaign, level=level)
        .values(holder=F(holder))
        .annotate(amount=Max("amount"))
        .order_by()
    )


def store_sales(
    campaign: Campaign, first: datetime.date, last: datetime.date
) -> dict[int, tuple[Decimal, Decimal]]:
    """Each store's campaign sales from `first` to `last`: (presale, in store)."""
    period = local_day_range(first, last)
    totals: dict[int, tuple[Decimal, Decimal]] = {}
    for row in presale_facts(campaign, last, "store", period):
        totals[row["holder"]] = (row["to_date"] or Decimal(0), Decimal(0))
    for row in in_store_facts(campaign, last, period):
        presale, _ = totals.get(row["holder"], (Decimal(0), Decimal(0)))
        totals[row["holder"]] = (presale, row["total"] or Decimal(0))
    return totals

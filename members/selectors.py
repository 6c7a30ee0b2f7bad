import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery

from common.dates import local_day_start, months_before
from members.models import Member, SaleLine


@dataclass(frozen=True)
class Audience:
    """Members who bought `brand` in the `months` months before `reference_date`
    (that day itself excluded), e.g. 薇诺娜, 12, 2022-10-09."""

    brand: str
    months: int
    reference_date: datetime.date

    @property
    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        start = months_before(self.reference_date, self.months)
        return local_day_start(start), local_day_start(self.reference_date)

    def purchases(self) -> QuerySet[SaleLine]:
        start, end = self.window
        return SaleLine.objects.filter(
            brand=self.brand, sold_at__gte=start, sold_at__lt=end, member__isnull=False
        )


def audience_members(audience: Audience) -> QuerySet[Member]:
    """The audience, each member annotated with `owner_store_id`: the store of their latest
    purchase of the brand in the window (rules.md §2). One SQL query."""
    latest_store = (
        audience.purchases()
        .filter(member=OuterRef("card_no"))
        .order_by("-sold_at", "-receipt_no")
        .values("store_id")[:1]
    )
    return Member.objects.filter(card_no__in=audience.purchases().values("member")).annotate(
        owner_store_id=Subquery(latest_store)
    )


def audience_count_by_store(audience: Audience) -> dict[int, int]:
    """Store row id → audience members it owns, in one SQL query."""
    rows = (
        audience_members(audience)
        .values("owner_store_id")
        .annotate(members=Count("pk"))
        .values_list("owner_store_id", "members")
    )
    return dict(rows)

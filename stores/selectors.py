from django.db.models import Count, Q, QuerySet

from stores.access import regions_visible, staff_visible, stores_visible
from stores.models import Region, Staff, Store


def regions_with_counts(user) -> QuerySet[Region]:
    return (
        regions_visible(user)
        .select_related("lead")
        .annotate(
            store_count=Count("stores", filter=Q(stores__active=True), distinct=True),
            staff_count=Count(
                "stores__staff",
                filter=Q(stores__active=True, stores__staff__active=True),
                distinct=True,
            ),
        )
        .order_by("name")
    )


def stores_with_counts(user, *, region: Region | None = None) -> QuerySet[Store]:
    stores = stores_visible(user).filter(active=True)
    if region is not None:
        stores = stores.filter(region=region)
    return stores.annotate(staff_count=Count("staff", filter=Q(staff__active=True))).order_by(
        "store_id"
    )


def store_team(user, store: Store) -> QuerySet[Staff]:
    return staff_visible(user).filter(store=store, active=True).order_by("-role", "staff_no")

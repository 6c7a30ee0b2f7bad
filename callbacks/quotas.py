"""Quotas and compliance (rules.md §2): completed calls per staff member and day against the
campaign's daily quota, members called per store and region against the audience. Every
figure is one grouped query, whatever the number of staff or stores."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from callbacks.models import CallbackTask, Chase
from callbacks.selectors import completed_on
from campaigns.models import Campaign
from stores.access import staff_visible, stores_visible
from stores.models import STORE_ROLES, Region, Staff


def staff_with_calls(staff: QuerySet[Staff], campaign: Campaign, day: datetime.date):
    """Store staff annotated with `done` (completed calls on `day`) and `behind` (how many
    short of the quota, 0 when met)."""
    return (
        staff.filter(active=True, role__in=STORE_ROLES)
        .annotate(
            done=Count("callbackattempt", filter=completed_on(day, campaign, "callbackattempt__"))
        )
        .select_related("store__region")
        .order_by("store__store_id", "staff_no")
    )


def staff_behind_quota(user, campaign: Campaign, day: datetime.date) -> list[Staff]:
    """The staff the user oversees who have not made the day's quota, most behind first."""
    rows = [
        person
        for person in staff_with_calls(staff_visible(user), campaign, day)
        if person.done < campaign.daily_quota
    ]
    for person in rows:
        person.behind = campaign.daily_quota - person.done
    return sorted(rows, key=lambda person: (-person.behind, person.store.store_id, person.staff_no))


@dataclass(frozen=True)
class Coverage:
    """Members called (tasks done) against the audience (tasks) of a store or region."""

    name: str
    audience: int
    called: int
    days_left: int

    @property
    def rate(self) -> float:
        return self.called / self.audience if self.audience else 0.0


def days_left(campaign: Campaign, day: datetime.date) -> int:
    """Days until the callback deadline, counting `day` itself; 0 once it has passed."""
    return max(0, (campaign.callbacks_end - day).days + 1)


def _task_counts(prefix: str, campaign: Campaign):
    in_campaign = Q(**{f"{prefix}campaign": campaign})
    done = in_campaign & Q(**{f"{prefix}status": CallbackTask.Status.DONE})
    return Count(prefix.rstrip("_"), filter=in_campaign), Count(prefix.rstrip("_"), filter=done)


def store_coverage(user, campaign: Campaign, day: datetime.date) -> list[Coverage]:
    audience, called = _task_counts("callbacktask__", campaign)
    stores = stores_visible(user).annotate(audience=audience, called=called).order_by("store_id")
    left = days_left(campaign, day)
    return [Coverage(store.name, store.audience, store.called, left) for store in stores]


def region_coverage(user, campaign: Campaign, day: datetime.date) -> list[Coverage]:
    visible = stores_visible(user).values("pk")
    audience, called = _task_counts("stores__callbacktask__", campaign)
    regions = (
        Region.objects.filter(stores__in=visible)
        .annotate(audience=audience, called=called)
        .order_by("name")
    )
    left = days_left(campaign, day)
    return [Coverage(region.name, region.audience, region.called, left) for region in regions]


def open_chases(staff: Staff, campaign: Campaign, day: datetime.date) -> QuerySet[Chase]:
    """Chases of the day still standing: they go when the staff member makes the quota."""
    return Chase.objects.filter(
        staff=staff, campaign=campaign, day=day, resolved_at__isnull=True
    ).select_related("chased_by")

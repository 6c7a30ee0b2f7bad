import datetime

from django.db.models import QuerySet

from callbacks.models import TERMINAL_OUTCOMES, CallbackAttempt, CallbackTask, Channel
from campaigns.models import Campaign
from common.dates import local_day_start
from stores.access import restrict
from stores.models import Staff


def tasks_visible(user, campaign: Campaign) -> QuerySet[CallbackTask]:
    """The campaign's tasks the user may see: their store's, region's or the chain's."""
    return restrict(user, campaign.callback_tasks.all(), store_path="store")


def completed_calls(campaign: Campaign, day: datetime.date) -> QuerySet[CallbackAttempt]:
    """Phone attempts with a terminal outcome on `day`: what counts toward the daily quota."""
    start = local_day_start(day)
    return CallbackAttempt.objects.filter(
        task__campaign=campaign,
        channel=Channel.PHONE,
        outcome__in=TERMINAL_OUTCOMES,
        at__gte=start,
        at__lt=local_day_start(day + datetime.timedelta(days=1)),
    )


def completed_today(staff: Staff, campaign: Campaign, day: datetime.date) -> int:
    return completed_calls(campaign, day).filter(staff=staff).count()

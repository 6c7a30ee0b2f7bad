import datetime

from celery import shared_task

from callbacks.services import shortfalls_record
from campaigns.models import Campaign
from common.dates import local_today


@shared_task
def record_yesterdays_shortfalls() -> int:
    """08:00 every day: each staff member's shortfall of the day before, for every active
    campaign whose callback window held that day."""
    yesterday = local_today() - datetime.timedelta(days=1)
    campaigns = Campaign.objects.filter(
        active=True, callbacks_start__lte=yesterday, callbacks_end__gte=yesterday
    )
    return sum(shortfalls_record(campaign=campaign, day=yesterday) for campaign in campaigns)

import datetime

from celery import shared_task

from campaigns.models import Campaign
from common.dates import local_today
from presale.daily import penalties_create


@shared_task
def create_yesterdays_penalties() -> int:
    """After midnight: the staff of every store that sold nothing yesterday owe their
    penalty today (rules.md §6), for every active campaign in its presale window."""
    yesterday = local_today() - datetime.timedelta(days=1)
    campaigns = Campaign.objects.filter(
        active=True, presale_start__lte=yesterday, presale_end__gte=yesterday
    )
    return sum(penalties_create(campaign=campaign, day=yesterday) for campaign in campaigns)

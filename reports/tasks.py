from celery import shared_task

from campaigns.models import Campaign
from common.dates import local_today
from reports.services import nightly_run


@shared_task
def nightly() -> int:
    """The nightly snapshots of today for every active campaign whose callback or presale
    period has begun and not ended."""
    today = local_today()
    campaigns = Campaign.objects.filter(
        active=True, callbacks_start__lte=today, presale_end__gte=today
    )
    for campaign in campaigns:
        nightly_run(campaign=campaign, day=today)
    return len(campaigns)

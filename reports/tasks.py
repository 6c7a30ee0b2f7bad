import datetime
import logging

from celery import shared_task
from django.db import transaction

from campaigns.models import Campaign
from common.dates import local_today
from reports.models import RobotPost
from reports.report import nightly_mails_send, nightly_report_build
from reports.robots import RobotPostError, robot_post_attempt, robot_posts_create
from reports.services import nightly_run

logger = logging.getLogger(__name__)

ROBOT_RETRIES = 3


@shared_task
def nightly() -> int:
    """The nightly snapshots of today for every active campaign whose callback or presale
    period has begun and not ended, then each one's report, e-mails and robot posts."""
    today = local_today()
    campaigns = Campaign.objects.filter(
        active=True, callbacks_start__lte=today, presale_end__gte=today
    )
    for campaign in campaigns:
        nightly_run(campaign=campaign, day=today)
        try:
            nightly_report_publish(campaign=campaign, day=today)
        except Exception:
            # The snapshots are written; one campaign's report must not stop the next.
            logger.exception("Nightly report of campaign %s failed", campaign.pk)
    return len(campaigns)


def nightly_report_publish(*, campaign: Campaign, day: datetime.date) -> list[RobotPost]:
    """Build the day's workbook, mail it, then queue the robot posts, which never hold up
    the report: they are sent by their own tasks once the rows are committed."""
    report = nightly_report_build(campaign=campaign, day=day)
    nightly_mails_send(report=report)
    posts = robot_posts_create(campaign=campaign, day=day)
    for post in posts:
        transaction.on_commit(lambda pk=post.pk: post_region_summary.delay(pk))
    return posts


@shared_task(
    bind=True,
    autoretry_for=(RobotPostError,),
    max_retries=ROBOT_RETRIES,
    retry_backoff=30,
    retry_jitter=True,
)
def post_region_summary(self, post_pk: int) -> str:
    """Post one region's summary to its DingTalk robot, retried with backoff on network
    errors and non-2xx answers; the last attempt records the post as failed."""
    post = RobotPost.objects.select_related("campaign", "region").get(pk=post_pk)
    post = robot_post_attempt(post=post, last_attempt=self.request.retries >= self.max_retries)
    return post.status

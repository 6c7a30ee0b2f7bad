"""The nightly summary posted to each region's DingTalk group robot (issue 6, item 3).

Custom robots with signing check `timestamp` (ms) and `sign`, the URL-encoded base64 of
HMAC-SHA256 over "timestamp\\nsecret" keyed by the secret. Every post is one RobotPost row,
updated after each attempt, so failures are listed for operations to follow up."""

import base64
import datetime
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils import timezone

from campaigns.models import Campaign
from common.dates import heading_date
from common.money import format_yuan
from reports.models import RegionDay, RegionRobot, RobotPost
from reports.report import behind_quota_rows, store_rows
from stores.models import Region

TOP_STORES = 5
LISTED_AT_MOST = 20
TIMEOUT_SECONDS = 10


class RobotPostError(Exception):
    """The robot did not accept the post: a network error, a non-2xx answer or an errcode."""

    def __init__(self, message: str, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(webhook_url: str, secret: str, timestamp_ms: int) -> str:
    joiner = "&" if urllib.parse.urlsplit(webhook_url).query else "?"
    return f"{webhook_url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def leaderboard_url() -> str:
    return urllib.parse.urljoin(settings.SITE_URL.rstrip("/") + "/", "reports/")


def _names_listed(names: list[str], total: int) -> str:
    listed = "、".join(names)
    return f"{listed} 等{total}家" if total > len(names) else listed


def region_summary(campaign: Campaign, day: datetime.date, region: Region) -> tuple[str, str]:
    """The Markdown title and text of a region's summary of the day."""
    title = f"{region.name} 夜间日报 {heading_date(day)}"
    lines = [f"### {title}", f"**{campaign.name}**", ""]
    figures = RegionDay.objects.filter(campaign=campaign, day=day, region=region).first()
    if figures is not None:
        completion = f"{figures.completion:.1%}" if figures.completion is not None else "—"
        lines += [
            f"- 当日预售 {format_yuan(figures.presale_amount)}（{figures.presale_orders} 单）",
            f"- 累计销售 {format_yuan(figures.sales_to_date)}，完成率 {completion}，"
            f"全片区排名第 {figures.rank}",
            "",
        ]
    stores = store_rows(campaign, day, region)
    lines.append(f"**门店前{TOP_STORES}名**")
    for row in stores[:TOP_STORES]:
        lines.append(
            f"{row.region_rank}. {row.store.name}（{row.store.store_id}）"
            f" 累计 {format_yuan(row.sales_to_date)}"
        )
    zero = stores.filter(zero_store=True).order_by("store__store_id")
    zero_total = zero.count()
    lines += ["", f"**挂0门店：{zero_total} 家**"]
    if zero_total:
        names = [row.store.name for row in zero[:LISTED_AT_MOST]]
        lines.append(_names_listed(names, zero_total))
    behind = behind_quota_rows(campaign, day, region)
    behind_total = behind.count()
    lines += ["", f"**回访未达标：{behind_total} 人**"]
    if behind_total:
        people = [
            f"{row.staff.name}（{row.callbacks_today}/{row.quota}）"
            for row in behind[:LISTED_AT_MOST]
        ]
        listed = "、".join(people)
        lines.append(f"{listed} 等{behind_total}人" if behind_total > len(people) else listed)
    lines += ["", f"[查看排行榜]({leaderboard_url()})"]
    return title, "\n".join(lines)


def robot_posts_create(*, campaign: Campaign, day: datetime.date) -> list[RobotPost]:
    """One pending post per region with an active robot and snapshots of the day."""
    regions = RegionRobot.objects.filter(
        active=True,
        region__snapshots__campaign=campaign,
        region__snapshots__day=day,
    ).values_list("region_id", flat=True)
    return [
        RobotPost.objects.create(campaign=campaign, region_id=region_pk, day=day)
        for region_pk in regions
    ]


def _post(url: str, payload: dict, timeout: float) -> int:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise RobotPostError("Webhook 地址必须以 http:// 或 https:// 开头。")
    # The scheme is checked above, so urlopen never reads file: or custom URLs.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        raise RobotPostError(f"钉钉返回 HTTP {error.code}", http_status=error.code) from error
    except (urllib.error.URLError, OSError) as error:
        raise RobotPostError(f"无法连接钉钉：{error}") from error
    if not 200 <= status < 300:
        raise RobotPostError(f"钉钉返回 HTTP {status}", http_status=status)
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise RobotPostError(
            f"钉钉拒绝：{answer.get('errcode')} {answer.get('errmsg', '')}", http_status=status
        )
    return status


def robot_post_attempt(
    *, post: RobotPost, last_attempt: bool, timeout: float = TIMEOUT_SECONDS
) -> RobotPost:
    """Try the post once and record the outcome; raise RobotPostError when it may be tried
    again, so the caller (the Celery task) schedules the retry."""
    post.attempts += 1
    post.at = timezone.now()
    robot = RegionRobot.objects.filter(region_id=post.region_id, active=True).first()
    try:
        if robot is None:
            raise RobotPostError("该片区的钉钉机器人已停用或已删除。")
        title, text = region_summary(post.campaign, post.day, post.region)
        status = _post(
            signed_url(robot.webhook_url, robot.secret, int(time.time() * 1000)),
            {"msgtype": "markdown", "markdown": {"title": title, "text": text}},
            timeout,
        )
    except RobotPostError as error:
        post.http_status = error.http_status
        post.error = str(error)
        # Without a robot there is nothing to retry.
        final = last_attempt or robot is None
        post.status = RobotPost.Status.FAILED if final else RobotPost.Status.PENDING
        post.save()
        if not final:
            raise
        return post
    post.http_status, post.error, post.status = status, "", RobotPost.Status.SENT
    post.save()
    return post


def robot_post_send(
    *, post: RobotPost, retries: int, timeout: float = TIMEOUT_SECONDS, pause=time.sleep
) -> RobotPost:
    """Post with up to `retries` further attempts, waiting between them (without Celery)."""
    for attempt in range(retries + 1):
        try:
            return robot_post_attempt(post=post, last_attempt=attempt == retries, timeout=timeout)
        except RobotPostError:
            pause(2**attempt)
    return post

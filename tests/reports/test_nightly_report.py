"""The nightly report (issue 6, item 3): the workbook matches the snapshots, each region
lead is mailed their region's workbook, and the DingTalk robot posts are signed, retried
and recorded without holding up the report."""

import base64
import hashlib
import hmac
import io
import json
import threading
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest
from django.core import mail

from reports.models import NightlyMail, NightlyReport, RegionRobot, RobotPost, StoreDay
from reports.report import nightly_mails_send, nightly_report_build
from reports.robots import robot_post_send, robot_posts_create
from reports.services import nightly_run
from reports.tasks import nightly_report_publish
from stores.models import Region, Role
from tests.factories import StaffFactory, region_lead_of
from tests.reports.test_nightly import FIRST, chain  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
SECRET = "SEC0123456789abcdef"


def sheet_rows(workbook, name):
    """A sheet's rows below its title line, header first."""
    return [list(row) for row in workbook[name].iter_rows(min_row=2, values_only=True)]


def open_workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content), read_only=True)


@pytest.fixture
def leads(chain):  # noqa: F811
    north, west = Region.objects.get(name="北门片"), Region.objects.get(name="西门一片")
    north_lead = region_lead_of(north, name="张片长", staff_no="L001")
    north_lead.user.email = "zhang@example.cn"
    north_lead.user.save()
    west_lead = region_lead_of(west, name="李片长", staff_no="L002")
    west_lead.user.email = "li@example.cn"
    west_lead.user.save()
    return {"北门片": north_lead, "西门一片": west_lead}


@pytest.fixture
def night(chain, leads):  # noqa: F811
    nightly_run(campaign=chain, day=FIRST)
    return chain


def test_workbook_sheets_and_figures_match_the_snapshots(night):
    report = nightly_report_build(campaign=night, day=FIRST)
    with report.file.open("rb") as stored:
        workbook = open_workbook(stored.read())

    assert workbook.sheetnames == ["片区", "门店", "员工", "挂0门店", "回访未达标"]
    regions = sheet_rows(workbook, "片区")
    assert regions[0][:4] == ["排名", "片区", "片长", "当日预售"]
    assert [row[:3] for row in regions[1:]] == [[1, "北门片", "张片长"], [2, "西门一片", "李片长"]]
    north = regions[1]
    # Money is a numeric cell: 1,598.00 + 1,598.00 presale, sales to date 3,196.00.
    assert north[3] == pytest.approx(3196.00) and isinstance(north[3], float)
    assert (north[6], north[7], north[12]) == (pytest.approx(3196.0), 30000, 0)
    assert north[8] == pytest.approx(3196 / 30000)

    stores = sheet_rows(workbook, "门店")[1:]
    for row in stores:
        snapshot = StoreDay.objects.get(day=FIRST, store__store_id=row[2])
        assert (row[0], row[1]) == (snapshot.rank, snapshot.region_rank)
        assert Decimal(str(row[5])) == snapshot.presale_amount
        assert Decimal(str(row[8])) == snapshot.sales_to_date
        assert row[14] == ("是" if snapshot.zero_store else "否")
    assert [row[2] for row in stores] == [308, 307, 512]

    zero = sheet_rows(workbook, "挂0门店")
    assert [row[:3] for row in zero[1:]] == [[512, "测试门店512", "西门一片"]]
    staff = sheet_rows(workbook, "员工")
    assert [row[1] for row in staff[1:]] == ["S30702"]
    assert staff[1][6] == pytest.approx(1598.0)
    # The clerk made no call that day against the quota of 5.
    behind = sheet_rows(workbook, "回访未达标")
    assert behind[0] == [
        "员工销售ID",
        "姓名",
        "门店ID",
        "门店名称",
        "片区",
        "当日回访",
        "每日回访指标",
        "差额",
    ]
    assert [row[0] for row in behind[1:]] == ["S30702"]
    assert behind[1][5:] == [0, 5, 5]


def test_building_a_day_again_replaces_its_file(night):
    first = nightly_report_build(campaign=night, day=FIRST)
    old_name = first.file.name
    again = nightly_report_build(campaign=night, day=FIRST)
    assert NightlyReport.objects.count() == 1 and again.pk == first.pk
    assert not first.file.storage.exists(old_name) or again.file.name == old_name
    assert again.file.storage.exists(again.file.name)


def test_each_region_lead_gets_their_regions_workbook(night, leads, settings):
    settings.OPERATIONS_EMAILS = ["ops@example.cn"]
    report = nightly_report_build(campaign=night, day=FIRST)
    nightly_mails_send(report=report)

    by_address = {tuple(message.to): message for message in mail.outbox}
    assert set(by_address) == {("zhang@example.cn",), ("li@example.cn",), ("ops@example.cn",)}
    for address, region, store_ids in (
        ("zhang@example.cn", "北门片", [308, 307]),
        ("li@example.cn", "西门一片", [512]),
        ("ops@example.cn", None, [308, 307, 512]),
    ):
        message = by_address[(address,)]
        assert len(message.attachments) == 1
        name, content, _ = message.attachments[0]
        workbook = open_workbook(content)
        assert [row[2] for row in sheet_rows(workbook, "门店")[1:]] == store_ids
        regions = [row[1] for row in sheet_rows(workbook, "片区")[1:]]
        assert regions == ([region] if region else ["北门片", "西门一片"])
        if region:
            assert region in name and region in message.subject
    assert NightlyMail.objects.filter(status=NightlyMail.Status.SENT).count() == 3


def test_lead_without_email_and_no_operations_addresses_are_skipped(night, leads, settings):
    settings.OPERATIONS_EMAILS = []
    leads["西门一片"].user.email = ""
    leads["西门一片"].user.save()
    nightly_mails_send(report=nightly_report_build(campaign=night, day=FIRST))

    assert [message.to for message in mail.outbox] == [["zhang@example.cn"]]
    skipped = NightlyMail.objects.filter(status=NightlyMail.Status.SKIPPED)
    reasons = {
        mailing.region.name if mailing.region else None: mailing.reason for mailing in skipped
    }
    assert "邮箱" in reasons["西门一片"] and "OPERATIONS_EMAILS" in reasons[None]


class FakeDingTalk(BaseHTTPRequestHandler):
    """Checks the signature like DingTalk: recompute it from the secret and the timestamp."""

    answer_status = 200
    received: list

    def do_POST(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        timestamp, sent_sign = query["timestamp"][0], query["sign"][0]
        digest = hmac.new(
            SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256
        ).digest()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(
            {"sign_ok": sent_sign == base64.b64encode(digest).decode(), "body": body}
        )
        self.send_response(self.answer_status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"errcode": 0, "errmsg": "ok"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def dingtalk():
    def start(answer_status):
        handler = type("Handler", (FakeDingTalk,), {"answer_status": answer_status, "received": []})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/robot/send?access_token=T1", handler

    servers = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_robot_post_is_signed_and_recorded(night, dingtalk, settings):
    settings.SITE_URL = "https://campaign.example.cn"
    url, handler = dingtalk(200)
    RegionRobot.objects.create(
        region=Region.objects.get(name="西门一片"), webhook_url=url, secret=SECRET
    )

    [post] = robot_posts_create(campaign=night, day=FIRST)
    robot_post_send(post=post, retries=3, timeout=5, pause=lambda seconds: None)

    post.refresh_from_db()
    assert (post.status, post.http_status, post.attempts) == (RobotPost.Status.SENT, 200, 1)
    [request] = handler.received
    assert request["sign_ok"]
    assert request["body"]["msgtype"] == "markdown"
    text = request["body"]["markdown"]["text"]
    assert "西门一片" in request["body"]["markdown"]["title"]
    assert "测试门店512" in text and "挂0门店：1 家" in text
    assert "https://campaign.example.cn/reports/" in text


def test_failing_robot_is_retried_and_recorded_while_report_and_mails_go_out(
    night, leads, dingtalk, settings
):
    url, handler = dingtalk(500)
    RegionRobot.objects.create(
        region=Region.objects.get(name="北门片"), webhook_url=url, secret=SECRET
    )

    [post] = nightly_report_publish(campaign=night, day=FIRST)
    assert NightlyReport.objects.filter(campaign=night, day=FIRST).exists()
    assert {tuple(message.to) for message in mail.outbox} == {
        ("zhang@example.cn",),
        ("li@example.cn",),
    }

    retries = 3
    robot_post_send(post=post, retries=retries, timeout=5, pause=lambda seconds: None)
    post.refresh_from_db()
    assert (post.status, post.http_status) == (RobotPost.Status.FAILED, 500)
    assert post.attempts == retries + 1 == len(handler.received)
    assert all(request["sign_ok"] for request in handler.received)


def test_celery_task_retries_then_records_failure(night, dingtalk):
    from reports.tasks import ROBOT_RETRIES, post_region_summary

    url, handler = dingtalk(503)
    RegionRobot.objects.create(
        region=Region.objects.get(name="北门片"), webhook_url=url, secret=SECRET
    )
    [post] = robot_posts_create(campaign=night, day=FIRST)

    post_region_summary.apply(args=[post.pk])

    post.refresh_from_db()
    assert post.status == RobotPost.Status.FAILED
    assert post.attempts == ROBOT_RETRIES + 1 == len(handler.received)


def test_failed_posts_page_is_for_operations(night, client, dingtalk):
    url, _ = dingtalk(500)
    RegionRobot.objects.create(
        region=Region.objects.get(name="北门片"), webhook_url=url, secret=SECRET
    )
    [post] = robot_posts_create(campaign=night, day=FIRST)
    robot_post_send(post=post, retries=0, timeout=5, pause=lambda seconds: None)

    operations = StaffFactory(role=Role.OPERATIONS, store=None)
    client.force_login(operations.user)
    page = client.get("/reports/nightly/robot-failures/")
    assert page.status_code == 200 and "北门片" in page.content.decode()

    clerk = StaffFactory(store=StoreDay.objects.first().store)
    client.force_login(clerk.user)
    assert client.get("/reports/nightly/robot-failures/").status_code == 403


def test_downloads_by_operations_and_by_region_lead(night, leads, client):
    report = nightly_report_build(campaign=night, day=FIRST)
    north, west = Region.objects.get(name="北门片"), Region.objects.get(name="西门一片")

    client.force_login(leads["北门片"].user)
    own = client.get(f"/reports/nightly/{report.pk}/regions/{north.pk}/download/")
    assert own.status_code == 200
    stores = sheet_rows(open_workbook(own.content), "门店")[1:]
    assert [row[2] for row in stores] == [308, 307]
    assert (
        client.get(f"/reports/nightly/{report.pk}/regions/{west.pk}/download/").status_code == 404
    )
    assert client.get(f"/reports/nightly/{report.pk}/download/").status_code == 403
    assert client.get("/reports/nightly/").status_code == 200

    client.force_login(StaffFactory(role=Role.OPERATIONS, store=None).user)
    whole = client.get(f"/reports/nightly/{report.pk}/download/")
    assert whole.status_code == 200
    stores = sheet_rows(open_workbook(whole.content), "门店")[1:]
    assert [row[2] for row in stores] == [308, 307, 512]


def test_nightly_task_snapshots_then_reports_mails_and_queues_robot_posts(
    chain,  # noqa: F811
    leads,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from reports import tasks

    RegionRobot.objects.create(
        region=Region.objects.get(name="西门一片"), webhook_url="http://127.0.0.1:9/", secret=SECRET
    )
    queued = []
    monkeypatch.setattr(tasks, "local_today", lambda: FIRST)
    monkeypatch.setattr(tasks.post_region_summary, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.nightly() == 1

    assert StoreDay.objects.filter(day=FIRST).count() == 3
    assert NightlyReport.objects.filter(campaign=chain, day=FIRST).exists()
    assert len(mail.outbox) == 2
    assert queued == list(RobotPost.objects.values_list("pk", flat=True))
    assert RobotPost.objects.get().status == RobotPost.Status.PENDING

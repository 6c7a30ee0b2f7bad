"""The till, the ledgers and the reports by page and API: a clerk acts on their own store
only, and another store's ledger answers 404."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from common.dates import local_today
from config.celery import app as celery_app
from coupons.models import Coupon, CouponEntry, CouponMonthlyReport
from coupons.selectors import coupon_stock
from coupons.services import coupon_stock_receive, coupons_expire
from coupons.tasks import monthly_coupon_reports
from stores.models import Role
from tests.coupons.conftest import at
from tests.coupons.factories import GiftFactory
from tests.factories import StaffFactory, StoreFactory

TILL = reverse("coupons:till")


def test_the_beat_schedule_runs_expiry_nightly_and_the_report_on_the_28th(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["expire-coupons"]["task"] == "coupons.tasks.expire_coupons"
    monthly = schedule["monthly-coupon-reports"]
    assert monthly["task"] == "coupons.tasks.monthly_coupon_reports"
    assert monthly["schedule"].day_of_month == {28}


def ledger_url(store):
    return reverse("coupons:ledger", args=[store.store_id])


def test_a_clerk_issues_and_redeems_at_the_till(login, stocked, store, clerk, conditional):
    client = login(clerk)
    answer = client.post(
        TILL,
        {
            "action": "issue",
            "issue-coupon_type": conditional.pk,
            "issue-receipt_no": "R0001",
            "issue-purchase_amount": "50.00",
        },
        follow=True,
    )
    coupon = Coupon.objects.get(issue_receipt_no="R0001")
    assert f"券号 {coupon.serial}" in answer.content.decode()

    refused = client.post(
        TILL,
        {
            "action": "redeem",
            "redeem-serial": coupon.serial,
            "redeem-receipt_no": "R0002",
            "redeem-receipt_amount": "80.00",
            "redeem-special_amount": "20.00",
        },
    )
    page = refused.content.decode()
    assert "正价商品金额 ¥60.00 未满 ¥68.00" in page
    # What was typed stays in the form.
    assert f'value="{coupon.serial}"' in page and 'value="80.00"' in page

    done = client.post(
        TILL,
        {
            "action": "redeem",
            "redeem-serial": coupon.serial,
            "redeem-receipt_no": "R0002",
            "redeem-receipt_amount": "90.00",
            "redeem-special_amount": "0",
        },
        follow=True,
    )
    assert "收券成功" in done.content.decode()
    coupon.refresh_from_db()
    assert coupon.status == Coupon.Status.REDEEMED


def test_the_till_is_for_store_staff_only(login, db):
    finance = StaffFactory(role=Role.FINANCE, store=None)
    assert login(finance).get(TILL).status_code == 403


def test_a_clerk_sees_and_acts_on_their_own_stores_ledger_only(
    login, stocked, store, other_store, clerk, conditional
):
    client = login(clerk)
    assert client.get(ledger_url(store)).status_code == 200
    for url in (
        ledger_url(other_store),
        reverse("coupons:gifts", args=[other_store.store_id]),
        reverse("coupons:report", args=[other_store.store_id, "coupons"]),
    ):
        assert client.get(url).status_code == 404, url
    receive = {"coupon_type": conditional.pk, "quantity": "5", "signer": "李四"}
    assert client.post(ledger_url(other_store), receive).status_code == 404
    entry = CouponEntry.objects.filter(store=other_store).first()
    reverse_url = reverse("coupons:reverse", args=[store.store_id, entry.pk])
    assert client.post(reverse_url, {"reason": "x"}).status_code == 404
    assert coupon_stock(other_store, conditional) == 20

    api = client.get("/api/coupon-entries/", {"store_id": other_store.store_id})
    assert api.status_code == 200 and api.json()["count"] == 0
    assert client.get("/api/coupon-entries/").json()["count"] == 2

    client.post(ledger_url(store), receive)
    assert coupon_stock(store, conditional) == 25


def test_the_api_issues_and_redeems_with_the_cashiers_messages(
    login, stocked, store, other_store, clerk, other_clerk, full_value
):
    client = login(clerk)
    issued = client.post(
        "/api/coupons/issue/",
        {"coupon_type": full_value.code, "receipt_no": "R0001", "purchase_amount": "20.00"},
        content_type="application/json",
    )
    assert issued.status_code == 201
    serial = issued.json()["serial"]

    other = login(other_clerk)
    refused = other.post(
        "/api/coupons/redeem/",
        {"serial": serial, "receipt_no": "R0100", "receipt_amount": "30.00"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": f"券号 {serial} 是全额抵扣券，只能在发券门店 307 驷马桥店 使用。",
        "field": "serial",
    }
    # Another store's coupon is not listed to its clerk.
    assert other.get(f"/api/coupons/{serial}/").status_code == 404

    client = login(clerk)
    body = {"serial": serial, "receipt_no": "R0002", "receipt_amount": "30.00"}
    redeemed = client.post("/api/coupons/redeem/", body, content_type="application/json")
    assert redeemed.status_code == 200 and redeemed.json()["status"] == "redeemed"
    again = client.post(
        "/api/coupons/redeem/", {**body, "receipt_no": "R0003"}, content_type="application/json"
    )
    assert again.status_code == 409
    assert "不能重复使用" in again.json()["detail"]


def test_the_report_pages_show_and_download_the_period(login, stocked, store, clerk):
    client = login(clerk)
    url = reverse("coupons:report", args=[store.store_id, "coupons"])
    today = local_today().isoformat()
    page = client.get(url, {"start": "2020-01-01", "end": today})
    assert page.status_code == 200
    assert "附表3 赠券进销存明细表" in page.content.decode()
    assert "¥300.00" in page.content.decode()  # 20 × 10 + 20 × 5 received

    download = client.get(url, {"start": "2020-01-01", "end": today, "download": "xlsx"})
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert sheet["A1"].value == "附表3 赠券进销存明细表"

    for kind in ("points", "handouts"):
        assert client.get(reverse("coupons:report", args=[store.store_id, kind])).status_code == 200
    assert client.get(reverse("coupons:report", args=[store.store_id, "nope"])).status_code == 404


@pytest.fixture
def tasks_run_at_once():
    """The beat job hands each store to a worker; here the worker is this process."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_the_28th_job_writes_every_stores_monthly_report(
    login, store, other_store, clerk, other_clerk, conditional, monkeypatch, tasks_run_at_once
):
    closed = StoreFactory(active=False)
    coupon_stock_receive(
        store=store,
        coupon_type=conditional,
        quantity=10,
        signer="张会计",
        user=clerk.user,
        at=at(datetime.date(2026, 2, 3)),
    )
    monkeypatch.setattr("coupons.tasks.local_today", lambda: datetime.date(2026, 2, 28))

    assert monthly_coupon_reports() == 2

    reports = CouponMonthlyReport.objects.order_by("store__store_id")
    assert [(r.store, r.period_start, r.period_end) for r in reports] == [
        (store, datetime.date(2026, 1, 28), datetime.date(2026, 2, 27)),
        (other_store, datetime.date(2026, 1, 28), datetime.date(2026, 2, 27)),
    ]
    assert not CouponMonthlyReport.objects.filter(store=closed).exists()
    mine = reports[0]
    client = login(clerk)
    download = client.get(reverse("coupons:monthly", args=[mine.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).active.values)
    assert any(row[1] == "本期合计" and row[2] == 100 for row in rows)
    assert client.get(reverse("coupons:monthly", args=[reports[1].pk])).status_code == 404
    assert "2026-01-28 至 2026-02-27" in client.get(ledger_url(store)).content.decode()


def test_gift_forms_on_the_page_keep_what_was_typed_when_refused(login, store, clerk, manager):
    gift = GiftFactory()
    client = login(clerk)
    url = reverse("coupons:gifts", args=[store.store_id])
    client.post(url, {"action": "receive", "receive-gift": gift.pk, "receive-quantity": "3"})
    refused = client.post(
        url,
        {
            "action": "transfer",
            "transfer-gift": gift.pk,
            "transfer-quantity": "5",
            "transfer-to_store_id": "999",
        },
    )
    page = refused.content.decode()
    assert "门店ID 999 不存在或已停业，请核对。" in page
    assert 'value="999"' in page
    assert "3 件 · ¥135.00" in page


def test_the_ledger_page_reverses_a_receipt_and_shows_expired_coupons(
    login, store, manager, clerk, conditional, issue
):
    wrong = coupon_stock_receive(
        store=store, coupon_type=conditional, quantity=5, signer="张会计", user=manager.user
    )
    old = issue(receipt_no="R0001", when=at(datetime.date(2025, 1, 5)))
    coupons_expire(today=local_today())
    client = login(manager)
    url = reverse("coupons:reverse", args=[store.store_id, wrong.pk])
    assert client.post(url, {"reason": "多登记了"}, follow=True).status_code == 200
    assert coupon_stock(store, conditional) == 19

    period = {"start": "2025-01-01", "end": local_today().isoformat()}
    page = client.get(ledger_url(store), period)
    text = page.content.decode()
    assert "冲正" in text and "多登记了" in text and "已冲正" in text
    assert "过期" in text and old.serial in text
    # Finance reads every ledger but records nothing in it.
    assert (
        "冲正这笔"
        not in login(StaffFactory(role=Role.FINANCE, store=None))
        .get(ledger_url(store), {"start": "2025-01-01"})
        .content.decode()
    )

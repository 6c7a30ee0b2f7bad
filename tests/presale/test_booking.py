"""Presale booking (下账, rules.md §5 booking_gap, §7): booking sheets mailed per store, and
the reconciliation of exported orders against POS bookings."""

import datetime
import io
import itertools
import os
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from common.jobs import job_enqueue, job_run
from common.models import Job
from members.models import SaleLine
from presale.exports import booking_sheet_file_name, booking_sheet_write
from presale.jobs import BOOKING_SHEETS
from presale.models import YouzanOrder
from presale.selectors import booking_gaps, booking_reconciliation
from stores.models import Role, Store
from tests.factories import RegionFactory, StaffFactory, StoreFactory, region_lead_of
from tests.helpers import LIBREOFFICE, libreoffice_csv_rows, wait_until

RECEIPT_NUMBERS = itertools.count(1)
FORMULA_LIKE_ITEMS = '=HYPERLINK("http://evil.example","薇诺娜舒敏保湿特护霜")'


def local(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def make_campaign(**overrides) -> Campaign:
    fields = {
        "code": "WINONA-2022-D11",
        "name": "薇诺娜双十一预售",
        "brand": "薇诺娜",
        "callbacks_start": datetime.date(2022, 10, 10),
        "callbacks_end": datetime.date(2022, 10, 23),
        "presale_start": datetime.date(2022, 10, 25),
        "presale_end": datetime.date(2022, 11, 15),
        "booking_start": datetime.date(2022, 11, 16),
        "booking_end": datetime.date(2022, 11, 18),
        "per_member_target": Decimal("200.00"),
        "presale_share": Decimal("0.80"),
        "rules": [{"kind": "booking_gap", "booking_days": 3}],
    }
    return Campaign.objects.create(**{**fields, **overrides})


def order(store, order_no, paid, amount, *, refunded="0", **fields) -> YouzanOrder:
    return YouzanOrder.objects.create(
        order_no=order_no,
        status="已完成" if paid else "待付款",
        paid_at=local(paid) if paid else None,
        paid_amount=Decimal(amount),
        refunded_amount=Decimal(refunded),
        store=store,
        **fields,
    )


def book(store, order_no, sold, *amounts, channel="有赞小程序") -> str:
    """One POS receipt booking an order, one line per amount."""
    receipt_no = f"R{next(RECEIPT_NUMBERS):06d}"
    for line_no, amount in enumerate(amounts, start=1):
        SaleLine.objects.create(
            receipt_no=receipt_no,
            line_no=line_no,
            sold_at=local(sold),
            store=store,
            product_code=f"P{line_no}",
            product_name="薇诺娜",
            brand="薇诺娜",
            qty=Decimal(1),
            amount=Decimal(amount),
            channel=channel,
            external_order_no=order_no,
        )
    return receipt_no


@pytest.fixture
def chain():
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    stores = {
        307: StoreFactory(store_id=307, region=north, name="驷马桥店"),
        308: StoreFactory(store_id=308, region=north, name="荷花池店"),
        512: StoreFactory(store_id=512, region=west, name="青羊宫店", mailbox=""),
    }
    return {
        "stores": stores,
        "seller": StaffFactory(store=stores[307], staff_no="S30701", name="徐梅"),
        "clerk": StaffFactory(store=stores[308], staff_no="S30801"),
        "north_lead": region_lead_of(north, staff_no="P01"),
        "operations": StaffFactory(role=Role.OPERATIONS, store=None, staff_no="YY001"),
    }


@pytest.fixture
def presale_orders(chain):
    """Orders of the presale window plus some that must stay out of every sheet."""
    stores = chain["stores"]
    order(
        stores[307],
        "E001",
        "2022-10-25 10:05:00",
        "1598.00",
        items=FORMULA_LIKE_ITEMS,
        buyer_note="已取货",
        registered_staff=chain["seller"],
    )
    order(stores[307], "E002", "2022-11-15 23:59:00", "698.00", refunded="98.00", items="+精华")
    order(stores[307], "E003", "2022-11-16 00:00:00", "300.00")  # after the presale window
    order(stores[307], "E004", None, "999.00")  # never paid
    order(stores[307], "E005", "2022-10-30 12:00:00", "500.00", refunded="500.00")
    order(stores[308], "E011", "2022-10-26 09:40:00", "2400.00", items="薇诺娜特护霜")
    order(stores[308], "E012", "2022-10-27 11:20:00", "1000.00", items="薇诺娜清透防晒乳")
    order(stores[512], "E021", "2022-11-01 08:00:00", "3198.00", items="薇诺娜礼盒")
    order(None, "E099", "2022-11-01 09:00:00", "5000.00")  # unattributed


def presale_sales(campaign: Campaign, store) -> Decimal:
    """rules.md §4, computed here independently of the export."""
    return YouzanOrder.objects.filter(
        store=store,
        paid_at__gte=local(f"{campaign.presale_start} 00:00:00"),
        paid_at__lt=local(f"{campaign.presale_end + datetime.timedelta(days=1)} 00:00:00"),
    ).aggregate(total=Sum("net_amount"))["total"] or Decimal("0.00")


def sheet_rows(content: bytes) -> tuple[list[tuple], tuple, openpyxl.worksheet.worksheet.Worksheet]:
    """The order rows and the total row of a booking sheet."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(index for index, row in enumerate(rows) if row[0] == "订单号")
    total = next(index for index, row in enumerate(rows) if row[0] == "合计")
    return rows[header + 1 : total], rows[total], sheet


def run_booking_job(campaign, user) -> Job:
    job = Job.objects.create(kind=BOOKING_SHEETS, params={"campaign": campaign.pk}, created_by=user)
    return job_run(job.pk)


@pytest.mark.django_db
def test_each_stores_sheet_totals_its_presale_sales_and_lists_only_its_orders(
    chain, presale_orders
):
    campaign = make_campaign()
    job = run_booking_job(campaign, chain["operations"].user)
    assert job.status == Job.Status.SUCCEEDED, job.message

    archive = zipfile.ZipFile(job.output.open("rb"))
    expected_orders = {307: ["E001", "E002"], 308: ["E011", "E012"], 512: ["E021"]}
    assert len(archive.namelist()) == 3
    for store_id, order_numbers in expected_orders.items():
        store = chain["stores"][store_id]
        orders, total, sheet = sheet_rows(archive.read(booking_sheet_file_name(campaign, store)))
        assert [row[0] for row in orders] == order_numbers
        assert Decimal(str(total[3])).quantize(Decimal("0.01")) == presale_sales(campaign, store)
        total_cell = sheet.cell(row=sheet.max_row, column=4)
        assert total_cell.data_type == "n"
        assert total_cell.number_format.endswith("0.00")
    assert presale_sales(campaign, chain["stores"][307]) == Decimal("2198.00")

    orders, _, sheet = sheet_rows(
        archive.read(booking_sheet_file_name(campaign, chain["stores"][307]))
    )
    assert orders[0] == (
        "E001",
        datetime.datetime(2022, 10, 25, 10, 5),
        FORMULA_LIKE_ITEMS,
        1598,
        "S30701",
        "徐梅",
        "已取货",
    )
    assert orders[1][2:] == ("+精华", 600, None, None, "待取货")
    items_cell = next(row[2] for row in sheet.iter_rows() if row[0].value == "E001")
    assert items_cell.data_type == "s"
    assert job.progress_done == job.progress_total == 3


@pytest.mark.django_db
def test_every_store_with_a_mailbox_gets_exactly_its_own_sheet_and_the_rest_are_reported(
    chain, presale_orders
):
    campaign = make_campaign()
    job = run_booking_job(campaign, chain["operations"].user)

    stores = chain["stores"]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [stores[307].mailbox, stores[308].mailbox]
    )
    for message in mail.outbox:
        store = next(store for store in stores.values() if store.mailbox == message.to[0])
        assert len(message.to) == 1
        assert str(store.store_id) in message.subject
        [(file_name, content, mimetype)] = message.attachments
        assert file_name == booking_sheet_file_name(campaign, store)
        assert mimetype.endswith("spreadsheetml.sheet")
        orders, total, _ = sheet_rows(content)
        assert {row[0] for row in orders} == set(
            store.presale_orders.filter(net_amount__gt=0, paid_at__lt=local("2022-11-16 00:00"))
            .values_list("order_no", flat=True)
            .distinct()
        )
        assert Decimal(str(total[3])).quantize(Decimal("0.01")) == presale_sales(campaign, store)
    assert [entry["store_id"] for entry in job.result["mailed"]] == [307, 308]
    assert job.result["without_mailbox"] == [{"store_id": 512, "name": "青羊宫店", "mailbox": ""}]
    assert "1 家门店没有邮箱" in job.message


@pytest.mark.skipif(
    LIBREOFFICE is None and not os.environ.get("CI"), reason="needs LibreOffice (libreoffice)"
)
@pytest.mark.django_db
def test_libreoffice_reads_the_same_figures_and_keeps_formula_like_text_as_text(
    chain, presale_orders, tmp_path
):
    campaign = make_campaign()
    store = chain["stores"][307]
    workbook = tmp_path / "booking.xlsx"
    booking_sheet_write(campaign, store, workbook)

    rows = libreoffice_csv_rows(workbook)
    by_first_cell = {row[0]: row for row in rows if row}

    def yuan(text: str) -> Decimal:
        return Decimal(text.replace(",", ""))

    assert yuan(by_first_cell["合计"][3]) == presale_sales(campaign, store) == Decimal("2198.00")
    assert by_first_cell["E001"][1] == "2022-10-25 10:05:00"
    assert by_first_cell["E001"][2] == FORMULA_LIKE_ITEMS
    assert yuan(by_first_cell["E001"][3]) == Decimal("1598.00")
    assert by_first_cell["E002"][2] == "+精华"
    assert yuan(by_first_cell["E002"][3]) == Decimal("600.00")


@pytest.mark.django_db
def test_reconciliation_lists_a_double_booking_and_a_missed_order_with_the_booking_gaps(
    chain, presale_orders
):
    campaign = make_campaign()
    stores = chain["stores"]
    book(stores[307], "E001", "2022-11-16 09:00:00", "1000.00", "598.00")
    second = book(stores[307], "E001", "2022-11-17 10:00:00", "1598.00")
    book(stores[307], "E002", "2022-11-16 09:30:00", "600.00")
    book(stores[308], "E011", "2022-11-18 23:59:00", "2400.00")
    book(stores[308], "E012", "2022-11-19 00:00:00", "1000.00")  # day 4: too late
    book(stores[308], "E012", "2022-11-16 12:00:00", "1000.00", channel="")  # not a booking
    book(stores[512], "E021", "2022-11-17 15:00:00", "3198.00")

    rows = {
        row.store.store_id: row
        for row in booking_reconciliation(chain["operations"].user, campaign)
    }

    differences = [
        (store_id, difference.kind, difference.order_no, difference.receipt_no)
        for store_id, row in rows.items()
        for difference in row.differences
    ]
    assert differences == [(307, "extra", "E001", second), (308, "missing", "E012", "")]
    assert rows[307].differences[0].note == "重复下账"
    assert (rows[307].exported, rows[307].booked, rows[307].extra) == (
        Decimal("2198.00"),
        Decimal("2198.00"),
        Decimal("1598.00"),
    )
    assert rows[307].gap == Decimal("0.00")
    assert (rows[308].exported, rows[308].booked, rows[308].gap) == (
        Decimal("3400.00"),
        Decimal("2400.00"),
        Decimal("1000.00"),
    )
    assert rows[512].gap == Decimal("0.00")

    lead_rows = booking_reconciliation(chain["north_lead"].user, campaign)
    assert [row.store.store_id for row in lead_rows] == [307, 308]

    # The settlement's grouped figures for the whole chain are the reconciliation's.
    gaps = {gap.store_pk: gap for gap in booking_gaps(campaign, Store.objects.all())}
    assert {
        row.store.store_id: (row.exported, row.booked, row.gap, row.orders) for row in rows.values()
    } == {
        store.store_id: (gap.exported, gap.booked, gap.gap, gap.orders)
        for store in Store.objects.filter(pk__in=gaps)
        for gap in [gaps[store.pk]]
    }


@pytest.mark.django_db
def test_the_worked_example_presale_30000_booked_27500_owes_2500():
    store = StoreFactory(store_id=401, name="文殊院店")
    campaign = make_campaign(rules=[{"kind": "booking_gap", "booking_days": 2}])
    order(store, "F001", "2022-10-25 10:00:00", "20000.00")
    order(store, "F002", "2022-10-26 10:00:00", "7500.00")
    order(store, "F003", "2022-10-27 10:00:00", "2500.00")
    book(store, "F001", "2022-11-16 10:00:00", "20000.00")
    book(store, "F002", "2022-11-17 10:00:00", "7500.00")
    book(store, "F003", "2022-11-18 10:00:00", "2500.00")  # booking day 3 of 2
    book(store, "F404", "2022-11-16 11:00:00", "88.00")  # no such order of the store

    operations = StaffFactory(role=Role.OPERATIONS, store=None)
    [row] = booking_reconciliation(operations.user, campaign)

    assert (row.exported, row.booked, row.gap) == (
        Decimal("30000.00"),
        Decimal("27500.00"),
        Decimal("2500.00"),
    )
    assert [(d.kind, d.order_no, d.note) for d in row.differences] == [
        ("missing", "F003", ""),
        ("extra", "F404", "不是本店的预售订单"),
    ]


@pytest.mark.django_db
def test_reconciliation_counts_a_different_amount_as_booked_and_lists_it():
    store = StoreFactory(store_id=402)
    campaign = make_campaign()
    order(store, "G001", "2022-10-25 10:00:00", "698.00")
    book(store, "G001", "2022-11-16 10:00:00", "600.00")
    operations = StaffFactory(role=Role.OPERATIONS, store=None)

    [row] = booking_reconciliation(operations.user, campaign)

    [difference] = row.differences
    assert (difference.kind, difference.exported, difference.booked) == (
        "different",
        Decimal("698.00"),
        Decimal("600.00"),
    )
    assert row.gap == Decimal("98.00")


@pytest.mark.django_db
def test_pages_generate_for_operations_and_are_read_only_for_region_leads(
    client, chain, presale_orders
):
    campaign = make_campaign()
    book(chain["stores"][308], "E011", "2022-11-16 09:00:00", "2400.00")
    book(chain["stores"][512], "E021", "2022-11-16 09:00:00", "3198.00")

    client.force_login(chain["operations"].user)
    page = client.get(reverse("booking-detail", args=[campaign.code]))
    assert "生成并发送下账表" in page.content.decode()
    response = client.post(reverse("booking-generate", args=[campaign.code]))
    job = Job.objects.get(kind=BOOKING_SHEETS)
    assert response.url == reverse("job-detail", args=[job.pk])
    assert job.params == {"campaign": campaign.pk}
    page = client.get(reverse("booking-detail", args=[campaign.code])).content.decode()
    assert reverse("job-detail", args=[job.pk]) in page
    listing = client.get(reverse("booking-list")).content.decode()
    assert reverse("booking-reconciliation", args=[campaign.code]) in listing
    reconciliation = client.get(reverse("booking-reconciliation", args=[campaign.code]))
    assert "青羊宫店" in reconciliation.content.decode()

    client.force_login(chain["north_lead"].user)
    page = client.get(reverse("booking-detail", args=[campaign.code])).content.decode()
    assert "生成并发送下账表" not in page
    assert client.post(reverse("booking-generate", args=[campaign.code])).status_code == 403
    reconciliation = client.get(reverse("booking-reconciliation", args=[campaign.code]))
    text = reconciliation.content.decode()
    assert "驷马桥店" in text and "E012" in text and "¥1,000.00" in text
    assert "青羊宫店" not in text

    client.force_login(chain["clerk"].user)
    assert client.get(reverse("booking-reconciliation", args=[campaign.code])).status_code == 403
    assert client.get(reverse("booking-detail", args=[campaign.code])).status_code == 403


@pytest.mark.django_db
def test_api_gives_the_reconciliation_per_store_in_the_callers_region(
    client, chain, presale_orders
):
    campaign = make_campaign()
    book(chain["stores"][308], "E011", "2022-11-16 09:00:00", "2400.00")
    url = reverse("booking-reconciliation-list")

    client.force_login(chain["north_lead"].user)
    body = client.get(url, {"campaign": campaign.code}).json()
    assert [row["store_id"] for row in body["results"]] == [307, 308]
    store_308 = body["results"][1]
    assert (store_308["exported"], store_308["booked"], store_308["gap"]) == (
        "3400.00",
        "2400.00",
        "1000.00",
    )
    assert [d["order_no"] for d in store_308["differences"]] == ["E012"]
    assert client.get(url, {"campaign": campaign.code, "store": 512}).status_code == 404
    assert client.post(url, {"campaign": campaign.code}).status_code == 405

    client.force_login(chain["clerk"].user)
    assert client.get(url, {"campaign": campaign.code}).status_code == 403


@pytest.mark.celery_worker
def test_booking_sheets_job_runs_in_a_real_worker(celery_worker_process, chain, presale_orders):
    campaign = make_campaign()
    job = job_enqueue(
        kind=BOOKING_SHEETS, params={"campaign": campaign.pk}, user=chain["operations"].user
    )

    job = wait_until(
        lambda: Job.objects.filter(pk=job.pk, status=Job.Status.SUCCEEDED).first(), timeout=60
    )

    assert [entry["store_id"] for entry in job.result["mailed"]] == [307, 308]
    assert [entry["store_id"] for entry in job.result["without_mailbox"]] == [512]
    assert job.progress_done == job.progress_total == 3
    archive = zipfile.ZipFile(job.output.open("rb"))
    _, total, _ = sheet_rows(archive.read(booking_sheet_file_name(campaign, chain["stores"][308])))
    assert Decimal(str(total[3])).quantize(Decimal("0.01")) == Decimal("3400.00")

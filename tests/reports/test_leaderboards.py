"""Leaderboards (issue 6, items 2 and 4): the figures and ranks shown are the snapshots',
other regions answer 404, exports hold the page's rows, and no page's query count grows
with the number of stores."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from presale.models import Penalty, YouzanOrder
from reports.models import RegionDay, StaffDay, StoreDay
from reports.services import nightly_run
from stores.models import Region, Role, Staff, Store, User
from tests.factories import StaffFactory, region_lead_of
from tests.reports.test_nightly import FIRST, SECOND, chain  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def region_url(region, day=FIRST, **extra) -> str:
    query = "&".join(f"{key}={value}" for key, value in {"day": day, **extra}.items())
    return f"/reports/leaderboard/regions/{region.pk}/?{query}"


def table_rows(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return re.findall(r"<tr data-[a-z-]+=\"[^\"]+\" data-rank=\"\d+\">.*?</tr>", table, re.S)


def row_key(row: str) -> str:
    return re.search(r'data-(?:store-id|staff-no)="([^"]+)"', row).group(1)


def workbook_rows(response) -> list[list]:
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return sheet.to_python()[2:]  # the title line, then the headers


@pytest.fixture
def nights(chain):  # noqa: F811 - the fixture imported above
    nightly_run(campaign=chain, day=FIRST)
    nightly_run(campaign=chain, day=SECOND)
    return chain


@pytest.fixture
def north_lead():
    return region_lead_of(Region.objects.get(name="北门片"), staff_no="L001", name="王片长")


def test_region_page_shows_the_snapshot_figures_and_ranks(nights, north_lead, login):
    north = Region.objects.get(name="北门片")
    html = login(north_lead).get(region_url(north)).content.decode()

    rows = table_rows(html, "board-stores")
    assert [row_key(row) for row in rows] == ["308", "307"]
    s307 = StoreDay.objects.get(day=FIRST, store__store_id=307)
    row_307 = rows[1]
    assert f'data-rank="{s307.region_rank}"' in row_307
    assert "¥1,598.00" in row_307  # the day's presale and the sales to date
    assert "目标 ¥20,000.00" in row_307
    assert "8.0%" in row_307  # 1,598 / 20,000 = 7.99%
    assert "8.0% / 目标 80%" in row_307
    assert "西门" not in "".join(rows)
    staff_rows = table_rows(html, "board-staff")
    assert [row_key(row) for row in staff_rows] == ["S30702"]
    assert '<svg viewBox="0 0 640 250"' in html
    assert html.count('class="bar"') == 1  # one snapshot day so far


def test_rank_change_against_the_day_before(nights, north_lead, login):
    north = Region.objects.get(name="北门片")
    html = login(north_lead).get(region_url(north, day=SECOND)).content.decode()
    rows = table_rows(html, "board-stores")
    assert [row_key(row) for row in rows] == ["308", "307"]
    assert "持平" in rows[0]
    # 512 is alone in 西门一片 on both days; on the chain board it stays third.
    assert "当日挂0" in rows[0] and "当日挂0" in rows[1]


def test_zero_stores_and_open_penalties_of_the_region(nights, north_lead, login):
    north = Region.objects.get(name="北门片")
    clerk = Staff.objects.get(staff_no="S30702")
    Penalty.objects.create(
        campaign=nights, store=clerk.store, staff=clerk, zero_day=SECOND, due_on=SECOND
    )
    settled = StaffFactory(store=clerk.store, staff_no="S30703")
    Penalty.objects.create(
        campaign=nights,
        store=clerk.store,
        staff=settled,
        zero_day=SECOND,
        due_on=SECOND,
        exemption_reason="腰伤",
    )
    html = login(north_lead).get(region_url(north, day=SECOND)).content.decode()
    zero = table_rows(html, "board-zero")
    assert sorted(row_key(row) for row in zero) == ["307", "308"]
    penalties = re.search(r'<table id="board-penalties">(.*?)</table>', html, re.S).group(1)
    assert "S30702" in penalties and "S30703" not in penalties


def test_the_board_is_served_from_cache_until_the_nightly_job_rewrites_the_day(
    nights, north_lead, login
):
    north = Region.objects.get(name="北门片")
    client = login(north_lead)
    first_look = _queries(client, region_url(north))
    assert _queries(client, region_url(north)) < first_look

    YouzanOrder.objects.filter(store__store_id=307).update(refunded_amount=Decimal("598.00"))
    clerk = Staff.objects.get(staff_no="S30702")
    Penalty.objects.create(
        campaign=nights, store=clerk.store, staff=clerk, zero_day=FIRST, due_on=SECOND
    )
    html = client.get(region_url(north)).content.decode()
    # Until the nightly job runs the page shows the snapshots as they were written; a
    # penalty is not a snapshot and shows at once.
    assert "¥1,598.00" in table_rows(html, "board-stores")[1]
    penalties = re.search(r'<table id="board-penalties">(.*?)</table>', html, re.S).group(1)
    assert "S30702" in penalties

    nightly_run(campaign=nights, day=FIRST)
    rows = table_rows(client.get(region_url(north)).content.decode(), "board-stores")
    assert "¥1,000.00" in rows[1] and "¥1,598.00" not in rows[1]


def test_another_regions_page_is_404_for_a_region_lead(nights, north_lead, login):
    west = Region.objects.get(name="西门一片")
    client = login(north_lead)
    assert client.get(region_url(west)).status_code == 404
    assert client.get("/reports/leaderboard/stores/512/").status_code == 404
    assert client.get("/reports/leaderboard/stores/307/").status_code == 200
    entry = client.get("/reports/leaderboard/?day=2022-10-25")
    assert entry.status_code == 302
    assert entry.url == region_url(Region.objects.get(name="北门片"))
    api = client.get("/api/leaderboard-stores/", {"campaign": nights.code, "day": "2022-10-25"})
    assert [row["store_id"] for row in api.json()["results"]] == [308, 307]
    api_regions = client.get("/api/leaderboard-regions/", {"campaign": nights.code})
    assert [row["region_name"] for row in api_regions.json()["results"]] == ["北门片"]


def test_store_staff_see_their_card_and_not_the_region(nights, login):
    clerk = Staff.objects.get(staff_no="S30702")
    client = login(clerk)
    assert client.get(region_url(clerk.store.region)).status_code == 404
    page = client.get("/reports/leaderboard/", follow=True)
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == "/reports/leaderboard/me/"
    mine = StaffDay.objects.get(day=SECOND, staff=clerk)
    store = StoreDay.objects.get(day=SECOND, store=clerk.store)
    assert f"第 {mine.rank} 名" in html
    assert f"第 {store.region_rank} 名" in html and f"第 {store.rank} 名" in html
    assert "全公司 3 家店" in html
    home = client.get("/").content.decode()
    assert "/reports/leaderboard/" in home


def test_operations_drill_down_region_store_staff(nights, login):
    operations = StaffFactory(role=Role.OPERATIONS, store=None, staff_no="OPS1")
    client = login(operations)
    html = client.get("/reports/leaderboard/?day=2022-10-25").content.decode()
    north = RegionDay.objects.get(day=FIRST, region__name="北门片")
    assert re.search(r'data-rank="1">.*?北门片', html, re.S)
    assert f"/reports/leaderboard/regions/{north.region_id}/" in html
    region_html = client.get(region_url(north.region)).content.decode()
    assert "/reports/leaderboard/stores/307/" in region_html
    store_html = client.get("/reports/leaderboard/stores/307/?day=2022-10-25").content.decode()
    assert [row_key(row) for row in table_rows(store_html, "board-staff")] == ["S30702"]


def test_a_day_outside_the_campaign_is_refused_with_a_message(nights, north_lead, login):
    north = Region.objects.get(name="北门片")
    html = login(north_lead).get(region_url(north, day="2021-01-01")).content.decode()
    assert "请选择活动期内的日期" in html
    # The page falls back to the latest snapshot day.
    assert "10月26日" in html


@pytest.mark.parametrize("table", ["stores", "staff", "zero"])
def test_export_holds_the_rows_of_the_page(nights, north_lead, login, table):
    north = Region.objects.get(name="北门片")
    client = login(north_lead)
    html = client.get(region_url(north, day=SECOND)).content.decode()
    page_rows = table_rows(html, f"board-{table}")
    response = client.get(region_url(north, day=SECOND, export="xlsx", table=table))
    assert response["Content-Disposition"].startswith("attachment")
    rows = workbook_rows(response)
    assert len(rows) == len(page_rows)
    for row, shown in zip(rows, page_rows, strict=True):
        key = str(row[1]) if table == "staff" else str(int(row[1]))
        assert key == row_key(shown)
        assert f'data-rank="{int(row[0])}"' in shown
        amount = Decimal(str(row[5 if table == "staff" else 4])).quantize(Decimal("0.01"))
        assert f"¥{amount:,.2f}" in shown


def test_export_of_regions_matches_the_snapshots(nights, login):
    operations = StaffFactory(role=Role.OPERATIONS, store=None, staff_no="OPS1")
    response = login(operations).get("/reports/leaderboard/?day=2022-10-25&export=xlsx")
    rows = workbook_rows(response)
    expected = RegionDay.objects.filter(day=FIRST).order_by("rank")
    assert [(int(row[0]), row[1]) for row in rows] == [(r.rank, r.region.name) for r in expected]


def _bulk_chain(campaign, region: Region, count: int, start: int) -> None:
    """`count` stores of `region`, one clerk each, with two days of snapshots."""
    stores = Store.objects.bulk_create(
        Store(store_id=start + index, name=f"批量门店{start + index}", region=region)
        for index in range(count)
    )
    users = User.objects.bulk_create(
        User(username=f"B{store.store_id}", password="!") for store in stores
    )
    staff = Staff.objects.bulk_create(
        Staff(user=user, staff_no=user.username, name="批量", role=Role.CLERK, store=store)
        for user, store in zip(users, stores, strict=True)
    )
    figures = {"presale_amount": Decimal("10.00"), "target": Decimal("1000.00")}
    for day in (FIRST, SECOND):
        StoreDay.objects.bulk_create(
            StoreDay(
                campaign=campaign, day=day, store=store, rank=index, region_rank=index, **figures
            )
            for index, store in enumerate(stores, start=start)
        )
        StaffDay.objects.bulk_create(
            StaffDay(
                campaign=campaign, day=day, staff=person, store=person.store, rank=index, **figures
            )
            for index, person in enumerate(staff, start=start)
        )
        RegionDay.objects.get_or_create(
            campaign=campaign, day=day, region=region, defaults={"rank": 9, **figures}
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_stores(nights, north_lead, login):
    north = Region.objects.get(name="北门片")
    operations = StaffFactory(role=Role.OPERATIONS, store=None, staff_no="OPS1")
    lead_client = login(north_lead)
    region_page = region_url(north, day=SECOND)
    pages = ["/reports/leaderboard/?day=2022-10-26", "/reports/leaderboard/stores/307/"]
    apis = [f"/api/leaderboard-{kind}/?day=2022-10-26" for kind in ("stores", "staff", "regions")]

    def measure() -> list[int]:
        # The first look at the region's board after a nightly run: nothing cached yet.
        cache.clear()
        # A fresh user object each time, so the cached scope is rebuilt as on a new request.
        counts = [_queries(login(north_lead), region_page)]
        ops = login(operations)
        counts += [_queries(ops, url) for url in [*pages, *apis]]
        clerk = Staff.objects.get(staff_no="S30702")
        counts.append(_queries(login(clerk), "/reports/leaderboard/me/?day=2022-10-26"))
        return counts

    _bulk_chain(nights, north, 10, start=10_000)
    with_ten = measure()
    _bulk_chain(nights, north, 490, start=20_000)
    assert StoreDay.objects.filter(day=SECOND, store__region=north).count() == 502
    assert measure() == with_ten
    assert lead_client is not None


def test_pages_and_days(nights, north_lead, login):
    north = Region.objects.get(name="北门片")
    _bulk_chain(nights, north, 40, start=10_000)
    client = login(north_lead)
    html = client.get(region_url(north, day=SECOND)).content.decode()
    assert len(table_rows(html, "board-stores")) == 30
    assert "第 1 / 2 页，共 42 行" in html
    second = client.get(region_url(north, day=SECOND, page=2)).content.decode()
    assert len(table_rows(second, "board-stores")) == 12
    sorted_html = client.get(region_url(north, day=SECOND, sort="zero")).content.decode()
    assert "aria-current" in sorted_html
    assert client.get(region_url(north, day=datetime.date(2022, 11, 1))).status_code == 200

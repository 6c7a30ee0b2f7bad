"""Reviewing, approving and exporting a settlement (issue 7, items 3–5): who sees which lines,
who approves, the lock on an approved version by page, API and command, the comparison of
versions after a refund, and the workbook."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from common.jobs import job_enqueue, job_run
from common.models import Job
from presale.models import YouzanOrder
from rewards.jobs import SETTLEMENT_WORKBOOK
from rewards.models import SettlementLine, SettlementRun
from rewards.services import settlement_approve, settlement_run
from stores.models import Role
from tests.factories import RegionFactory, StaffFactory, StoreFactory, region_lead_of
from tests.rewards.factories import (
    DOCUMENT_RULES,
    PRESALE_FIRST,
    at,
    booking,
    campaign_with,
    order,
    region_target,
    store_target,
)

pytestmark = pytest.mark.django_db

FORMULA_NOTE = '=HYPERLINK("http://x")'


@pytest.fixture
def chain():
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    s307, s308 = StoreFactory(store_id=307, region=north), StoreFactory(store_id=308, region=north)
    s512 = StoreFactory(store_id=512, region=west)
    people = {
        "clerk": StaffFactory(store=s307, staff_no="S30701", name="李店员"),
        "colleague": StaffFactory(store=s307, staff_no="S30702", name="赵店员"),
        "manager": StaffFactory(store=s307, staff_no="S30700", role=Role.STORE_MANAGER),
        "other_clerk": StaffFactory(store=s512, staff_no="S51201"),
        "lead": region_lead_of(north, staff_no="L001", name="王片长"),
        "finance": StaffFactory(role=Role.FINANCE, store=None, staff_no="CW001", name="蔡财务"),
        "operations": StaffFactory(role=Role.OPERATIONS, store=None, staff_no="YY001"),
    }
    campaign = campaign_with(*DOCUMENT_RULES)
    region_target(campaign, north, "30000.00")
    region_target(campaign, west, "5000.00")
    for store in (s307, s308, s512):
        store_target(campaign, store, "10000.00")
    sold = order(s307, at(PRESALE_FIRST, "10:05"), "1598.00", staff=people["clerk"])
    YouzanOrder.objects.filter(pk=sold.pk).update(buyer_note=FORMULA_NOTE)
    order(s307, at(PRESALE_FIRST, "11:00"), "698.00", staff=people["colleague"])
    order(s512, at(PRESALE_FIRST, "09:00"), "3198.00", staff=people["other_clerk"])
    booking(sold, at(campaign.booking_start, "10:00"))
    return {"campaign": campaign, "order": sold, **people}


@pytest.fixture
def run(chain):
    return settlement_run(campaign=chain["campaign"])


def api_lines(client, run) -> list[dict]:
    response = client.get(f"/api/settlement-lines/?run={run.pk}")
    assert response.status_code == 200
    return response.json()["results"]


def test_a_clerk_sees_only_their_own_lines_and_a_manager_their_stores(chain, run, login):
    mine = {(line["kind"], line["recipient"]) for line in api_lines(login(chain["clerk"]), run)}
    assert mine and {recipient for _, recipient in mine} == {"S30701"}
    page = login(chain["clerk"]).get(f"/settlements/{run.pk}/").content.decode()
    assert "S30701" in page and "S30702" not in page and "S51201" not in page

    store_lines = api_lines(login(chain["manager"]), run)
    assert {line["recipient"] for line in store_lines} >= {"S30701", "S30702", "307"}
    assert all(line["store_id"] == 307 for line in store_lines)


def test_a_region_lead_sees_the_regions_lines_only(chain, run, login):
    lines = api_lines(login(chain["lead"]), run)
    assert {line["region"] for line in lines} == {"北门片"}
    assert "北门片" in {line["recipient"] for line in lines if line["recipient_type"] == "region"}


def test_another_stores_clerk_gets_404_on_a_line_of_this_store(chain, run, login):
    line = run.lines.filter(recipient="S30701").first()
    client = login(chain["other_clerk"])
    assert client.get(f"/settlements/lines/{line.pk}/").status_code == 404
    response = client.get(f"/api/settlement-lines/{line.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "找不到该结算明细。"}
    own = login(chain["clerk"]).get(f"/settlements/lines/{line.pk}/")
    assert own.status_code == 200 and chain["order"].order_no in own.content.decode()


@pytest.mark.parametrize("who", ["clerk", "lead", "operations"])
def test_only_finance_approves_by_page_and_api(chain, run, login, who):
    client = login(chain[who])
    response = client.post(f"/api/settlement-runs/{run.pk}/approve/")
    assert response.status_code == 403
    assert response.json() == {"detail": "只有财务可以审批或删除结算版本。"}
    assert client.post(f"/settlements/{run.pk}/approve/").status_code == 403
    run.refresh_from_db()
    assert run.status == SettlementRun.Status.DRAFT and run.approved_by is None


def test_finance_approves_and_the_stamp_is_recorded(chain, run, login):
    client = login(chain["finance"])
    response = client.post(f"/settlements/{run.pk}/approve/", follow=True)
    assert "第 1 版结算已审批并锁定。" in response.content.decode()
    run.refresh_from_db()
    assert run.locked and run.approved_by == chain["finance"] and run.approved_at is not None
    page = client.get(f"/settlements/{run.pk}/").content.decode()
    assert "已审批：蔡财务（CW001）" in page
    assert "审批并锁定" not in page


def _frozen(run) -> list[tuple]:
    return list(
        SettlementLine.objects.filter(run=run)
        .order_by("position")
        .values_list("kind", "recipient", "direction", "amount", "facts")
    )


def test_after_approval_a_refund_gives_a_new_version_and_the_old_one_is_locked(chain, run, login):
    settlement_approve(run=run, user=chain["finance"].user)
    approved_lines = _frozen(run)
    YouzanOrder.objects.filter(pk=chain["order"].pk).update(refunded_amount=Decimal("598.00"))

    call_command("settle", chain["campaign"].code)
    newer = SettlementRun.objects.get(campaign=chain["campaign"], version=2)
    assert newer.status == SettlementRun.Status.DRAFT
    assert _frozen(run) == approved_lines

    finance = login(chain["finance"])
    compare = finance.get(f"/settlements/{newer.pk}/compare/{run.pk}/").content.decode()
    # The receipt drops from the 1,598 tier (30) to the 698 tier (10) and the store's booking
    # of 1,598 now covers more than its presale.
    assert "单笔满额奖" in compare and "¥30.00" in compare and "¥10.00" in compare
    assert "net: 1598.00 → 1000.00" in compare
    assert "tier: 1598.00 → 698.00" in compare


def test_an_approved_version_cannot_be_changed_by_page_api_or_command(chain, run, login):
    settlement_approve(run=run, user=chain["finance"].user)
    before = _frozen(run)
    finance = login(chain["finance"])

    page = finance.post(f"/settlements/{run.pk}/discard/", follow=True).content.decode()
    assert "已锁定，不能修改" in page
    again = finance.post(f"/settlements/{run.pk}/approve/", follow=True).content.decode()
    assert "已锁定，不能修改" in again

    for response in (
        finance.delete(f"/api/settlement-runs/{run.pk}/"),
        finance.post(f"/api/settlement-runs/{run.pk}/approve/"),
    ):
        assert response.status_code == 409
        assert "已锁定，不能修改" in response.json()["detail"]
    assert (
        finance.patch(
            f"/api/settlement-runs/{run.pk}/", {"status": "draft"}, content_type="application/json"
        ).status_code
        == 405
    )

    with pytest.raises(CommandError, match="已锁定，不能修改"):
        call_command("settle", chain["campaign"].code, "--discard", "1", "--as", "CW001")
    run.refresh_from_db()
    assert run.locked and _frozen(run) == before


def test_a_draft_is_discarded_by_finance(chain, run, login):
    response = login(chain["finance"]).delete(f"/api/settlement-runs/{run.pk}/")
    assert response.status_code == 204
    assert not SettlementRun.objects.filter(pk=run.pk).exists()


def _workbook(path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def test_the_workbook_has_the_summary_kind_sheets_stamp_and_text_never_a_formula(
    chain, run, tmp_path
):
    settlement_approve(run=run, user=chain["finance"].user)
    path = tmp_path / "settlement.xlsx"
    call_command("export_settlement", chain["campaign"].code, "--version", "1", "--out", str(path))
    book = _workbook(path)
    assert book.sheetnames[:2] == ["汇总", "门店汇总"]
    assert {"单笔满额奖", "成长金", "每日首单奖"} <= set(book.sheetnames)
    summary = book["汇总"]
    assert "第 1 版" in summary["A1"].value and "已审批" in summary["A2"].value
    assert "蔡财务（CW001）" in summary["A2"].value
    total_row = next(row for row in summary.iter_rows(values_only=True) if row[0] == "合计")
    assert (Decimal(str(total_row[1])), Decimal(str(total_row[2]))) == (
        run.pay_total,
        run.owe_total,
    )

    tiers = book["单笔满额奖"]
    headers = [cell.value for cell in tiers[3]]
    note_column = headers.index("买家备注")
    amount_column = headers.index("金额")
    cells = [row for row in tiers.iter_rows(min_row=4) if row[note_column].value == FORMULA_NOTE]
    assert len(cells) == 1
    assert cells[0][note_column].data_type == "s"
    assert cells[0][amount_column].number_format.endswith("0.00")
    assert isinstance(cells[0][amount_column].value, int | float)


def test_the_workbook_is_written_in_the_worker_with_progress_and_downloads(chain, run, login):
    finance = login(chain["finance"])
    response = finance.post(f"/api/settlement-runs/{run.pk}/workbook/")
    assert response.status_code == 202
    job = job_run(response.json()["job"])
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress_done == job.progress_total == run.line_count
    download = finance.get(f"/jobs/{job.pk}/download/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames[0] == "汇总"


def test_store_staff_cannot_download_the_workbook(chain, run, login):
    response = login(chain["clerk"]).post(f"/api/settlement-runs/{run.pk}/workbook/")
    assert response.status_code == 403
    assert not Job.objects.filter(kind=SETTLEMENT_WORKBOOK).exists()
    job = job_enqueue(kind=SETTLEMENT_WORKBOOK, params={"run": 0})
    assert job_run(job.pk).message == "找不到该结算版本。"


def test_settle_json_prints_the_formats_summary(chain, capsys):
    call_command("settle", chain["campaign"].code, "--json")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["campaign"], summary["version"], summary["status"]) == (
        chain["campaign"].code,
        1,
        "draft",
    )
    tier = next(line for line in summary["lines"] if line["kind"] == "receipt_tier")
    assert set(tier) == {"kind", "recipient_type", "recipient", "direction", "amount", "facts"}
    pay = sum(Decimal(line["amount"]) for line in summary["lines"] if line["direction"] == "pay")
    assert Decimal(summary["totals"]["pay"]) == pay


def test_finance_reaches_the_settlements_from_the_home_page(chain, run, login):
    home = login(chain["finance"]).get("/").content.decode()
    assert 'href="/settlements/"' in home
    listing = login(chain["finance"]).get("/settlements/").content.decode()
    assert f'href="/settlements/{run.pk}/"' in listing and "待审批" in listing

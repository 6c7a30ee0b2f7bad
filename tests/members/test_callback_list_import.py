"""Callback lists (指定会员回访登记): named lists of members to call."""

import datetime
from decimal import Decimal

import pytest

from members.models import CallbackList, CallbackListEntry
from tests.factories import StoreFactory
from tests.sheetfiles import CALLBACK_HEADERS, import_sheet, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    ["C001", "13800138001", 307, datetime.date(2022, 9, 30), 1598],
    ["C002", "138-0013-8002", 307, "2022/08/15", "¥698.00"],
    ["C003", "\t13800138003", 512, None, None],
]


@pytest.fixture(autouse=True)
def stores():
    return {store_id: StoreFactory(store_id=store_id) for store_id in (307, 512)}


def list_file(path, rows=ROWS):
    return write_xlsx(path, [CALLBACK_HEADERS, *rows])


def entries(list_name: str) -> dict[str, tuple]:
    return {
        e.member_id: (e.phone, e.store.store_id, e.last_purchase_on, e.spend_last_year)
        for e in CallbackListEntry.objects.filter(callback_list=list_name).select_related("store")
    }


def test_the_list_is_named_after_the_file(tmp_path):
    run = import_sheet(list_file(tmp_path / "20221009.xlsx"), "--json")

    assert (run.status, run.json["kind"], run.json["created"]) == (0, "callback-list", 3)
    assert list(CallbackList.objects.values_list("name", flat=True)) == ["20221009"]
    assert entries("20221009") == {
        "C001": ("13800138001", 307, datetime.date(2022, 9, 30), Decimal("1598.00")),
        "C002": ("13800138002", 307, datetime.date(2022, 8, 15), Decimal("698.00")),
        "C003": ("13800138003", 512, None, None),
    }


def test_the_list_name_can_be_given(tmp_path):
    run = import_sheet(list_file(tmp_path / "回访名单.xlsx"), "--list-name", "国庆回访")

    assert run.status == 0
    assert list(CallbackList.objects.values_list("name", flat=True)) == ["国庆回访"]
    assert set(entries("国庆回访")) == {"C001", "C002", "C003"}


def test_entries_are_keyed_by_list_and_card_number(tmp_path):
    path = list_file(tmp_path / "20221009.xlsx")
    import_sheet(path)
    import_sheet(path, "--list-name", "20221016")
    changed = [["C001", "13800138001", 512, "2022-10-01", "1,998.00"], *ROWS[1:]]

    run = import_sheet(list_file(tmp_path / "20221009.xlsx", changed), "--json")

    assert (run.json["created"], run.json["updated"], run.json["unchanged"]) == (0, 1, 2)
    assert CallbackListEntry.objects.count() == 6
    assert entries("20221009")["C001"] == (
        "13800138001",
        512,
        datetime.date(2022, 10, 1),
        Decimal("1998.00"),
    )
    assert entries("20221016")["C001"][1:] == (307, datetime.date(2022, 9, 30), Decimal("1598.00"))


def test_reimporting_a_list_changes_nothing(tmp_path):
    path = write_csv(
        tmp_path / "20221009.csv",
        [CALLBACK_HEADERS, *([str(v) if v is not None else "" for v in row] for row in ROWS)],
        encoding="gb18030",
    )
    assert import_sheet(path).status == 0

    text = import_sheet(path)
    run = import_sheet(path, "--json")

    assert "没有任何改动" in text.stdout
    assert (run.status, run.json["created"], run.json["updated"], run.json["unchanged"]) == (
        0,
        0,
        0,
        3,
    )
    assert CallbackListEntry.objects.count() == 3


def test_an_entry_with_an_invalid_phone_is_rejected(tmp_path):
    rows = [*ROWS, ["C004", "1380013800", 307, None, None]]

    run = import_sheet(list_file(tmp_path / "20221009.xlsx", rows), "--json")
    skipped = import_sheet(list_file(tmp_path / "20221009.xlsx", rows), "--skip-invalid", "--json")

    assert run.status == 1
    assert run.json["errors"] == [
        {"row": 5, "column": "手机号", "message": "'1380013800' 不是有效的手机号"}
    ]
    assert (skipped.status, skipped.json["created"], skipped.json["rejected"]) == (0, 3, 1)
    assert set(entries("20221009")) == {"C001", "C002", "C003"}


def test_an_entry_without_a_phone_is_rejected(tmp_path):
    rows = [*ROWS, ["C004", None, 307, None, None]]

    run = import_sheet(list_file(tmp_path / "20221009.xlsx", rows), "--json")

    assert run.json["errors"] == [{"row": 5, "column": "手机号", "message": "不能为空"}]
    assert not CallbackList.objects.exists()


def test_a_card_twice_in_one_list_is_reported_by_its_column(tmp_path):
    rows = [*ROWS, ["C001", "13800138009", 512, None, None]]

    run = import_sheet(list_file(tmp_path / "20221009.xlsx", rows), "--json")

    assert run.status == 1
    assert run.json["errors"] == [{"row": 5, "column": "会员卡号", "message": "与第 2 行重复"}]
    assert not CallbackListEntry.objects.exists()

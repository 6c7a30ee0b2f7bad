"""The POS member master (会员资料): one member per card number."""

import datetime

import pytest

from members.models import Member
from tests.factories import StoreFactory
from tests.sheetfiles import MEMBER_HEADERS, import_sheet, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stores():
    return {store_id: StoreFactory(store_id=store_id) for store_id in (307, 512)}


def member_file(path, *rows):
    return write_xlsx(path, [MEMBER_HEADERS, *rows])


def members() -> dict[str, tuple]:
    return {
        m.card_no: (m.name, m.phone, m.store.store_id, m.joined_on, m.points)
        for m in Member.objects.select_related("store")
    }


def counts(summary: dict) -> tuple:
    return summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]


def test_members_are_created_by_card_number(tmp_path):
    path = member_file(
        tmp_path / "会员资料.xlsx",
        ["C001", "张三", "13800138000", 307, datetime.date(2020, 1, 2), 120],
        ["C002", "李四", "13800138001", 512, None, None],
    )

    run = import_sheet(path, "--json")

    assert (run.status, counts(run.json)) == (0, (2, 0, 0, 0))
    assert members() == {
        "C001": ("张三", "13800138000", 307, datetime.date(2020, 1, 2), 120),
        "C002": ("李四", "13800138001", 512, None, None),
    }


def test_a_later_master_updates_members_by_card_number(tmp_path):
    import_sheet(
        member_file(
            tmp_path / "1009.xlsx",
            ["C001", "张三", "13800138000", 307, None, 120],
            ["C002", "李四", "13800138001", 512, None, 5],
        )
    )
    kept_pk = Member.objects.get(card_no="C001").pk
    later = member_file(
        tmp_path / "1010.xlsx",
        ["C001", "张三", "13900139000", 512, None, 150],
        ["C002", "李四", "13800138001", 512, None, 5],
        ["C003", "王五", "13800138002", 307, None, 0],
    )

    run = import_sheet(later, "--json")

    assert (run.status, counts(run.json)) == (0, (1, 1, 1, 0))
    assert Member.objects.get(card_no="C001").pk == kept_pk
    assert members()["C001"] == ("张三", "13900139000", 512, None, 150)
    assert Member.objects.count() == 3
    again = import_sheet(later)
    assert "没有任何改动" in again.stdout


def test_a_member_with_an_invalid_phone_is_kept_without_one(tmp_path):
    path = member_file(
        tmp_path / "会员资料.xlsx",
        ["C001", "张三", "1380013800", 307, None, None],
        ["C002", "李四", "010-62345678", 307, None, None],
        ["C003", "王五", None, 307, None, None],
    )

    run = import_sheet(path, "--json")

    assert (run.status, counts(run.json)) == (0, (3, 0, 0, 0))
    assert dict(Member.objects.values_list("card_no", "phone")) == {
        "C001": "",
        "C002": "",
        "C003": "",
    }


def test_two_members_with_the_same_phone_in_one_file_are_rejected(tmp_path):
    path = member_file(
        tmp_path / "会员资料.xlsx",
        ["C001", "张三", "13800138000", 307, None, None],
        ["C002", "李四", "13800138001", 307, None, None],
        ["C003", "王五", "138 0013 8000", 512, None, None],
    )

    run = import_sheet(path, "--json")

    assert run.status == 1
    assert run.json["errors"] == [
        {"row": 4, "column": "手机号", "message": "手机号 13800138000 与第 2 行的会员重复"}
    ]
    assert not Member.objects.exists()
    assert import_sheet(path, "--skip-invalid").status == 0
    assert set(members()) == {"C001", "C002"}


def test_a_phone_that_belongs_to_another_member_already_is_rejected(tmp_path):
    import_sheet(member_file(tmp_path / "1009.xlsx", ["C001", "张三", "13800138000", 307, None, 1]))
    path = member_file(
        tmp_path / "1010.xlsx",
        ["C003", "王五", "13800138003", 307, None, None],
        ["C002", "李四", "+86 138-0013-8000", 512, None, None],
    )

    run = import_sheet(path, "--json")

    assert run.status == 1
    assert run.json["errors"] == [
        {"row": 3, "column": "手机号", "message": "该手机号已属于会员 C001"}
    ]
    assert members() == {"C001": ("张三", "13800138000", 307, None, 1)}


def test_a_card_number_twice_in_one_file_is_rejected(tmp_path):
    path = member_file(
        tmp_path / "会员资料.xlsx",
        ["C001", "张三", "", 307, None, None],
        ["C002", "李四", "", 307, None, None],
        ["C001", "张三", "", 512, None, None],
    )

    run = import_sheet(path, "--json")

    assert run.status == 1
    assert run.json["errors"] == [{"row": 4, "column": "会员卡号", "message": "与第 2 行重复"}]
    assert not Member.objects.exists()


def test_an_unknown_store_id_is_rejected_naming_the_id(tmp_path):
    path = member_file(
        tmp_path / "会员资料.xlsx",
        ["C001", "张三", "13800138000", 307, None, None],
        ["C002", "李四", "13800138001", 1307, None, None],
    )

    run = import_sheet(path, "--json")

    assert run.status == 1
    assert run.json["errors"] == [
        {
            "row": 3,
            "column": "开卡门店ID",
            "message": "门店ID 1307 不存在，请先导入门店与员工名单",
        }
    ]
    assert not Member.objects.exists()

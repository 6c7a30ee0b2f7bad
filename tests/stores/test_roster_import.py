"""The org roster (门店与员工): regions, stores, staff and their logins from one file."""

import pytest

from stores.models import Region, Role, Staff, Store, User
from tests.factories import StoreFactory
from tests.sheetfiles import ROSTER_HEADERS, import_sheet, write_xlsx

pytestmark = pytest.mark.django_db

NORTH_307 = ["北门片", 307, "北门店", "13911110307", "md307@example.cn"]
ROSTER = [
    [*NORTH_307, "S30701", "王店长", "店长", "13800000001"],
    [*NORTH_307, "S30702", "李店员", "店员", "13800000002"],
    ["北门片", 308, "北关店", "13911110308", "md308@example.cn", "S30801", "赵店员", "店员", None],
    ["西门一片", 512, "西门店", "13911110512", None, "S51201", "钱店长", "店长", "13800000003"],
    ["北门片", None, None, None, None, "P001", "孙片长", "片长", "13800000004"],
    [None, None, None, None, None, "Y001", "周营运", "营运部", "13800000005"],
    [None, None, None, None, None, "F001", "吴财务", "财务", None],
]


def roster_file(path, rows=ROSTER):
    return write_xlsx(path, [ROSTER_HEADERS, *rows])


def counts(summary: dict) -> tuple:
    return summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]


def test_the_roster_creates_regions_stores_and_staff_with_logins(tmp_path):
    run = import_sheet(roster_file(tmp_path / "门店与员工.xlsx"), "--json")

    assert (run.status, run.json["kind"], counts(run.json)) == (0, "org", (7, 0, 0, 0))
    assert set(Region.objects.values_list("name", flat=True)) == {"北门片", "西门一片"}
    assert {
        s.store_id: (s.region.name, s.name, s.public_phone, s.mailbox)
        for s in Store.objects.select_related("region")
    } == {
        307: ("北门片", "北门店", "13911110307", "md307@example.cn"),
        308: ("北门片", "北关店", "13911110308", "md308@example.cn"),
        512: ("西门一片", "西门店", "13911110512", ""),
    }
    assert {
        s.staff_no: (s.name, s.role, s.store.store_id if s.store else None, s.phone)
        for s in Staff.objects.select_related("store")
    } == {
        "S30701": ("王店长", Role.STORE_MANAGER, 307, "13800000001"),
        "S30702": ("李店员", Role.CLERK, 307, "13800000002"),
        "S30801": ("赵店员", Role.CLERK, 308, ""),
        "S51201": ("钱店长", Role.STORE_MANAGER, 512, "13800000003"),
        "P001": ("孙片长", Role.REGION_LEAD, None, "13800000004"),
        "Y001": ("周营运", Role.OPERATIONS, None, "13800000005"),
        "F001": ("吴财务", Role.FINANCE, None, ""),
    }


def test_each_staff_member_logs_in_with_their_sales_id(tmp_path):
    import_sheet(roster_file(tmp_path / "门店与员工.xlsx"))

    users = {u.username: u for u in User.objects.select_related("staff")}
    assert set(users) == {"S30701", "S30702", "S30801", "S51201", "P001", "Y001", "F001"}
    assert all(user.staff.staff_no == name for name, user in users.items())
    assert not any(user.has_usable_password() for user in users.values())


def test_a_region_lead_row_makes_its_staff_member_the_regions_lead(tmp_path):
    import_sheet(roster_file(tmp_path / "门店与员工.xlsx"))

    north = Region.objects.select_related("lead").get(name="北门片")
    assert north.lead.staff_no == "P001"
    assert Region.objects.get(name="西门一片").lead is None


def test_operations_and_finance_rows_have_no_store_even_when_one_is_filled_in(tmp_path):
    rows = [*ROSTER[:4], [*NORTH_307, "Y002", "郑营运", "营运部", None]]

    assert import_sheet(roster_file(tmp_path / "门店与员工.xlsx", rows)).status == 0

    assert Staff.objects.get(staff_no="Y002").store is None
    assert Staff.objects.get(staff_no="Y002").role == Role.OPERATIONS


def test_reimporting_the_same_roster_changes_nothing(tmp_path):
    path = roster_file(tmp_path / "门店与员工.xlsx")
    import_sheet(path)

    text = import_sheet(path)
    run = import_sheet(path, "--json")

    assert "没有任何改动" in text.stdout
    assert (run.status, counts(run.json)) == (0, (0, 0, 7, 0))
    assert (Staff.objects.count(), Store.objects.count(), User.objects.count()) == (7, 3, 7)


def test_a_renamed_store_counts_its_staff_rows_as_updated(tmp_path):
    import_sheet(roster_file(tmp_path / "1001.xlsx"))
    renamed = [["北门片", 307, "北门大药房", *row[3:]] if row[1] == 307 else row for row in ROSTER]

    run = import_sheet(roster_file(tmp_path / "1101.xlsx", renamed), "--json")

    assert (run.status, counts(run.json)) == (0, (0, 2, 5, 0))
    assert Store.objects.get(store_id=307).name == "北门大药房"
    assert Store.objects.count() == 3


def test_a_staff_member_moving_store_is_updated(tmp_path):
    import_sheet(roster_file(tmp_path / "1001.xlsx"))
    moved = [*ROSTER]
    moved[1] = ["北门片", 308, "北关店", "13911110308", "md308@example.cn", *ROSTER[1][5:]]

    run = import_sheet(roster_file(tmp_path / "1101.xlsx", moved), "--json")

    assert (run.status, counts(run.json)) == (0, (0, 1, 6, 0))
    assert Staff.objects.get(staff_no="S30702").store.store_id == 308


def test_a_store_described_differently_on_two_rows_is_rejected(tmp_path):
    rows = [*ROSTER]
    rows[1] = ["北门片", 307, "北门大药房", *ROSTER[1][3:]]

    run = import_sheet(roster_file(tmp_path / "门店与员工.xlsx", rows), "--json")

    assert run.status == 1
    assert run.json["errors"] == [
        {
            "row": 3,
            "column": "门店ID",
            "message": "门店 307 的片区、名称、公共手机或邮箱与第 2 行不一致",
        }
    ]
    assert not Store.objects.exists() and not Staff.objects.exists()


def test_a_public_phone_bound_to_another_store_is_rejected(tmp_path):
    other = StoreFactory(store_id=900, public_phone="13911110308")

    run = import_sheet(roster_file(tmp_path / "门店与员工.xlsx"), "--json")

    assert run.status == 1
    assert run.json["errors"] == [
        {"row": 4, "column": "公共手机号", "message": "公共手机 13911110308 已绑定门店 900"}
    ]
    assert list(Store.objects.all()) == [other]
    assert not Staff.objects.exists()


def test_one_public_phone_given_to_two_stores_in_the_file_is_rejected(tmp_path):
    rows = [*ROSTER]
    rows[2] = ["北门片", 308, "北关店", "13911110307", *ROSTER[2][4:]]

    run = import_sheet(roster_file(tmp_path / "门店与员工.xlsx", rows), "--json")

    assert run.json["errors"] == [
        {"row": 4, "column": "公共手机号", "message": "公共手机 13911110307 同时填给了门店 307"}
    ]


def test_a_public_phone_can_move_between_stores_in_one_roster(tmp_path):
    import_sheet(roster_file(tmp_path / "1001.xlsx"))
    swapped = [*ROSTER]
    for index in (0, 1):
        swapped[index] = ["北门片", 307, "北门店", "13911110308", *ROSTER[index][4:]]
    swapped[2] = ["北门片", 308, "北关店", "13911110307", *ROSTER[2][4:]]

    run = import_sheet(roster_file(tmp_path / "1101.xlsx", swapped), "--json")

    assert (run.status, counts(run.json)) == (0, (0, 3, 4, 0))
    assert dict(Store.objects.values_list("store_id", "public_phone")) == {
        307: "13911110308",
        308: "13911110307",
        512: "13911110512",
    }


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (
            ["北门片", None, None, None, None, "S30703", "新店员", "店员", None],
            {"row": 9, "column": "门店ID", "message": "店员必须填写门店ID"},
        ),
        (
            [None, None, None, None, None, "P002", "新片长", "片长", None],
            {"row": 9, "column": "片区", "message": "片长必须填写片区"},
        ),
        (
            ["北门片", None, None, None, None, "P002", "新片长", "片长", None],
            {"row": 9, "column": "片区", "message": "北门片 已在第 6 行指定片长"},
        ),
        (
            [None, None, None, None, None, "X001", "新人", "实习生", None],
            {
                "row": 9,
                "column": "岗位",
                "message": "'实习生' 不是有效的岗位（可选：店员、店长、片长、营运部、财务）",
            },
        ),
        (
            [None, None, None, None, None, "Y009", "新营运", "营运部", "1380000000"],
            {"row": 9, "column": "员工手机号", "message": "'1380000000' 不是有效的手机号"},
        ),
    ],
)
def test_rows_that_cannot_be_used_are_reported(tmp_path, row, error):
    run = import_sheet(roster_file(tmp_path / "门店与员工.xlsx", [*ROSTER, row]), "--json")

    assert run.status == 1
    assert run.json["errors"] == [error]
    assert not Staff.objects.exists()

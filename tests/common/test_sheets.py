"""The reading rules of formats.md, "Spreadsheet formats", each through a real file."""

import datetime
import os
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from common import importing
from common.importing import Field, import_file
from common.sheets import normalize_header
from members.importers import MembersKind
from members.models import CallbackListEntry, Member, SaleLine
from tests.factories import StoreFactory
from tests.sheetfiles import (
    CALLBACK_HEADERS,
    MEMBER_HEADERS,
    POS_HEADERS,
    ROSTER_HEADERS,
    import_sheet,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def stores():
    return {store_id: StoreFactory(store_id=store_id) for store_id in (307, 512)}


def members_in_db() -> dict[str, tuple]:
    return {
        m.card_no: (m.name, m.phone, m.store.store_id)
        for m in Member.objects.select_related("store")
    }


def import_members(path, *args):
    run = import_sheet(path, "--kind", "members", "--json", *args)
    return run, run.json


# Headers


def test_headers_match_after_trimming_spaces_tabs_full_width_spaces_and_folding_ascii(
    tmp_path, stores
):
    headers = [" 会员卡号 ", "会员 姓名", "\t手机号\t", "\u3000开卡门店ＩＤ\u3000", "积\u3000分"]
    path = write_xlsx(tmp_path / "会员.xlsx", [headers, ["C001", "张三", "13800138000", 307, 12]])

    run = import_sheet(path, "--json")

    assert run.status == 0, run.stdout
    assert (run.json["kind"], run.json["created"]) == ("members", 1)
    member = Member.objects.get(card_no="C001")
    assert (member.name, member.phone, member.store.store_id, member.points) == (
        "张三",
        "13800138000",
        307,
        12,
    )


@pytest.fixture
def members_kind_with_bracketed_header():
    """A kind whose accepted header holds half-width brackets, as some exports spell them."""

    @importing.import_kind
    class BracketedMembers(MembersKind):
        code = "test-members-bracketed"
        label = "会员资料（测试）"
        fields = (Field("card_no", ("会员卡号(POS)",)), *MembersKind.fields[1:])

    yield BracketedMembers.code
    importing._kinds.pop(BracketedMembers.code)


def test_full_width_brackets_and_letters_in_a_header_match_the_half_width_alias(
    tmp_path, stores, members_kind_with_bracketed_header
):
    assert normalize_header("会员卡号（ＰＯＳ）") == normalize_header("会员卡号(POS)")
    path = write_xlsx(
        tmp_path / "会员.xlsx",
        [["会员卡号（ＰＯＳ）", "会员姓名", "手机号", "门店ID"], ["C001", "张三", "", 307]],
    )

    result = import_file(path, file_name=path.name, kind=members_kind_with_bracketed_header)

    assert (result.refused, result.errors, result.created) == ("", [], 1)
    assert Member.objects.filter(card_no="C001").exists()


def test_columns_are_found_by_name_wherever_they_are_and_extra_columns_are_ignored(
    tmp_path, stores
):
    headers = ["备注", "积分", "开卡门店ID", "会员等级", "手机号", "会员卡号", "会员姓名", ""]
    rows = [
        headers,
        ["老顾客", 5, 512, "金卡", "13800138000", "C001", "张三", "x"],
        [None, None, 307, None, "13800138001", "C002", "李四", None],
    ]
    path = write_xlsx(tmp_path / "会员.xlsx", rows)

    run, summary = import_members(path)

    assert run.status == 0
    assert (summary["rows"], summary["created"], summary["errors"]) == (2, 2, [])
    assert members_in_db() == {
        "C001": ("张三", "13800138000", 512),
        "C002": ("李四", "13800138001", 307),
    }
    assert Member.objects.get(card_no="C001").points == 5


def test_header_below_a_report_title_and_a_blank_row_with_the_sheets_own_row_numbers(
    tmp_path, stores
):
    rows = [
        ["C001", "张三", "13800138000", 307],
        ["C002", "李四", "13800138001", 999],
        ["C003", "王五", "13800138002", 512],
    ]
    path = write_xlsx(
        tmp_path / "会员资料.xlsx",
        [MEMBER_HEADERS[:4], *rows],
        title_rows=[["会员资料导出（2022-10-09）"], []],
    )

    run = import_sheet(path, "--json")

    assert run.status == 1
    assert run.json["kind"] == "members"
    assert run.json["errors"] == [
        {"row": 5, "column": "开卡门店ID", "message": "门店ID 999 不存在，请先导入门店与员工名单"}
    ]
    assert not Member.objects.exists()


def test_the_header_must_be_within_the_first_10_rows(tmp_path, stores):
    title = [["会员资料导出"]] + [[] for _ in range(9)]
    late = write_xlsx(
        tmp_path / "late.xlsx", [MEMBER_HEADERS[:4], ["C001", "张三", "", 307]], title_rows=title
    )
    in_time = write_xlsx(
        tmp_path / "in_time.xlsx",
        [MEMBER_HEADERS[:4], ["C001", "张三", "", 307]],
        title_rows=title[:9],
    )

    assert "前 10 行中找不到完整的表头" in import_sheet(late, "--json").json["refused"]
    assert import_sheet(in_time, "--json").json["created"] == 1


# Recognising the kind


KIND_FILES = {
    "members": [MEMBER_HEADERS, ["C001", "张三", "13800138000", 307, "2020-01-02", 10]],
    "pos-sales": [
        POS_HEADERS,
        [
            datetime.datetime(2022, 10, 25, 10, 0),
            307,
            "R1",
            1,
            "C001",
            "P1",
            "霜",
            "薇诺娜",
            1,
            398,
        ],
    ],
    "org": [
        ROSTER_HEADERS,
        ["北门片", 307, "北门店", "13911110307", "", "S30701", "王店员", "店员", "13800138000"],
    ],
    "callback-list": [CALLBACK_HEADERS, ["C001", "13800138000", 307, "2022-09-01", "1598.00"]],
}


@pytest.mark.parametrize("kind", list(KIND_FILES))
def test_kind_auto_recognises_each_kind_from_its_headers(tmp_path, stores, kind):
    path = write_xlsx(tmp_path / "20221009.xlsx", KIND_FILES[kind])

    run = import_sheet(path, "--kind", "auto", "--dry-run", "--json")

    assert run.status == 0, run.stdout
    assert (run.json["kind"], run.json["rows"], run.json["created"]) == (kind, 1, 1)
    assert run.json["errors"] == []


def test_kind_auto_names_the_missing_required_headers(tmp_path, stores):
    path = write_xlsx(tmp_path / "x.xlsx", [["会员卡号", "会员姓名", "开卡门店ID", "备注"]])

    run = import_sheet(path, "--json")

    assert run.status == 1
    assert run.json["refused"] == (
        "无法识别文件类型：前 10 行中找不到完整的表头。最接近“会员资料”，但缺少列：手机号。"
    )


def test_a_named_kind_names_the_headers_the_file_lacks(tmp_path, stores):
    path = write_xlsx(tmp_path / "pos.xlsx", KIND_FILES["pos-sales"])

    run = import_sheet(path, "--kind", "members", "--json")

    assert run.status == 1
    assert run.json["refused"] == "不是“会员资料”文件：缺少列 会员姓名、手机号。"
    assert not Member.objects.exists() and not SaleLine.objects.exists()


# Workbooks and sheets


@pytest.fixture
def two_sheet_workbook(tmp_path):
    return write_xlsx(
        tmp_path / "会员.xlsx",
        sheets={
            "老会员": [MEMBER_HEADERS[:4], ["C001", "张三", "13800138000", 307]],
            "新会员": [MEMBER_HEADERS[:4], ["C101", "赵六", "13800138101", 512]],
        },
    )


def test_an_xlsx_is_read_from_its_first_sheet(two_sheet_workbook, stores):
    assert import_sheet(two_sheet_workbook).status == 0
    assert set(members_in_db()) == {"C001"}


def test_an_xlsx_is_read_from_the_sheet_the_user_names(two_sheet_workbook, stores):
    assert import_sheet(two_sheet_workbook, "--sheet", "新会员").status == 0
    assert set(members_in_db()) == {"C101"}


def test_a_sheet_name_the_workbook_lacks_is_refused_listing_its_sheets(two_sheet_workbook, stores):
    run = import_sheet(two_sheet_workbook, "--sheet", "会员", "--json")

    assert run.status == 1
    assert run.json["refused"] == "工作簿中没有名为“会员”的工作表（现有：老会员、新会员）。"
    assert not Member.objects.exists()


# CSV encodings


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gb18030(tmp_path, stores, encoding):
    path = write_csv(
        tmp_path / "会员.csv",
        [
            MEMBER_HEADERS,
            ["C001", "张三", "13800138000", "307", "2020-01-02", "10"],
            ["C002", "王𠮷", "13800138001", "512", "", ""],
        ],
        encoding=encoding,
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")

    run, summary = import_members(path)

    assert run.status == 0, run.stdout
    assert summary["created"] == 2
    assert members_in_db() == {
        "C001": ("张三", "13800138000", 307),
        "C002": ("王𠮷", "13800138001", 512),
    }
    assert Member.objects.get(card_no="C001").joined_on == datetime.date(2020, 1, 2)


# Cell values


def test_the_leading_tab_before_long_numbers_is_stripped(tmp_path, stores):
    members = write_csv(
        tmp_path / "会员.csv",
        [MEMBER_HEADERS[:4], ["\t100000012345678", "张三", "\t13800138000", "\t307"]],
        encoding="utf-8-sig",
    )
    sales = write_csv(
        tmp_path / "零售.csv",
        [
            [*POS_HEADERS, "外部订单号"],
            [
                "2022-10-25 10:11:12",
                "307",
                "\t2210250000123456",
                "1",
                "\t100000012345678",
                "\t6901234567890",
                "霜",
                "薇诺娜",
                "1",
                "398",
                "\tE20221025101112000123",
            ],
        ],
    )

    assert import_sheet(members).status == 0
    assert import_sheet(sales).status == 0

    assert members_in_db() == {"100000012345678": ("张三", "13800138000", 307)}
    line = SaleLine.objects.get()
    assert (line.receipt_no, line.member_id, line.product_code, line.external_order_no) == (
        "2210250000123456",
        "100000012345678",
        "6901234567890",
        "E20221025101112000123",
    )


def pos_line(receipt_no: str, *, sold_at=None, amount=None) -> list:
    return [
        datetime.datetime(2022, 10, 25, 10, 0) if sold_at is None else sold_at,
        307,
        receipt_no,
        1,
        None,
        "P1",
        "霜",
        "薇诺娜",
        1,
        398 if amount is None else amount,
    ]


AMOUNTS = {
    "number": 1598,
    "decimal number": 1598.0,
    "yuan text": "¥1,598.00",
    "full-width yuan text": "￥1,598.00",
    "plain text": "1598",
    "spaced text": " 1598.0 ",
}


def test_amounts_as_numbers_and_as_text(tmp_path, stores):
    rows = [pos_line(name, amount=amount) for name, amount in AMOUNTS.items()]
    rows.append(pos_line("fen", amount=1598.5))
    path = write_xlsx(tmp_path / "零售.xlsx", [POS_HEADERS, *rows])

    run = import_sheet(path, "--json")

    assert run.status == 0, run.stdout
    amounts = dict(SaleLine.objects.values_list("receipt_no", "amount"))
    assert amounts == {**dict.fromkeys(AMOUNTS, Decimal("1598.00")), "fen": Decimal("1598.50")}


def test_an_amount_that_is_not_a_number_is_reported(tmp_path, stores):
    path = write_xlsx(tmp_path / "零售.xlsx", [POS_HEADERS, pos_line("R1", amount="约1598元")])

    assert import_sheet(path, "--json").json["errors"] == [
        {"row": 2, "column": "实收金额", "message": "'约1598元' 不是有效的数字"}
    ]


MOMENT = datetime.datetime(2022, 10, 25, 10, 11, 12, tzinfo=SHANGHAI)
DAY = datetime.datetime(2022, 10, 25, tzinfo=SHANGHAI)
DATES = {
    "date-time cell": (datetime.datetime(2022, 10, 25, 10, 11, 12), MOMENT),
    "date cell": (datetime.date(2022, 10, 25), DAY),
    "serial number": (44859.42444444444, MOMENT),
    "whole serial number": (44859, DAY),
    "serial number a second short": (44859.00024305555, DAY + datetime.timedelta(seconds=21)),
    "serial as text": ("44859.4244444444", MOMENT),
    "text with time": ("2022-10-25 10:11:12", MOMENT),
    "slashed text": ("2022/10/25", DAY),
    "compact text": ("20221025", DAY),
    "compact number": (20221025, DAY),
}


def test_dates_as_excel_cells_serial_numbers_and_text_are_shanghai_times(tmp_path, stores):
    rows = [pos_line(name, sold_at=value) for name, (value, _) in DATES.items()]
    path = write_xlsx(tmp_path / "零售.xlsx", [POS_HEADERS, *rows])

    run = import_sheet(path, "--json")

    assert run.status == 0, run.stdout
    sold_at = dict(SaleLine.objects.values_list("receipt_no", "sold_at"))
    assert sold_at == {name: expected for name, (_, expected) in DATES.items()}
    utc = sold_at["text with time"].astimezone(datetime.UTC)
    assert utc.replace(tzinfo=None) == datetime.datetime(2022, 10, 25, 2, 11, 12)


def test_a_date_that_cannot_be_read_is_reported(tmp_path, stores):
    path = write_csv(
        tmp_path / "零售.csv",
        [POS_HEADERS, ["2022-13-45", "307", "R1", "1", "", "P1", "霜", "薇诺娜", "1", "398"]],
    )

    assert import_sheet(path, "--json").json["errors"] == [
        {"row": 2, "column": "销售日期", "message": "'2022-13-45' 不是有效的日期时间"}
    ]


PHONES = {
    "C1": "138 0013 8001",
    "C2": "138-0013-8002",
    "C3": "(138)00138003",
    "C4": "（138）0013-8004",
    "C5": "+86 138 0013 8005",
    "C6": "8613800138006",
    "C7": "+86-138-0013-8007",
    "C8": "\t13800138008",
}


def test_phones_are_normalised(tmp_path, stores):
    rows = [[card, "会员", phone, 307] for card, phone in PHONES.items()]
    path = write_xlsx(tmp_path / "会员.xlsx", [MEMBER_HEADERS[:4], *rows])

    assert import_sheet(path).status == 0

    assert dict(Member.objects.values_list("card_no", "phone")) == {
        card: f"1380013800{card[1]}" for card in PHONES
    }


def test_an_invalid_phone_is_reported_with_its_sheet_row_and_column(tmp_path, stores):
    rows = [
        ["C001", "13800138000", 307, "2022-09-01", 398],
        ["C002", "1380013800", 307, "2022-09-02", 698],
        ["C003", "12800138000", 512, "2022-09-03", 1598],
    ]
    path = write_xlsx(
        tmp_path / "20221009.xlsx",
        [["会员卡号", "联系电话", *CALLBACK_HEADERS[2:]], *rows],
        title_rows=[["指定会员回访登记"], []],
    )

    text = import_sheet(path)
    as_json = import_sheet(path, "--json")

    assert text.status == as_json.status == 1
    assert text.stderr.splitlines() == [
        "第 5 行 联系电话: '1380013800' 不是有效的手机号",
        "第 6 行 联系电话: '12800138000' 不是有效的手机号",
    ]
    assert as_json.json["errors"][0] == {
        "row": 5,
        "column": "联系电话",
        "message": "'1380013800' 不是有效的手机号",
    }
    assert not CallbackListEntry.objects.exists()


# Files refused before a row is read


def refusal(path) -> str:
    run = import_sheet(path, "--json")
    assert run.status == 1, run.stdout
    assert run.json["rows"] == 0
    assert not Member.objects.exists()
    return run.json["refused"]


def test_a_file_over_the_size_limit_is_refused(tmp_path, stores, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    rows = [MEMBER_HEADERS[:4]] + [[f"C{i:07d}", "张三", "", 307] for i in range(60_000)]
    path = write_csv(tmp_path / "会员.csv", rows)
    assert path.stat().st_size > settings.IMPORT_MAX_BYTES

    message = refusal(path)

    assert message.startswith("文件过大（")
    assert "上限为 1 MB" in message


def test_a_file_at_the_size_limit_is_read(tmp_path, stores, settings):
    path = write_csv(tmp_path / "会员.csv", [MEMBER_HEADERS[:4], ["C001", "张三", "", "307"]])
    settings.IMPORT_MAX_BYTES = path.stat().st_size

    assert import_sheet(path).status == 0


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("会员.xlsx", PNG, "文件扩展名是 .xlsx，但内容不是 Excel 工作簿，文件可能已损坏。"),
        ("会员.xlsx", b"\x00" + os.urandom(4000), "文件扩展名是 .xlsx，但内容不是 Excel 工作簿"),
        ("会员.png", PNG, "无法识别的文件类型：请上传 .xlsx 或 .csv 表格文件。"),
        ("会员.csv", b"\x00" + os.urandom(4000), "无法识别的文件类型"),
        (
            "会员.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000),
            "这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。",
        ),
        ("会员.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), "这是旧版 Excel"),
        ("会员.csv", b"", "文件是空的。"),
        ("会员.xlsx", b"", "文件是空的。"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path, stores, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)

    assert refusal(path).startswith(expected)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path, stores):
    path = tmp_path / "会员.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("会员.csv", "会员卡号,会员姓名,手机号,开卡门店ID\nC001,张三,,307\n")

    assert refusal(path) == "这是一个压缩包，不是 Excel 工作簿（.xlsx）。"


def test_a_broken_workbook_is_refused(tmp_path, stores):
    good = write_xlsx(tmp_path / "good.xlsx", [MEMBER_HEADERS[:4], ["C001", "张三", "", 307]])
    path = tmp_path / "会员.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])

    assert refusal(path) == "Excel 文件已损坏，无法打开。"


def workbook_shaped_zip(path, member: bytes, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", member)
    return path


def test_a_zip_bomb_is_refused_before_anything_is_inflated(tmp_path, stores):
    path = workbook_shaped_zip(tmp_path / "会员.xlsx", bytes(64 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024

    assert refusal(path) == "Excel 文件压缩比异常，已拒绝（可能是恶意文件）。"


def test_a_workbook_inflating_past_the_limit_is_refused(tmp_path, stores, settings):
    settings.IMPORT_MAX_INFLATED_BYTES = 1024 * 1024
    path = workbook_shaped_zip(tmp_path / "会员.xlsx", os.urandom(1024 * 1024))

    assert refusal(path) == "Excel 文件解压后过大，已拒绝（可能是恶意文件）。"

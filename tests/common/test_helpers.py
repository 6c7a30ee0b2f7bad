import datetime
from decimal import Decimal

import openpyxl
import pytest

from common.dates import heading_date
from common.money import format_yuan, to_money
from common.phones import is_mobile, mask_phone, normalize_phone
from common.spreadsheets import Column, Sheet, write_xlsx


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1598", "1598.00"), ("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), (-1, "-1.00")],
)
def test_money_rounds_half_up_to_the_fen(raw, expected):
    assert to_money(raw) == Decimal(expected)


def test_money_refuses_floats_and_garbage():
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(ValueError, match="不是有效的金额"):
        to_money("abc")


def test_yuan_display():
    assert format_yuan(Decimal("1598")) == "¥1,598.00"
    assert format_yuan("2073600") == "¥2,073,600.00"
    assert format_yuan("-30") == "-¥30.00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("\t13800138000", "13800138000"),
        ("(138)00138000", "13800138000"),
        (None, ""),
    ],
)
def test_phone_normalisation(raw, expected):
    assert normalize_phone(raw) == expected


def test_phone_validity_and_mask():
    assert is_mobile("13800138000")
    assert not is_mobile("1380013800")
    assert not is_mobile("12800138000")
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""


def test_heading_date():
    assert heading_date(datetime.date(2022, 10, 25)) == "10月25日 周二"


def test_workbook_keeps_outside_text_as_text_and_money_numeric(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [
        ('=HYPERLINK("http://x")', Decimal("1598.00")),
        ("@SUM(A1)", Decimal("0.10")),
        ("-2+3", None),
    ]
    write_xlsx(
        path,
        [Sheet("明细", [Column("备注"), Column("金额", kind="money")], rows, total_label="合计")],
    )
    sheet = openpyxl.load_workbook(path).active
    cells = list(sheet.iter_rows(min_row=2))
    assert [row[0].data_type for row in cells[:3]] == ["s", "s", "s"]
    assert cells[0][0].value == '=HYPERLINK("http://x")'
    assert cells[0][1].value == 1598 and cells[0][1].number_format == "#,##0.00"
    assert cells[3][0].value == "合计"
    assert cells[3][1].value == pytest.approx(1598.10)

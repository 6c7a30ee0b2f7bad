"""A scripted month of coupon movements: the balance is the sum of the ledger, and 附表3
shows the same opening, in, out and closing figures."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import F, Sum

from coupons.exports import (
    LEDGER_OPENING,
    LEDGER_TOTAL,
    coupon_ledger_report,
    report_workbook_bytes,
)
from coupons.models import CouponEntry
from coupons.selectors import coupon_balances, coupon_ledger_summary
from coupons.services import (
    coupon_entry_reverse,
    coupon_issue,
    coupon_redeem,
    coupon_stock_receive,
    coupons_expire,
)
from tests.coupons.conftest import at

FIRST, LAST = datetime.date(2026, 1, 28), datetime.date(2026, 2, 27)


@pytest.fixture
def scripted_month(store, clerk, manager, conditional, full_value):
    user = clerk.user

    def receive(coupon_type, quantity, day):
        return coupon_stock_receive(
            store=store,
            coupon_type=coupon_type,
            quantity=quantity,
            signer="张会计",
            user=manager.user,
            at=at(day),
        )

    def issue(coupon_type, receipt_no, day, amount="120.00"):
        return coupon_issue(
            store=store,
            coupon_type=coupon_type,
            receipt_no=receipt_no,
            purchase_amount=Decimal(amount),
            user=user,
            at=at(day),
        )

    def redeem(coupon, receipt_no, day):
        return coupon_redeem(
            store=store,
            serial=coupon.serial,
            receipt_no=receipt_no,
            receipt_amount=Decimal("90.00"),
            user=user,
            at=at(day, 15),
        )

    # Before the period: 30 of 满68抵10 (300.00) in, two issued (20.00): opening 280.00.
    receive(conditional, 30, datetime.date(2025, 12, 20))
    old = issue(conditional, "R1001", datetime.date(2025, 12, 22))
    stale = issue(conditional, "R1002", datetime.date(2025, 7, 1))
    # The period.
    receive(full_value, 40, datetime.date(2026, 1, 28))  # +200.00
    wrong = receive(conditional, 10, datetime.date(2026, 2, 2))  # +100.00
    coupon_entry_reverse(
        entry=wrong, reason="重复登记", user=manager.user, at=at(datetime.date(2026, 2, 2), 16)
    )  # −100.00
    first = issue(conditional, "R2001", datetime.date(2026, 2, 3))  # −10.00
    issue(full_value, "R2002", datetime.date(2026, 2, 5))  # −5.00
    issue(full_value, "R2003", datetime.date(2026, 2, 27))  # −5.00
    redeem(old, "R2101", datetime.date(2026, 2, 10))  # back 10.00
    redeem(first, "R2102", datetime.date(2026, 2, 11))  # back 10.00
    coupons_expire(today=datetime.date(2026, 2, 1))  # the July coupon ran out on Dec 31
    # After the period.
    issue(conditional, "R3001", datetime.date(2026, 2, 28))
    return stale


def test_the_balance_is_the_sum_of_the_ledger_entries(scripted_month, store):
    balances = {row["name"]: (row["quantity"], row["amount"]) for row in coupon_balances(store)}
    assert balances == {
        "全额抵扣券5元": (38, Decimal("190.00")),
        "满68抵10": (26, Decimal("260.00")),
    }
    ledger_total = CouponEntry.objects.filter(store=store).aggregate(
        total=Sum(F("quantity") * F("face_value"))
    )["total"]
    assert sum(amount for _, amount in balances.values()) == ledger_total == Decimal("450.00")


def test_the_period_figures_and_the_workbook_agree(scripted_month, store):
    summary = coupon_ledger_summary(store, FIRST, LAST)
    assert summary.opening == Decimal("280.00")
    assert summary.received == Decimal("200.00")
    assert summary.issued == Decimal("20.00")
    assert summary.closing == Decimal("460.00")
    assert summary.redeemed == Decimal("20.00")
    assert summary.expired == Decimal("10.00")

    content = report_workbook_bytes(coupon_ledger_report(store, FIRST, LAST), store, FIRST, LAST)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row[0] == "日期")
    header = rows[header_index]
    column = {
        name: header.index(name)
        for name in ("摘要", "增加金额", "赠送金额", "未使用期末余额", "回收金额")
    }
    body = rows[header_index + 1 :]
    by_label = {row[column["摘要"]]: row for row in body}

    assert by_label[LEDGER_OPENING][column["未使用期末余额"]] == 280
    total = by_label[LEDGER_TOTAL]
    assert total[column["增加金额"]] == 200
    assert total[column["赠送金额"]] == 20
    assert total[column["未使用期末余额"]] == 460
    assert total[column["回收金额"]] == 20
    movements = body[1:-1]
    # The running balance of the last movement is the closing figure.
    assert movements[-1][column["未使用期末余额"]] == 460
    assert any("过期未用" in row[column["摘要"]] for row in movements)
    assert any("冲正 10 张：重复登记" in row[column["摘要"]] for row in movements)
    assert sum(row[column["回收金额"]] or 0 for row in movements) == 20

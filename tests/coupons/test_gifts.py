"""Gift stock, campaign gift hand-outs, points redemptions and transfers (handbook ch. 7)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from common.errors import ServiceError
from coupons import services
from coupons.exports import handouts_report, points_report, report_workbook_bytes
from coupons.models import GiftEntry, GiftTransfer
from coupons.selectors import gift_stock
from coupons.services import gift_hand_out, gift_stock_receive, gift_transfer, points_redeem
from tests.callbacks.factories import CampaignFactory, MemberFactory
from tests.coupons.factories import GiftFactory
from tests.factories import StaffFactory

TODAY = datetime.date(2026, 11, 3)


@pytest.fixture
def masks(db):
    return GiftFactory(name="柔润面膜5片", value=Decimal("45.00"))


@pytest.fixture
def serum(db):
    return GiftFactory(name="透明质酸复合原液", value=Decimal("128.00"))


@pytest.fixture
def campaign(db):
    return CampaignFactory(
        gift_tiers=[
            {"min_amount": "398.00", "gift": "柔润面膜5片"},
            {"min_amount": "698.00", "gift": "透明质酸复合原液"},
        ]
    )


@pytest.fixture
def gifts_in_stock(store, manager, masks, serum):
    for gift in (masks, serum):
        gift_stock_receive(store=store, gift=gift, quantity=10, user=manager.user)


@pytest.fixture
def hand_out(gifts_in_stock, store, campaign, clerk, manager):
    def give(receipt_no, amount, confirmed=True, second=None):
        return gift_hand_out(
            store=store,
            campaign=campaign,
            receipt_no=receipt_no,
            purchase_amount=Decimal(amount),
            customer_confirmed=confirmed,
            handler=clerk,
            second_handler=second or manager,
            user=clerk.user,
            handed_on=TODAY,
        )

    return give


def test_the_campaign_tiers_decide_the_gift(hand_out, store, masks, serum):
    with pytest.raises(
        ServiceError, match=r"购物金额 ¥397\.99 未达到.*最低满赠档 ¥398\.00，没有赠品"
    ):
        hand_out("R1", "397.99")
    assert hand_out("R2", "398.00").gift == masks
    assert hand_out("R3", "697.99").gift == masks
    served = hand_out("R4", "698.00")
    assert (served.gift, served.gift_value) == (serum, Decimal("128.00"))
    assert (gift_stock(store, masks), gift_stock(store, serum)) == (8, 9)


def test_a_hand_out_needs_the_customers_confirmation_and_two_handlers(hand_out, clerk):
    with pytest.raises(ServiceError, match="请让顾客在赠品单上签字确认后再登记"):
        hand_out("R1", "500", confirmed=False)
    with pytest.raises(ServiceError, match="赠品需要两位不同的经办人签名"):
        hand_out("R1", "500", second=clerk)
    with pytest.raises(ServiceError, match="第二经办人必须是本店在职员工"):
        hand_out("R1", "500", second=StaffFactory())
    hand_out("R1", "500")
    with pytest.raises(
        ServiceError, match="小票 R1 已于 2026-11-03 领过“柔润面膜5片”，每张小票只送一次"
    ):
        hand_out("R1", "500")


def test_points_redemption_records_points_and_refuses_more_than_the_member_has(
    gifts_in_stock, store, clerk, masks
):
    member = MemberFactory(card_no="880012345678", name="王芳", store=store)

    def redeem(before, deducted):
        return points_redeem(
            store=store,
            card_no=member.card_no,
            points_before=before,
            points_deducted=deducted,
            gift=masks,
            customer_confirmed=True,
            handler=clerk,
            user=clerk.user,
            redeemed_on=TODAY,
        )

    with pytest.raises(ServiceError, match="扣减积分 1200 超过会员原有积分 1000"):
        redeem(1000, 1200)
    redemption = redeem(1500, 1000)
    assert (redemption.points_before, redemption.points_deducted) == (1500, 1000)
    assert redemption.gift_value == Decimal("45.00")
    assert gift_stock(store, masks) == 9

    content = report_workbook_bytes(points_report(store, TODAY, TODAY), store, TODAY, TODAY)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[2] == (
        "序号",
        "日期",
        "姓名",
        "卡号",
        "原积分",
        "减积分",
        "兑换品种",
        "兑换赠品金额",
        "顾客签名",
        "经办人",
    )
    assert rows[3][2:8] == ("王芳", "880012345678", 1500, 1000, "柔润面膜5片", 45)
    assert rows[4][0] == "小计" and rows[4][7] == 45


def test_the_hand_out_report_lists_receipt_amount_gift_and_handlers(hand_out, store):
    hand_out("R2", "398.00")
    hand_out("R4", "698.00")
    content = report_workbook_bytes(handouts_report(store, TODAY, TODAY), store, TODAY, TODAY)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[3][2:6] == ("R2", 398, "柔润面膜5片", 45)
    assert rows[4][2:6] == ("R4", 698, "透明质酸复合原液", 128)
    assert rows[5][0] == "小计" and (rows[5][3], rows[5][5]) == (1096, 173)
    assert rows[3][7] == "郭敏娟、徐梅"


def test_a_transfer_changes_both_stores_at_once(gifts_in_stock, store, other_store, manager, masks):
    transfer = gift_transfer(
        from_store=store, to_store=other_store, gift=masks, quantity=4, user=manager.user
    )
    assert (gift_stock(store, masks), gift_stock(other_store, masks)) == (6, 4)
    assert sorted(transfer.entries.values_list("kind", "quantity")) == [
        ("transfer_in", 4),
        ("transfer_out", -4),
    ]
    with pytest.raises(ServiceError, match="本店“柔润面膜5片”库存只有 6 件，不够 7 件"):
        gift_transfer(
            from_store=store, to_store=other_store, gift=masks, quantity=7, user=manager.user
        )


def test_a_transfer_whose_second_half_fails_changes_neither_store(
    gifts_in_stock, store, other_store, manager, masks, monkeypatch
):
    record = services._gift_entry_record

    def fail_on_the_receiving_side(**fields):
        if fields["kind"] == GiftEntry.Kind.TRANSFER_IN:
            raise OSError("database went away")
        return record(**fields)

    monkeypatch.setattr(services, "_gift_entry_record", fail_on_the_receiving_side)
    with pytest.raises(OSError):
        gift_transfer(
            from_store=store, to_store=other_store, gift=masks, quantity=4, user=manager.user
        )

    assert (gift_stock(store, masks), gift_stock(other_store, masks)) == (10, 0)
    assert not GiftTransfer.objects.exists()

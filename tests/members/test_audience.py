"""The campaign audience: members who bought the brand in the months before a date."""

import datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from members.models import Member, SaleLine
from members.selectors import Audience, audience_count_by_store, audience_members
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDIENCE = Audience(brand="薇诺娜", months=12, reference_date=datetime.date(2022, 10, 9))
receipts = count(1)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def stores():
    return {store_id: StoreFactory(store_id=store_id) for store_id in (307, 308, 512)}


def member(card_no: str, store) -> Member:
    return Member.objects.create(card_no=card_no, name=card_no, store=store)


def sale(card_no, store, sold_at, *, brand="薇诺娜") -> SaleLine:
    return SaleLine.objects.create(
        receipt_no=f"R{next(receipts):06d}",
        line_no=1,
        sold_at=sold_at,
        store=store,
        member_id=card_no,
        product_code="P1",
        product_name="舒敏保湿特护霜",
        brand=brand,
        qty=Decimal(1),
        amount=Decimal("198.00"),
    )


def audience_cards(audience: Audience = AUDIENCE) -> set[str]:
    return {m.card_no for m in audience_members(audience)}


def test_the_window_is_the_12_months_before_the_reference_date(stores):
    cases = {
        "first-moment": at(2021, 10, 9, 0, 0, 0),
        "first-day": at(2021, 10, 9, 18, 30),
        "last-moment": at(2022, 10, 8, 23, 59, 59),
        "day-before": at(2021, 10, 8, 23, 59, 59),
        "reference-day": at(2022, 10, 9, 0, 0, 0),
        "reference-evening": at(2022, 10, 9, 20, 0),
    }
    for card_no, sold_at in cases.items():
        member(card_no, stores[307])
        sale(card_no, stores[307], sold_at)

    assert audience_cards() == {"first-moment", "first-day", "last-moment"}


def test_the_window_starts_at_midnight_in_shanghai_not_utc(stores):
    member("utc-midnight", stores[307])
    sale("utc-midnight", stores[307], datetime.datetime(2021, 10, 8, 20, 0, tzinfo=datetime.UTC))
    member("before", stores[307])
    sale("before", stores[307], datetime.datetime(2021, 10, 8, 15, 59, 59, tzinfo=datetime.UTC))

    assert audience_cards() == {"utc-midnight"}


def test_other_brands_and_non_members_do_not_count(stores):
    member("other-brand", stores[307])
    sale("other-brand", stores[307], at(2022, 5, 1, 10, 0), brand="理肤泉")
    member("buyer", stores[307])
    sale("buyer", stores[307], at(2022, 5, 1, 10, 0))
    sale(None, stores[307], at(2022, 5, 1, 10, 0))
    member("no-purchase", stores[307])

    assert audience_cards() == {"buyer"}
    assert audience_count_by_store(AUDIENCE) == {stores[307].pk: 1}


def test_the_owner_store_is_where_the_latest_brand_purchase_was_made(stores):
    member("moved", stores[307])
    sale("moved", stores[307], at(2022, 1, 5, 10, 0))
    sale("moved", stores[512], at(2022, 9, 30, 10, 0))
    sale("moved", stores[308], at(2022, 10, 1, 10, 0), brand="理肤泉")
    sale("moved", stores[308], at(2022, 10, 9, 10, 0))
    member("stayed", stores[512])
    sale("stayed", stores[307], at(2022, 3, 1, 10, 0))
    member("another", stores[307])
    sale("another", stores[307], at(2022, 8, 1, 10, 0))

    owners = {m.card_no: m.owner_store_id for m in audience_members(AUDIENCE)}

    assert owners == {"moved": stores[512].pk, "stayed": stores[307].pk, "another": stores[307].pk}
    assert audience_count_by_store(AUDIENCE) == {stores[512].pk: 1, stores[307].pk: 2}


def test_a_member_with_many_purchases_counts_once(stores):
    member("loyal", stores[307])
    for month in range(1, 10):
        sale("loyal", stores[307], at(2022, month, 15, 10, 0))

    assert [m.card_no for m in audience_members(AUDIENCE)] == ["loyal"]
    assert audience_count_by_store(AUDIENCE) == {stores[307].pk: 1}


def test_the_audience_is_one_sql_query(stores, django_assert_num_queries):
    for index in range(5):
        member(f"C{index}", stores[307])
        sale(f"C{index}", stores[(307, 512)[index % 2]], at(2022, 5, 1 + index, 10, 0))

    with django_assert_num_queries(1):
        owners = {m.card_no: m.owner_store_id for m in audience_members(AUDIENCE)}
    with django_assert_num_queries(1):
        by_store = audience_count_by_store(AUDIENCE)

    assert len(owners) == 5
    assert by_store == {stores[307].pk: 3, stores[512].pk: 2}

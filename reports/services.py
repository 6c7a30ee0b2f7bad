"""The nightly job: each store's, region's and staff member's campaign figures at the end of
a day, written as snapshot rows that pages read (rules.md §3, §4, §6).

The whole day is six statements: delete the day's rows, then one INSERT ... SELECT per level.
The facts (presale, in-store sales, callbacks) are grouped ORM querysets joined to the
holders in SQL, and ranks are window functions, so the time grows with the size of the
chain's facts, never with a Python loop over its rows. Running a day again replaces exactly
that day's rows."""

import datetime
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from campaigns.models import Campaign, Target
from reports.facts import callback_facts, in_store_facts, presale_facts, targets_of
from reports.models import RegionDay, StaffDay, StoreDay
from stores.models import STORE_ROLES

_STORE_ROLE_PARAMS = ", ".join(["%s"] * len(STORE_ROLES))

# Rank by to-date sales; a tie goes to the earlier time the figure was reached (never
# reached ranks last), then to the holder's ID.
_RANK_ORDER = "f.sales_to_date DESC, f.reached_at IS NULL, f.reached_at, f.holder_key"

_STORE_SQL = f"""
INSERT INTO reports_storeday (
    campaign_id, day, store_id, presale_amount, presale_orders, presale_to_date,
    sales_to_date, target, callbacks_today, callbacks_to_date, audience, reached_at,
    zero_store, rank, region_rank
)
SELECT %s, %s, f.store_pk, f.presale_amount, f.presale_orders, f.presale_to_date,
       f.sales_to_date, f.target, f.callbacks_today, f.callbacks_to_date, f.audience,
       f.reached_at, f.zero_store,
       ROW_NUMBER() OVER (ORDER BY {_RANK_ORDER}),
       ROW_NUMBER() OVER (PARTITION BY f.region_id ORDER BY {_RANK_ORDER})
FROM (
    SELECT s.id AS store_pk, s.region_id, s.store_id AS holder_key,
           COALESCE(p.amount, 0) AS presale_amount,
           COALESCE(p.orders, 0) AS presale_orders,
           COALESCE(p.to_date, 0) AS presale_to_date,
           COALESCE(p.to_date, 0) + COALESCE(i.total, 0) AS sales_to_date,
           COALESCE(t.amount, 0) AS target,
           COALESCE(c.done_today, 0) AS callbacks_today,
           COALESCE(c.done_to_date, 0) AS callbacks_to_date,
           COALESCE(c.audience, 0) AS audience,
           CASE WHEN i.last IS NULL OR p.last > i.last THEN p.last ELSE i.last END
               AS reached_at,
           CASE WHEN %s AND COALESCE(p.amount, 0) = 0 THEN %s ELSE %s END AS zero_store
    FROM stores_store s
    LEFT JOIN ({{presale}}) p ON p.holder = s.id
    LEFT JOIN ({{in_store}}) i ON i.holder = s.id
    LEFT JOIN ({{callbacks}}) c ON c.holder = s.id
    LEFT JOIN ({{targets}}) t ON t.holder = s.id
    WHERE s.active = %s
) f
"""

_REGION_SQL = f"""
INSERT INTO reports_regionday (
    campaign_id, day, region_id, presale_amount, presale_orders, presale_to_date,
    sales_to_date, target, callbacks_today, callbacks_to_date, audience, zero_stores,
    reached_at, rank
)
SELECT %s, %s, f.holder_key, f.presale_amount, f.presale_orders, f.presale_to_date,
       f.sales_to_date, COALESCE(t.amount, 0), f.callbacks_today, f.callbacks_to_date,
       f.audience, f.zero_stores, f.reached_at,
       ROW_NUMBER() OVER (ORDER BY {_RANK_ORDER})
FROM (
    SELECT s.region_id AS holder_key,
           SUM(d.presale_amount) AS presale_amount,
           SUM(d.presale_orders) AS presale_orders,
           SUM(d.presale_to_date) AS presale_to_date,
           SUM(d.sales_to_date) AS sales_to_date,
           SUM(d.callbacks_today) AS callbacks_today,
           SUM(d.callbacks_to_date) AS callbacks_to_date,
           SUM(d.audience) AS audience,
           SUM(CASE WHEN d.zero_store THEN 1 ELSE 0 END) AS zero_stores,
           MAX(d.reached_at) AS reached_at
    FROM reports_storeday d
    JOIN stores_store s ON s.id = d.store_id
    WHERE d.campaign_id = %s AND d.day = %s
    GROUP BY s.region_id
) f
LEFT JOIN ({{targets}}) t ON t.holder = f.holder_key
"""

_STAFF_SQL = f"""
INSERT INTO reports_staffday (
    campaign_id, day, staff_id, store_id, presale_amount, presale_orders, presale_to_date,
    sales_to_date, target, callbacks_today, callbacks_to_date, reached_at, quota, rank
)
SELECT %s, %s, f.staff_pk, f.store_pk, f.presale_amount, f.presale_orders,
       f.sales_to_date, f.sales_to_date, f.target, f.callbacks_today, f.callbacks_to_date,
       f.reached_at, %s,
       ROW_NUMBER() OVER (ORDER BY {_RANK_ORDER})
FROM (
    SELECT m.id AS staff_pk, m.store_id AS store_pk, m.staff_no AS holder_key,
           COALESCE(p.amount, 0) AS presale_amount,
           COALESCE(p.orders, 0) AS presale_orders,
           COALESCE(p.to_date, 0) AS sales_to_date,
           COALESCE(t.amount, 0) AS target,
           COALESCE(c.done_today, 0) AS callbacks_today,
           COALESCE(c.done_to_date, 0) AS callbacks_to_date,
           p.last AS reached_at
    FROM stores_staff m
    JOIN stores_store s ON s.id = m.store_id
    LEFT JOIN ({{presale}}) p ON p.holder = m.id
    LEFT JOIN ({{callbacks}}) c ON c.holder = m.id
    LEFT JOIN ({{targets}}) t ON t.holder = m.id
    WHERE m.active = %s AND s.active = %s AND m.role IN ({_STORE_ROLE_PARAMS})
) f
"""


@dataclass
class NightlyResult:
    stores: int
    regions: int
    staff: int
    zero_stores: int


@transaction.atomic
def nightly_run(*, campaign: Campaign, day: datetime.date) -> NightlyResult:
    """Write the day's snapshots of every active store, its region and its store staff."""
    for model in (StoreDay, RegionDay, StaffDay):
        model.objects.filter(campaign=campaign, day=day).delete()
    in_presale = campaign.presale_start <= day <= campaign.presale_end
    snapshot = [campaign.pk, connection.ops.adapt_datefield_value(day)]
    stores = _insert(
        _STORE_SQL,
        [*snapshot, in_presale, True, False, True],
        presale=presale_facts(campaign, day, "store"),
        in_store=in_store_facts(campaign, day),
        callbacks=callback_facts(campaign, day, "store"),
        targets=targets_of(campaign, Target.Level.STORE, "store"),
    )
    regions = _insert(
        _REGION_SQL,
        [*snapshot, *snapshot],
        targets=targets_of(campaign, Target.Level.REGION, "region"),
    )
    staff = _insert(
        _STAFF_SQL,
        [*snapshot, campaign.daily_quota, True, True, *sorted(STORE_ROLES)],
        presale=presale_facts(campaign, day, "registered_staff"),
        callbacks=callback_facts(campaign, day, "done_by"),
        targets=targets_of(campaign, Target.Level.STAFF, "staff"),
    )
    zero_stores = StoreDay.objects.filter(campaign=campaign, day=day, zero_store=True).count()
    return NightlyResult(stores=stores, regions=regions, staff=staff, zero_stores=zero_stores)


def _insert(template: str, params: list, **subqueries: QuerySet) -> int:
    """Run one INSERT ... SELECT, its {placeholders} filled with the SQL of the given
    querysets; `params` are the template's own %s in the order they appear."""
    outer = iter(params)
    sql, ordered = [], []
    for position, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if position % 2:
            subquery_sql, subquery_params = subqueries[piece].query.sql_with_params()
            sql.append(subquery_sql)
            ordered.extend(subquery_params)
        else:
            sql.append(piece)
            ordered.extend(next(outer) for _ in range(piece.count("%s")))
    with connection.cursor() as cursor:
        cursor.execute("".join(sql), ordered)
        return cursor.rowcount

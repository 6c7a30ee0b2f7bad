"""Benchmark: the settlement of a campaign on a chain of the largest size the design names.

Builds, in a PostgreSQL database of its own, nightly.py's synthetic chain (15,000 stores in
100 regions, 150,000 staff, 2,000,000 paid presale orders, in SQL with generate_series),
registers about 70% of the orders to a staff member of their store, books about 95% of
them in the POS on booking days 1–3 (channel 有赞小程序, the order number as the external
order number), and creates a campaign with the eight rules of formats.md's example
document, region and store targets. Then times `manage.py settle` against a single
`SELECT store_id, SUM(net_amount) ... GROUP BY store_id` over the same orders (goal: under
60 s) and `manage.py export_settlement` (goal: under 30 s and 500 MB).

    .venv/bin/python benchmarks/settlement.py [--stores 15000] [--staff 150000]
        [--orders 2000000] [--rule-timings] [--keep-database]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_settlement]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from import_pos import (
    CAMPAIGN_BRAND,
    YOUZAN_CHANNEL,
    BenchDatabase,
    child_environment,
    manage,
    require_success,
    run_measured,
    step,
    verdict,
)
from nightly import chain_build, database_prepare, group_by_seconds

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_settlement"
CAMPAIGN = "BENCH-SETTLE"
BOOKING_START, BOOKING_END, BOOKING_DAYS = "2022-11-16", "2022-11-18", 3
STORE_TARGET = "20000.00"
GOAL_SETTLE_SECONDS, GOAL_EXPORT_SECONDS, GOAL_EXPORT_MB = 60.0, 30.0, 500.0
# Orders whose id ends in 0–6 are registered to a staff member (70%); one in twenty is
# never booked (95% booked), so nearly every store has a booking gap to settle.
REGISTERED_TENTHS, UNBOOKED_EVERY = 7, 20

# Each store's staff numbered 0..n-1; an order goes to staff (id / 10) mod n of its store,
# so the registered orders spread over all of them.
REGISTER_SQL = """
UPDATE presale_youzanorder AS o SET registered_staff_id = s.id
FROM (SELECT id, store_id,
             row_number() OVER (PARTITION BY store_id ORDER BY id) - 1 AS place,
             count(*) OVER (PARTITION BY store_id) AS staff
      FROM stores_staff WHERE store_id IS NOT NULL) AS s
WHERE s.store_id = o.store_id
  AND o.id % 10 < {registered_tenths}
  AND s.place = (o.id / 10) % s.staff;
"""

# One POS line per booked order, for its full net amount, on booking days 1–N.
BOOKING_SQL = """
INSERT INTO members_saleline (receipt_no, line_no, sold_at, store_id, card_no, product_code,
                              product_name, brand, qty, amount, channel, external_order_no,
                              staff_no, created_at, updated_at)
SELECT 'YZ' || o.id, 1,
       timestamptz '{booking_start} 09:00:00+08'
         + ((o.id % {booking_days}) || ' days')::interval
         + ((o.id * 7919 % 43200) || ' seconds')::interval,
       o.store_id, NULL, 'P1001', '薇诺娜舒敏保湿特护霜 50g', '{brand}', 1, o.net_amount,
       '{channel}', o.order_no, coalesce(s.staff_no, ''), now(), now()
FROM presale_youzanorder AS o LEFT JOIN stores_staff AS s ON s.id = o.registered_staff_id
WHERE o.store_id IS NOT NULL AND o.net_amount > 0 AND o.id % {unbooked_every} <> 0;
"""

CAMPAIGN_CODE = f"""
import datetime
from decimal import Decimal
from django.db.models import Count
from campaigns.models import Campaign, Target
from fixtures.demo_campaign import DEMO_CAMPAIGN
from stores.models import Region, Store
store_target = Decimal("{STORE_TARGET}")
campaign = Campaign.objects.create(
    code="{CAMPAIGN}", name="基准结算活动", brand="{CAMPAIGN_BRAND}",
    callbacks_start=datetime.date(2022, 10, 10), callbacks_end=datetime.date(2022, 10, 23),
    presale_start=datetime.date(2022, 10, 25), presale_end=datetime.date(2022, 11, 15),
    booking_start=datetime.date.fromisoformat("{BOOKING_START}"),
    booking_end=datetime.date.fromisoformat("{BOOKING_END}"),
    per_member_target=Decimal("200.00"), presale_share=Decimal("0.80"),
    rules=DEMO_CAMPAIGN["rules"],
)
Target.objects.bulk_create(
    [Target(campaign=campaign, level="store", store_id=pk, amount=store_target,
            source="default") for pk in Store.objects.values_list("pk", flat=True)],
    batch_size=5000,
)
Target.objects.bulk_create(
    [Target(campaign=campaign, level="region", region_id=pk, amount=store_target * count,
            source="default")
     for pk, count in Region.objects.annotate(count=Count("stores")).values_list("pk", "count")]
)
"""

# Each rule's lines computed (not written) on their own, to show where settle's time goes;
# the facts the rules share are cached, so the first rule to read them pays for them.
RULE_TIMINGS_CODE = f"""
import json, time
from campaigns.models import Campaign
from rewards.rules import CampaignFacts, campaign_rules
campaign = Campaign.objects.get(code="{CAMPAIGN}")
facts = CampaignFacts(campaign)
timings = []
for rule in campaign_rules(campaign):
    started = time.perf_counter()
    lines = sum(1 for draft in rule.lines(facts) if draft.amount > 0)
    timings.append([rule.number, rule.kind, lines, time.perf_counter() - started])
print(json.dumps(timings))
"""


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=15_000)
    parser.add_argument("--staff", type=int, default=150_000)
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--rule-timings",
        action="store_true",
        help="afterwards, time each rule's lines on their own (not written)",
    )
    return parser.parse_args(argv)


def build_chain(database: BenchDatabase, arguments: argparse.Namespace) -> None:
    chain_build(database, arguments)
    done = step(f"registering {REGISTERED_TENTHS}0% of the orders to staff")
    database.execute(REGISTER_SQL.format(registered_tenths=REGISTERED_TENTHS))
    done()
    done = step("booking the orders in the POS")
    database.execute(
        BOOKING_SQL.format(
            booking_start=BOOKING_START,
            booking_days=BOOKING_DAYS,
            brand=CAMPAIGN_BRAND,
            channel=YOUZAN_CHANNEL,
            unbooked_every=UNBOOKED_EVERY,
        )
    )
    done()
    done = step("vacuum analyze")
    database.execute("VACUUM ANALYZE")
    done()


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    database = BenchDatabase(arguments.database_url)
    database.check()
    print(
        f"Settlement benchmark: {arguments.stores:,} stores, {arguments.staff:,} staff, "
        f"{arguments.orders:,} orders"
    )
    with tempfile.TemporaryDirectory(prefix="bench_settlement_") as folder:
        env = child_environment(database, Path(folder))
        workbook = Path(folder) / "s.xlsx"
        try:
            database_prepare(database, env)
            build_chain(database, arguments)
            done = step("creating the campaign, its rules and targets")
            require_success("campaign", run_measured(manage("shell", "-c", CAMPAIGN_CODE), env))
            done()
            registered = database.scalar(
                "SELECT count(*) FROM presale_youzanorder WHERE registered_staff_id IS NOT NULL"
            )
            booked = database.scalar("SELECT count(*) FROM members_saleline")
            baseline = group_by_seconds(database)
            done = step(f"manage.py settle {CAMPAIGN}")
            settle = run_measured(manage("settle", CAMPAIGN), env)
            require_success("settle", settle)
            done()
            lines = database.scalar(
                "SELECT line_count FROM rewards_settlementrun ORDER BY version DESC LIMIT 1"
            )
            done = step(f"manage.py export_settlement {CAMPAIGN}")
            exporting = manage("export_settlement", CAMPAIGN, "--out", str(workbook))
            export = run_measured(exporting, env)
            require_success("export_settlement", export)
            done()
            workbook_mb = workbook.stat().st_size / 1024 / 1024
            rule_timings = []
            if arguments.rule_timings:
                done = step("timing each rule's lines on their own")
                timed = run_measured(manage("shell", "-c", RULE_TIMINGS_CODE), env)
                require_success("rule timings", timed)
                rule_timings = json.loads(timed.stdout.strip().splitlines()[-1])
                done()
        finally:
            if not arguments.keep_database:
                database.drop()
    print()
    print(
        f"{arguments.orders:,} orders, {registered:,} registered to staff, "
        f"{booked:,} booked in the POS"
    )
    print(f"{'measure':<52}{'seconds':>10}{'peak MB':>10}")
    print(f"{'single GROUP BY store over the orders (median of 3)':<52}{baseline:>10.2f}{'':>10}")
    print(f"{'manage.py settle':<52}{settle.seconds:>10.2f}{settle.peak_mb:>10.0f}")
    print(f"  {settle.stdout.strip()}  ({lines:,} lines written)")
    print(f"{'manage.py export_settlement':<52}{export.seconds:>10.2f}{export.peak_mb:>10.0f}")
    print(f"  workbook {workbook_mb:,.1f} MB")
    print()
    ratio = settle.seconds / baseline if baseline else float("inf")
    print(f"{'figure':<52}{'measured':>10}{'goal':>10}  verdict")
    print(f"{'settle / GROUP BY':<52}{ratio:>9.1f}x{'':>10}  (no goal: shown for scale)")
    print(
        f"{'settle, seconds':<52}{settle.seconds:>10.1f}{'< 60 s':>10}  "
        f"{verdict(settle.seconds < GOAL_SETTLE_SECONDS)}"
    )
    print(
        f"{'export_settlement, seconds':<52}{export.seconds:>10.1f}{'< 30 s':>10}  "
        f"{verdict(export.seconds < GOAL_EXPORT_SECONDS)}"
    )
    print(
        f"{'export_settlement, peak MB':<52}{export.peak_mb:>10.0f}{'< 500 MB':>10}  "
        f"{verdict(export.peak_mb < GOAL_EXPORT_MB)}"
    )
    if rule_timings:
        print()
        print(f"{'rule (lines computed, not written)':<52}{'seconds':>10}{'lines':>12}")
        for number, kind, count, seconds in rule_timings:
            print(f"{f'#{number} {kind}':<52}{seconds:>10.2f}{count:>12,}")
        computing = sum(seconds for *_, seconds in rule_timings)
        print(f"{'all rules':<52}{computing:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark: the nightly snapshots on a chain of the largest size the design names.

Builds, in a PostgreSQL database of its own, a synthetic chain of 15,000 stores in 100
regions, 150,000 staff and 2,000,000 paid presale orders spread over the presale window
(generated in SQL with generate_series, so building it takes seconds, not minutes), then
times `manage.py nightly` for one day against a single
`SELECT store_id, SUM(net_amount) ... GROUP BY store_id` over the same orders, and prints
both side by side with the goals: nightly ≤ 10× that query, and under 60 s. Then serves
the project with gunicorn (production settings) and loads one region's leaderboard from
20 concurrent clients (goal: p95 ≤ 100 ms on 2 cores).

    .venv/bin/python benchmarks/nightly.py [--stores 15000] [--staff 150000]
        [--orders 2000000] [--clients 20] [--requests 2000] [--workers 3] [--database-url postgres://postgres@127.0.0.1:5432/bench_nightly]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from import_pos import (
    BenchDatabase,
    child_environment,
    manage,
    require_success,
    run_measured,
    step,
    verdict,
)
from leaderboard_load import Gunicorn, log_in, run_load, single_page_ms

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_nightly"
CAMPAIGN = "BENCH-NIGHTLY"
PRESALE_START, PRESALE_DAYS = "2022-10-25", 22
MEASURED_DAY = "2022-11-05"
GOAL_RATIO, GOAL_SECONDS = 10.0, 60.0
REGIONS = 100

CHAIN_SQL = """
INSERT INTO stores_region (name, created_at, updated_at)
SELECT '片区' || r, now(), now() FROM generate_series(1, {regions}) AS r;

INSERT INTO stores_store (store_id, name, region_id, public_phone, mailbox, active,
                          created_at, updated_at)
SELECT 10000 + s, '门店' || s,
       (SELECT id FROM stores_region ORDER BY id OFFSET (s % {regions}) LIMIT 1),
       '13' || lpad(s::text, 9, '0'), 'md' || s || '@bench.cn', true, now(), now()
FROM generate_series(1, {stores}) AS s;

INSERT INTO stores_user (password, is_superuser, username, first_name, last_name, email,
                         is_staff, is_active, date_joined)
SELECT '!', false, 'B' || p, '', '', '', false, true, now()
FROM generate_series(1, {staff}) AS p;

INSERT INTO stores_staff (user_id, staff_no, name, role, store_id, phone, active,
                          created_at, updated_at)
SELECT u.id, u.username, '员工' || u.id, 'clerk',
       (SELECT id FROM stores_store WHERE store_id = 10000 + 1 + (u.id % {stores})),
       '', true, now(), now()
FROM stores_user u WHERE u.username LIKE 'B%';

INSERT INTO presale_youzanorder (order_no, status, paid_at, paid_amount, refunded_amount,
                                 refund_status, items, buyer_note, buyer_name, buyer_phone,
                                 store_id, created_at, updated_at)
SELECT 'E' || o, '已完成',
       timestamptz '{presale_start} 08:00:00+08'
         + ((o % {days}) || ' days')::interval
         + ((o::bigint * 7919 % 50000) || ' seconds')::interval,
       round((98 + (o * 37 % 3100))::numeric, 2),
       CASE WHEN o % 50 = 0 THEN 98 ELSE 0 END,
       '', '', '', '', '',
       (SELECT id FROM stores_store WHERE store_id = 10000 + 1 + ((o / {days}) % {stores})),
       now(), now()
FROM generate_series(1, {orders}) AS o;
ANALYZE;
"""

CAMPAIGN_CODE = f"""
import datetime
from decimal import Decimal
from campaigns.models import Campaign, Target
from stores.models import Store
campaign = Campaign.objects.create(
    code="{CAMPAIGN}", name="基准活动", brand="薇诺娜",
    callbacks_start=datetime.date(2022, 10, 10), callbacks_end=datetime.date(2022, 10, 23),
    presale_start=datetime.date(2022, 10, 25), presale_end=datetime.date(2022, 11, 15),
    per_member_target=Decimal("200.00"), presale_share=Decimal("0.80"),
)
Target.objects.bulk_create(
    [Target(campaign=campaign, level="store", store_id=pk, amount=Decimal("20000.00"),
            source="default") for pk in Store.objects.values_list("pk", flat=True)],
    batch_size=5000,
)
"""

LEAD_LOGIN, LEAD_PASSWORD = "P-BENCH", "bench-load-2022"
REGION_LEAD_CODE = f"""
from django.contrib.auth import get_user_model
from stores.models import Region, Role, Staff
user = get_user_model().objects.create_user("{LEAD_LOGIN}", password="{LEAD_PASSWORD}")
lead = Staff.objects.create(user=user, staff_no="{LEAD_LOGIN}", name="基准片长",
                            role=Role.REGION_LEAD)
region = Region.objects.order_by("pk").first()
region.lead = lead
region.save(update_fields=["lead"])
print(region.pk)
"""
GOAL_P95_MS = 100.0

GROUP_BY_SQL = "SELECT store_id, SUM(net_amount) FROM presale_youzanorder GROUP BY store_id"


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=15_000)
    parser.add_argument("--staff", type=int, default=150_000)
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--clients", type=int, default=20, help="concurrent leaderboard clients")
    parser.add_argument("--requests", type=int, default=2000, help="leaderboard page loads")
    parser.add_argument("--load-seconds", type=float, default=120.0, help="load time limit")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (as deployed)")
    return parser.parse_args(argv)


def database_prepare(database: BenchDatabase, env: dict[str, str]) -> None:
    """A new, migrated bench database."""
    done = step(f"creating database {database.where}")
    database.recreate()
    done()
    done = step("migrating")
    require_success("migrate", run_measured(manage("migrate", "--noinput"), env))
    done()


def chain_build(database: BenchDatabase, arguments: argparse.Namespace) -> None:
    """The synthetic chain of --stores, --staff and --orders, in SQL."""
    done = step("building the chain and its orders in SQL")
    database.execute(
        CHAIN_SQL.format(
            regions=REGIONS,
            stores=arguments.stores,
            staff=arguments.staff,
            orders=arguments.orders,
            presale_start=PRESALE_START,
            days=PRESALE_DAYS,
        )
    )
    done()


def group_by_seconds(database: BenchDatabase) -> float:
    """Median of three runs of the single GROUP BY, the floor the nightly job is held to."""
    timings = []
    with database.connect() as connection:
        for _ in range(3):
            started = time.perf_counter()
            connection.execute(GROUP_BY_SQL).fetchall()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    database = BenchDatabase(arguments.database_url)
    database.check()
    print(
        f"Nightly benchmark: {arguments.stores:,} stores, {arguments.staff:,} staff, "
        f"{arguments.orders:,} orders"
    )
    with tempfile.TemporaryDirectory(prefix="bench_nightly_") as folder:
        env = child_environment(database, Path(folder))
        try:
            database_prepare(database, env)
            chain_build(database, arguments)
            done = step("creating the campaign and its store targets")
            require_success("campaign", run_measured(manage("shell", "-c", CAMPAIGN_CODE), env))
            done()
            baseline = group_by_seconds(database)
            command = ("nightly", "--date", MEASURED_DAY, "--campaign", CAMPAIGN)
            snapshots_only = run_measured(manage(*command, "--snapshots-only"), env)
            require_success("nightly --snapshots-only", snapshots_only)
            nightly = run_measured(manage(*command), env)
            require_success("nightly", nightly)
            snapshots = database.scalar("SELECT count(*) FROM reports_storeday")
            lead = run_measured(manage("shell", "-c", REGION_LEAD_CODE), env)
            require_success("region lead", lead)
            region_pk = int(lead.stdout.strip().splitlines()[-1])
            done = step(f"leaderboard under {arguments.clients} clients on gunicorn")
            with Gunicorn(env, workers=arguments.workers) as server:
                cookie = log_in(server.port, LEAD_LOGIN, LEAD_PASSWORD)
                page = (
                    f"/reports/leaderboard/regions/{region_pk}/"
                    f"?campaign={CAMPAIGN}&day={MEASURED_DAY}"
                )
                alone_ms = single_page_ms(server.port, page, cookie)
                load = run_load(
                    server.port,
                    page,
                    cookie,
                    clients=arguments.clients,
                    requests=arguments.requests,
                    max_seconds=arguments.load_seconds,
                )
            done()
        finally:
            if not arguments.keep_database:
                database.drop()
    print()
    print(f"{'measure':<52}{'seconds':>10}{'peak MB':>10}")
    print(f"{'single GROUP BY store over the orders (median of 3)':<52}{baseline:>10.2f}{'':>10}")
    measures = (
        ("manage.py nightly --snapshots-only, one day", snapshots_only),
        ("manage.py nightly, one day (snapshots + report)", nightly),
    )
    for label, measured in measures:
        print(f"{label:<52}{measured.seconds:>10.2f}{measured.peak_mb:>10.0f}")
    print(f"  {nightly.stdout.strip()}  ({snapshots:,} store snapshots)")
    print()
    print(f"{'figure':<52}{'measured':>10}{'goal':>10}  verdict")
    for label, measured in measures:
        ratio = measured.seconds / baseline if baseline else float("inf")
        print(
            f"{label + ' / GROUP BY':<52}{ratio:>9.1f}x{'<= 10x':>10}  "
            f"{verdict(ratio <= GOAL_RATIO)}"
        )
    print(
        f"{'manage.py nightly, seconds':<52}{nightly.seconds:>10.1f}{'< 60 s':>10}  "
        f"{verdict(nightly.seconds < GOAL_SECONDS)}"
    )
    stores_in_region = arguments.stores // REGIONS
    print()
    print(
        f"Region leaderboard ({stores_in_region:,} stores) on gunicorn, "
        f"{arguments.workers} workers, {arguments.clients} clients, {load.requests:,} "
        f"requests in {load.seconds:.1f} s ({load.per_second:.0f}/s), {load.errors} errors"
    )
    print(f"{'one client alone, median':<52}{alone_ms:>8.1f}ms")
    for share in (0.5, 0.99):
        print(f"{f'p{share * 100:.0f} under load':<52}{load.percentile(share):>8.1f}ms")
    p95 = load.percentile(0.95)
    print(
        f"{'p95 under load':<52}{p95:>8.1f}ms{'<= 100 ms':>12}  "
        f"{verdict(p95 <= GOAL_P95_MS and load.errors == 0)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

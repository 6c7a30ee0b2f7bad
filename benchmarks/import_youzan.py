"""Import benchmark for the Youzan order export (订单维度) on PostgreSQL.

Generates a Youzan order-level .xlsx of N orders with every header of formats.md, then
times two phases, each in its own process so that its peak memory is its own:

  (a) python-calamine alone: open the workbook and iterate every row of the first sheet;
  (b) `manage.py import_sheet FILE --kind youzan-orders --json`, end to end, including the
      re-attribution of every order to its store that each Youzan import ends with.

Before (b) the salesman lines (业绩结算表) of most orders are put straight into the database,
as when operations import that export first, so that the attribution in (b) has real work.

Run from the project root:

    .venv/bin/python benchmarks/import_youzan.py [--rows N] [--keep-file PATH]
        [--database-url URL] [--keep-database]

The database helpers, the measured child processes and the calamine phase are those of
import_pos.py. The script creates, migrates and drops its own database (default
`bench_import_youzan`); it never touches the developer's database.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from import_pos import (
    GOAL_B_OVER_A,
    GOAL_PEAK_MB,
    MAX_DATA_ROWS,
    BenchDatabase,
    PhaseResult,
    child_environment,
    manage,
    phase_read,
    require_success,
    run_measured,
    step,
    verdict,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_import_youzan"
DEFAULT_ROWS = 500_000
ORDER_TABLE = "presale_youzanorder"
SALE_TABLE = "presale_youzansale"
ITEM_TABLE = "presale_youzanorderitem"

SHEET_TITLE = "订单维度"
HEADERS = (
    "订单号",
    "归属店铺",
    "订单类型",
    "订单状态",
    "推广方式",
    "订单来源",
    "订单创建时间",
    "买家付款时间",
    "付款方式",
    "商品金额合计",
    "运费",
    "店铺优惠合计",
    "应收订单金额",
    "订单实付金额",
    "全部商品名称",
    "商品种类数",
    "订单配送方式",
    "收货人/提货人",
    "收货人手机号/提货人手机号",
    "详细收货地址/提货地址",
    "买家备注",
    "买家姓名",
    "买家是否会员",
    "买家手机号",
    "下单网点",
    "订单退款状态",
    "订单已退款金额",
    "商家订单备注",
)
MONEY_COLUMNS = frozenset(
    HEADERS.index(header)
    for header in (
        "商品金额合计",
        "运费",
        "店铺优惠合计",
        "应收订单金额",
        "订单实付金额",
        "订单已退款金额",
    )
)
SHOP = "康宁大药房官方商城"
WINDOW_START = datetime.datetime(2022, 10, 25)
WINDOW_DAYS = 22  # the demo campaign's presale window, 10-25 to 11-15
# status, relative frequency; 已关闭 orders are mostly closed before payment.
STATUSES = (
    ("已完成", 55),
    ("待发货", 15),
    ("已发货", 10),
    ("待成团", 3),
    ("待付款", 7),
    ("已关闭", 10),
)
CLOSED_AFTER_PAYMENT_SHARE = 0.3
PARTLY_REFUNDED_SHARE = 0.04
PRODUCTS = (
    ("薇诺娜舒敏保湿特护霜 50g", 268.00),
    ("薇诺娜透明质酸修护生物膜 25g*6片", 298.00),
    ("薇诺娜柔润保湿面膜 25ml*6片", 198.00),
    ("薇诺娜清透防晒乳 50g", 198.00),
    ("薇诺娜舒敏保湿修护精华液 30ml", 298.00),
    ("薇诺娜极润保湿柔肤水 120ml", 168.00),
    ("薇诺娜舒敏保湿洁面乳 80g", 98.00),
)
PRODUCTS_PER_ORDER = (1, 2, 3)
PRODUCTS_PER_ORDER_WEIGHTS = (60, 30, 10)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
# Of the orders, the share the salesman export names a distributor for, and of those the
# share whose distributor is no store's public phone (left unattributed).
SALESMAN_SHARE = 0.95
UNKNOWN_DISTRIBUTOR_SHARE = 0.05


@dataclass(frozen=True)
class YouzanStore:
    store_id: int
    name: str
    public_phone: str


def tabbed(number: str) -> str:
    """Youzan writes long numbers as text behind a tab, so that Excel keeps every digit."""
    return f"\t{number}"


def stamp(moment: datetime.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def order_rows(
    stores: list[YouzanStore], count: int, seed: int = 20221025
) -> Iterator[tuple[tuple, str | None]]:
    """`count` orders as cell values in HEADERS order (times as text, amounts as numbers,
    long numbers behind a tab, as the back office writes them), each with the distributor
    phone its salesman line will name (None: no salesman line)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    statuses, status_weights = zip(*STATUSES, strict=True)
    for index in range(count):
        store = rng.choice(stores)
        created = WINDOW_START + datetime.timedelta(
            days=rng.randrange(WINDOW_DAYS), seconds=rng.randrange(8 * 3600, 23 * 3600)
        )
        status = rng.choices(statuses, status_weights)[0]
        paid = status != "待付款" and (
            status != "已关闭" or rng.random() < CLOSED_AFTER_PAYMENT_SHARE
        )
        paid_at = created + datetime.timedelta(seconds=rng.randrange(20, 600)) if paid else None
        kinds = rng.choices(PRODUCTS_PER_ORDER, PRODUCTS_PER_ORDER_WEIGHTS)[0]
        products = rng.sample(PRODUCTS, kinds)
        goods = round(sum(price * rng.choice((1, 1, 1, 2)) for _, price in products), 2)
        discount = rng.choice((0.0, 0.0, 20.0, 50.0)) if goods > 300 else 0.0
        due = round(goods - discount, 2)
        refunded, refund_status = 0.0, ""
        if status == "已关闭" and paid:
            refunded, refund_status = due, "全额退款成功"
        elif paid and rng.random() < PARTLY_REFUNDED_SHARE:
            refunded, refund_status = round(products[0][1], 2), "部分退款成功"
        buyer_phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        buyer = rng.choice(SURNAMES) + rng.choice(("女士", "先生"))
        pick_up = rng.random() < 0.85
        order_no = f"E{created:%Y%m%d%H%M%S}{index:08d}"
        yield (
            (
                tabbed(order_no),
                SHOP,
                "普通订单",
                status,
                "分销员推广",
                "微信小程序",
                stamp(created),
                stamp(paid_at) if paid_at else "",
                "微信支付" if paid else "",
                goods,
                0.0,
                discount,
                due,
                due,
                "；".join(name for name, _ in products),
                kinds,
                "到店自提" if pick_up else "快递发货",
                buyer,
                tabbed(buyer_phone),
                f"四川省成都市 康宁大药房{store.name}"
                if pick_up
                else "四川省成都市武侯区人民南路四段1号",
                "已取货" if pick_up and status == "已完成" and rng.random() < 0.5 else "",
                buyer,
                rng.choice(("是", "是", "否")),
                tabbed(buyer_phone),
                f"康宁大药房{store.name}",
                refund_status,
                refunded,
                "",
            ),
            _distributor(rng, store),
        )


def _distributor(rng: random.Random, store: YouzanStore) -> str | None:
    if rng.random() >= SALESMAN_SHARE:
        return None
    if rng.random() < UNKNOWN_DISTRIBUTOR_SHARE:
        return f"137{rng.randrange(10**8):08d}"
    return store.public_phone


def write_order_file(
    stores: list[YouzanStore], rows: int, path: Path
) -> list[tuple[str, str, str]]:
    """The order export (XlsxWriter constant_memory: flat memory, inline strings); returns
    the salesman lines (order number, distributor phone, store) of the orders that have one."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet(SHEET_TITLE)
    money = workbook.add_format({"num_format": "0.00"})
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header)
    salesman_lines = []
    for row, (values, distributor) in enumerate(order_rows(stores, rows), start=1):
        for column, value in enumerate(values):
            if column in MONEY_COLUMNS:
                sheet.write_number(row, column, value, money)
            elif isinstance(value, str):
                if value:
                    sheet.write_string(row, column, value)
            else:
                sheet.write_number(row, column, value)
        if distributor is not None:
            salesman_lines.append((values[0].lstrip("\t"), distributor, values[24]))
    workbook.close()
    return salesman_lines


def demo_stores(database: BenchDatabase) -> list[YouzanStore]:
    with database.connect() as connection:
        rows = connection.execute(
            "SELECT store_id, name, public_phone FROM stores_store "
            "WHERE public_phone <> '' ORDER BY store_id"
        ).fetchall()
    return [YouzanStore(*row) for row in rows]


def load_salesman_lines(database: BenchDatabase, lines: list[tuple[str, str, str]]) -> None:
    """The salesman export's lines, straight into their table (COPY), as if imported first."""
    now = datetime.datetime.now(datetime.UTC)
    with database.connect() as connection, connection.cursor() as cursor:
        with cursor.copy(
            f"COPY {SALE_TABLE} (order_no, distributor_phone, distributor_name, store_info, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for order_no, phone, store_info in lines:
                copy.write_row((order_no, phone, "门店公共号", store_info, now, now))
        cursor.execute(f"ANALYZE {SALE_TABLE}")


def empty_youzan_tables(database: BenchDatabase) -> int:
    orders = database.scalar(f"SELECT COUNT(*) FROM {ORDER_TABLE}")  # noqa: S608
    database.execute(f"TRUNCATE {ORDER_TABLE}, {SALE_TABLE}, {ITEM_TABLE}")
    return orders


def phase_import_sheet(path: Path, rows: int, env: dict, database: BenchDatabase) -> PhaseResult:
    done = step("(b) manage.py import_sheet --kind youzan-orders --json")
    measured = run_measured(
        manage("import_sheet", str(path), "--kind", "youzan-orders", "--json"), env
    )
    done()
    summary = measured.last_json()
    with database.connect() as connection:
        stored, attributed, net = connection.execute(
            f"SELECT COUNT(*), COUNT(store_id), COALESCE(SUM(net_amount), 0) FROM {ORDER_TABLE}"  # noqa: S608
        ).fetchone()
    result = PhaseResult("(b) import_sheet, end to end", rows, measured.seconds, measured.peak_mb)
    result.ok = measured.exit_code == 0 and summary.get("created") == rows and stored == rows
    result.notes.append(
        f"(b) JSON: rows {summary.get('rows')}, created {summary.get('created')}, "
        f"rejected {summary.get('rejected')}; table holds {stored:,} orders, {attributed:,} "
        f"attributed to a store, net ¥{net:,.2f}"
        + ("" if result.ok else f"  <-- expected created == {rows:,}")
    )
    if not result.ok:
        errors = summary.get("errors") or []
        detail = summary.get("refused") or (errors[0] if errors else measured.stderr[-2000:])
        result.notes.append(f"(b) FAILED: {detail}")
    return result


def print_report(read: PhaseResult, ours: PhaseResult) -> None:
    print(f"{'phase':<36} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'peak MB':>8}")
    for result in (read, ours):
        print(
            f"{result.label:<36} {result.rows:>10,} {result.seconds:>9.2f} "
            f"{result.rows_per_second:>10,.0f} {result.peak_mb:>8,.0f}"
            + ("" if result.ok else "  FAILED")
        )
        for note in result.notes:
            print(f"  {note}")
    print()
    print(f"{'figure':<40} {'measured':>12} {'goal':>14}  verdict")
    b_over_a = ours.seconds_per_row / read.seconds_per_row
    print(
        f"{'b/a  time per row, ours / calamine':<40} {f'{b_over_a:.1f}x':>12} {'<= 3x':>14}  "
        f"{verdict(b_over_a <= GOAL_B_OVER_A)}"
    )
    print(
        f"{'peak memory of (b)':<40} {f'{ours.peak_mb:,.0f} MB':>12} "
        f"{f'< {GOAL_PEAK_MB:,.0f} MB':>14}  {verdict(ours.peak_mb < GOAL_PEAK_MB)}"
        "  (the POS import's goal)"
    )


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/import_youzan.py",
        description=(
            "Time reading a Youzan order-level .xlsx with python-calamine and our "
            "import_sheet, on a PostgreSQL database of the benchmark's own."
        ),
    )
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help=f"orders (default {DEFAULT_ROWS:,})"
    )
    parser.add_argument("--keep-file", type=Path, help="write the generated .xlsx here and keep it")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"the benchmark's own database, dropped and recreated ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="leave the database for profiling"
    )
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.rows <= MAX_DATA_ROWS:
        parser.error(f"--rows must be between 1 and {MAX_DATA_ROWS:,} (one sheet)")
    return arguments


def run_benchmark(arguments: argparse.Namespace) -> int:
    database = BenchDatabase(arguments.database_url)
    database.check()
    rows = arguments.rows
    work = Path(tempfile.mkdtemp(prefix="bench_youzan_"))
    env = child_environment(database, work / "var")
    try:
        cpus = len(os.sched_getaffinity(0))
        print(f"Youzan order import benchmark: {rows:,} orders, {cpus} CPUs")
        done = step(f"creating database {database.where}")
        database.recreate()
        server = database.scalar("SHOW server_version")
        done()
        done = step("migrating")
        require_success("migrate", run_measured(manage("migrate", "--noinput", "-v", "0"), env))
        done()
        done = step("loading the demo chain (manage.py load_demo)")
        require_success("load_demo", run_measured(manage("load_demo"), env))
        stores = demo_stores(database)
        done()
        demo_orders = empty_youzan_tables(database)
        print(f"  emptied the Youzan tables ({demo_orders:,} demo orders) for (b)")

        path = arguments.keep_file or work / f"youzan_orders_{rows}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        done = step(f"writing {path.name} ({len(stores)} demo stores with a public phone)")
        salesman_lines = write_order_file(stores, rows, path)
        done()
        print(f"  file: {path} ({path.stat().st_size / 1024 / 1024:.1f} MB)")
        done = step(f"loading {len(salesman_lines):,} salesman lines (COPY)")
        load_salesman_lines(database, salesman_lines)
        done()

        read = phase_read(path, rows, env)
        ours = phase_import_sheet(path, rows, env, database)
        print()
        print(f"PostgreSQL {server} at {database.where}; {cpus} CPUs; wall-clock per process")
        print_report(read, ours)
        return 0 if read.ok and ours.ok else 1
    finally:
        if arguments.keep_database:
            print(f"database kept: {database.url}")
        else:
            database.drop()
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    try:
        return run_benchmark(parse_arguments(argv))
    except SystemExit as refused:
        # import_pos's refusals name that script; say which benchmark refused.
        if isinstance(refused.code, str):
            raise SystemExit(refused.code.replace("import_pos:", "import_youzan:", 1)) from None
        raise


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Import benchmark for POS sale lines (零售明细) on PostgreSQL.

Generates a realistic .xlsx of N sale lines, then times three phases, each in its own
process so that its peak memory is its own:

  (a) python-calamine alone: open the workbook and iterate every row of the first sheet;
  (b) `manage.py import_sheet FILE --kind pos-sales --json`, end to end;
  (c) the same rows through a django-import-export ModelResource configured for bulk imports.

Run from the project root:

    .venv/bin/python benchmarks/import_pos.py [--rows N] [--resource-rows K]
        [--keep-file PATH] [--database-url URL] [--keep-database]

The script creates, migrates and drops its own database (default `bench_import`); it never
touches the developer's database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
THIS_SCRIPT = Path(__file__).resolve()

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_import"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
# The script drops and recreates its database, so it only accepts names that say "bench".
BENCH_DATABASE_MARKER = "bench"
SALE_LINE_TABLE = "members_saleline"

SHEET_MAX_ROWS = 1_048_576
MAX_DATA_ROWS = SHEET_MAX_ROWS - 1  # one row for the header
DEFAULT_ROWS = 200_000
DEFAULT_RESOURCE_ROWS_CAP = 200_000
FULL_SHEET_ROWS = MAX_DATA_ROWS

GOAL_FULL_SHEET_SECONDS = 60.0
GOAL_B_OVER_A = 3.0
GOAL_C_OVER_B = 20.0
GOAL_PEAK_MB = 1.5 * 1024

CHILD_READ_CALAMINE = "_phase-read-calamine"
CHILD_IMPORT_EXPORT = "_phase-import-export"


# --- the generated file -------------------------------------------------------------------

SHEET_TITLE = "零售明细"
REPORT_TITLE = "康宁大药房 零售明细查询（2022-10-01 至 2022-10-31）"
HEADERS = (
    "销售日期",
    "门店ID",
    "门店名称",
    "零售单号",
    "行号",
    "会员卡号",
    "商品编码",
    "商品名称",
    "规格",
    "品牌",
    "数量",
    "单价",
    "实收金额",
    "销售渠道",
    "外部订单号",
    "员工销售ID",
)
CAMPAIGN_BRAND = "薇诺娜"
STORE_CHANNEL = "门店零售"
YOUZAN_CHANNEL = "有赞小程序"
MONTH_START = datetime.datetime(2022, 10, 1)
MONTH_DAYS = 31
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
SECONDS_PER_DAY = 86_400

# name, spec, brand, unit price, relative frequency on receipts
CATALOGUE: tuple[tuple[str, str, str, float, float], ...] = (
    ("舒敏保湿特护霜", "50g", CAMPAIGN_BRAND, 268.00, 3),
    ("透明质酸修护生物膜", "25g*6片", CAMPAIGN_BRAND, 298.00, 2),
    ("柔润保湿面膜", "25ml*6片", CAMPAIGN_BRAND, 198.00, 2),
    ("清透防晒乳", "50g", CAMPAIGN_BRAND, 198.00, 1.5),
    ("舒敏保湿修护精华液", "30ml", CAMPAIGN_BRAND, 298.00, 1),
    ("极润保湿柔肤水", "120ml", CAMPAIGN_BRAND, 168.00, 1),
    ("舒敏保湿洁面乳", "80g", CAMPAIGN_BRAND, 98.00, 1.5),
    ("阿莫西林胶囊", "0.25g*24粒", "联邦", 18.50, 6),
    ("布洛芬缓释胶囊", "0.3g*20粒", "芬必得", 26.80, 6),
    ("连花清瘟胶囊", "0.35g*24粒", "以岭", 29.80, 6),
    ("感冒灵颗粒", "10g*9袋", "999", 16.50, 7),
    ("皮炎平软膏", "20g", "999", 14.80, 3),
    ("板蓝根颗粒", "10g*20袋", "白云山", 15.00, 5),
    ("维生素C咀嚼片", "60片", "汤臣倍健", 78.00, 3),
    ("蛋白粉", "450g", "汤臣倍健", 298.00, 1),
    ("氨糖软骨素钙片", "1.02g*60片", "汤臣倍健", 198.00, 1),
    ("碳酸钙D3片", "600mg*60片", "钙尔奇", 89.00, 2),
    ("医用外科口罩", "10只", "稳健", 12.80, 8),
    ("医用棉签", "100支", "稳健", 5.90, 4),
    ("创可贴", "100片", "云南白药", 19.90, 4),
    ("云南白药气雾剂", "85g+30g", "云南白药", 49.80, 2),
    ("藿香正气水", "10ml*10支", "太极", 12.00, 4),
    ("六味地黄丸", "200丸", "同仁堂", 28.00, 3),
    ("安宫牛黄丸", "3g*1丸", "同仁堂", 780.00, 0.3),
    ("片仔癀", "3g*1粒", "片仔癀", 720.00, 0.3),
    ("健胃消食片", "0.8g*32片", "江中", 13.50, 4),
    ("复方丹参滴丸", "27mg*180丸", "天士力", 32.00, 3),
    ("特安舒缓修护乳", "40ml", "理肤泉", 228.00, 1),
    ("B5修复霜", "40ml", "理肤泉", 198.00, 1),
    ("舒泉调理喷雾", "150ml", "雅漾", 150.00, 1),
    ("碘伏消毒液", "100ml", "海氏海诺", 8.50, 3),
    ("马应龙麝香痔疮膏", "10g", "马应龙", 24.80, 2),
    ("氯雷他定片", "10mg*6片", "开瑞坦", 23.80, 3),
    ("奥美拉唑肠溶胶囊", "20mg*14粒", "洛赛克", 45.00, 2),
    ("硝苯地平控释片", "30mg*7片", "拜新同", 33.50, 3),
    ("二甲双胍缓释片", "0.5g*30片", "格华止", 39.00, 3),
    ("电子体温计", "1支", "欧姆龙", 45.00, 1),
    ("电子血压计", "1台", "欧姆龙", 399.00, 0.3),
)
LINES_PER_RECEIPT = (1, 2, 3, 4)
LINES_PER_RECEIPT_WEIGHTS = (50, 28, 14, 8)
MEMBER_RECEIPT_SHARE = 0.70
# Of the member receipts, the share whose card is a demo member's (so some lines join to a
# member); the others carry cards of members the demo does not hold, as a month of POS
# lines from a real chain does.
KNOWN_MEMBER_SHARE = 0.25
YOUZAN_RECEIPT_SHARE = 0.02
QUANTITIES = (1, 2, 3, 5)
QUANTITY_WEIGHTS = (80, 14, 4, 2)
DISCOUNTS = (1.0, 1.0, 0.95, 0.9, 0.88)


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    spec: str
    brand: str
    price: float


@dataclass(frozen=True)
class DemoStore:
    store_id: int
    name: str
    staff_nos: tuple[str, ...]
    member_cards: tuple[str, ...]


def preamble_rows(rows: int) -> int:
    """Rows above the header: a report title and a blank row, as ERP exports have, as far
    as the sheet has room for them (a full sheet of 1,048,575 lines leaves none)."""
    return max(0, min(2, MAX_DATA_ROWS - rows))


def excel_serial(moment: datetime.datetime) -> float:
    return (moment - EXCEL_EPOCH).total_seconds() / SECONDS_PER_DAY


def sale_line_rows(stores: list[DemoStore], count: int, seed: int = 20221025) -> Iterator[tuple]:
    """`count` sale lines as cell values in HEADERS order (the sale time as an Excel serial,
    None for an empty cell), receipt by receipt."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    codes = rng.sample(range(1_000_000, 9_999_999), len(CATALOGUE))
    products = [
        Product(str(code), name, spec, brand, price)
        for code, (name, spec, brand, price, _) in zip(codes, CATALOGUE, strict=True)
    ]
    product_weights = [weight for *_, weight in CATALOGUE]
    campaign_products = [product for product in products if product.brand == CAMPAIGN_BRAND]
    written = 0
    receipt_sequence = 0
    while written < count:
        receipt_sequence += 1
        store = rng.choice(stores)
        day = rng.randrange(MONTH_DAYS)
        moment = MONTH_START + datetime.timedelta(
            days=day, seconds=rng.randrange(8 * 3600, 22 * 3600)
        )
        serial = excel_serial(moment)
        receipt_no = f"LS{store.store_id:03d}{moment:%y%m%d}{receipt_sequence:07d}"
        card_no = None
        if rng.random() < MEMBER_RECEIPT_SHARE:
            if store.member_cards and rng.random() < KNOWN_MEMBER_SHARE:
                card_no = rng.choice(store.member_cards)
            else:
                # The demo's card format, with serials above the demo's own.
                card_no = f"88{store.store_id:03d}{rng.randrange(500_000, 1_000_000):06d}"
        staff_no = rng.choice(store.staff_nos)
        youzan = rng.random() < YOUZAN_RECEIPT_SHARE
        if youzan:
            channel = YOUZAN_CHANNEL
            external_order_no = f"E{moment:%Y%m%d%H%M%S}{rng.randrange(10**8):08d}"
        else:
            channel, external_order_no = STORE_CHANNEL, None
        lines = rng.choices(LINES_PER_RECEIPT, LINES_PER_RECEIPT_WEIGHTS)[0]
        for line_no in range(1, lines + 1):
            if written >= count:
                break
            if youzan:
                product = rng.choice(campaign_products)
            else:
                product = rng.choices(products, product_weights)[0]
            qty = rng.choices(QUANTITIES, QUANTITY_WEIGHTS)[0]
            amount = round(product.price * qty * rng.choice(DISCOUNTS), 2)
            yield (
                serial,
                store.store_id,
                store.name,
                receipt_no,
                line_no,
                card_no,
                product.code,
                product.name,
                product.spec,
                product.brand,
                qty,
                product.price,
                amount,
                channel,
                external_order_no,
                staff_no,
            )
            written += 1


class SaleLineSheet:
    """One workbook written row by row (XlsxWriter constant_memory: flat memory, inline
    strings), with the report title and blank row above the header."""

    def __init__(self, path: Path, preamble: int):
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.sheet = self.workbook.add_worksheet(SHEET_TITLE)
        self.date_format = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.money_format = self.workbook.add_format({"num_format": "0.00"})
        self.sheet.set_column(0, 0, 19)
        self.sheet.set_column(3, 3, 20)
        bold = self.workbook.add_format({"bold": True})
        if preamble:
            self.sheet.write_string(0, 0, REPORT_TITLE, bold)
        for column, header in enumerate(HEADERS):
            self.sheet.write_string(preamble, column, header, bold)
        self.next_row = preamble + 1

    def add(self, values: tuple) -> None:
        sheet, row = self.sheet, self.next_row
        for column, value in enumerate(values):
            if value is None:
                continue
            if column == 0:
                sheet.write_number(row, column, value, self.date_format)
            elif column in (11, 12):
                sheet.write_number(row, column, value, self.money_format)
            elif isinstance(value, str):
                sheet.write_string(row, column, value)
            else:
                sheet.write_number(row, column, value)
        self.next_row += 1

    def close(self) -> None:
        self.workbook.close()


def write_sale_line_files(
    stores: list[DemoStore], rows: int, path: Path, prefix_rows: int, prefix_path: Path | None
) -> None:
    """The benchmark file of `rows` lines and, when asked, a second file holding its first
    `prefix_rows` lines, written in the same pass so both hold exactly the same rows."""
    preamble = preamble_rows(rows)
    sheets = [SaleLineSheet(path, preamble)]
    if prefix_path is not None:
        sheets.append(SaleLineSheet(prefix_path, preamble))
    for index, values in enumerate(sale_line_rows(stores, rows)):
        sheets[0].add(values)
        if prefix_path is not None and index < prefix_rows:
            sheets[1].add(values)
    for sheet in sheets:
        sheet.close()


# --- the database ---------------------------------------------------------------------------


class BenchmarkRefused(SystemExit):
    def __init__(self, message: str):
        super().__init__(f"import_pos: {message}")


@dataclass(frozen=True)
class BenchDatabase:
    url: str

    @property
    def parts(self):
        return urlsplit(self.url)

    @property
    def name(self) -> str:
        return self.parts.path.lstrip("/")

    @property
    def libpq_url(self) -> str:
        return urlunsplit(self.parts._replace(scheme="postgresql"))

    @property
    def maintenance_url(self) -> str:
        return urlunsplit(self.parts._replace(scheme="postgresql", path="/postgres"))

    @property
    def where(self) -> str:
        return f"{self.parts.hostname}:{self.parts.port or 5432}/{self.name}"

    def check(self) -> None:
        scheme = self.parts.scheme.split("+")[0]
        if scheme not in POSTGRES_SCHEMES:
            raise BenchmarkRefused(
                f"the benchmark measures the PostgreSQL import path (COPY into a staging table, "
                f"then one INSERT ... ON CONFLICT); '{scheme}://' is not PostgreSQL. "
                f"Pass --database-url postgres://USER@HOST:PORT/bench_import."
            )
        if BENCH_DATABASE_MARKER not in self.name:
            raise BenchmarkRefused(
                f"the database '{self.name}' would be dropped and recreated; use a database "
                f"of its own whose name contains '{BENCH_DATABASE_MARKER}' (e.g. bench_import)."
            )

    def connect(self, url: str | None = None):
        import psycopg

        try:
            return psycopg.connect(url or self.libpq_url, autocommit=True)
        except psycopg.OperationalError as error:
            raise BenchmarkRefused(f"cannot reach PostgreSQL at {self.where}: {error}") from None

    def recreate(self) -> None:
        with self.connect(self.maintenance_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with self.connect(self.maintenance_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def scalar(self, sql: str):
        with self.connect() as connection:
            return connection.execute(sql).fetchone()[0]

    def execute(self, sql: str) -> None:
        with self.connect() as connection:
            connection.execute(sql)

    def demo_stores(self) -> list[DemoStore]:
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT s.store_id, s.name, "
                "ARRAY(SELECT st.staff_no FROM stores_staff st "
                "      WHERE st.store_id = s.id ORDER BY st.staff_no), "
                "ARRAY(SELECT m.card_no FROM members_member m "
                "      WHERE m.store_id = s.id ORDER BY m.card_no) "
                "FROM stores_store s ORDER BY s.store_id"
            ).fetchall()
        return [
            DemoStore(store_id, name, tuple(staff), tuple(cards))
            for store_id, name, staff, cards in rows
            if staff
        ]


# --- running a phase ------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    exit_code: int
    stdout: str
    stderr: str

    def last_json(self) -> dict:
        for line in reversed(self.stdout.strip().splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        return {}


def run_measured(argv: list[str], env: dict[str, str]) -> Measured:
    """Run one process; its wall time and its own peak resident memory (os.wait4 reports
    the rusage of exactly that child)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            seconds=seconds,
            peak_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
            exit_code=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def manage(*arguments: str) -> list[str]:
    return [sys.executable, str(PROJECT_ROOT / "manage.py"), *arguments]


def child_environment(database: BenchDatabase, var_dir: Path) -> dict[str, str]:
    """The project's settings pointed at the bench database, with their own var and media
    folders, DEBUG off (as in production: no query log) and no Redis."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        DATABASE_URL=database.url,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="false",
        VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def require_success(step: str, measured: Measured) -> None:
    if measured.exit_code != 0:
        sys.stderr.write(measured.stdout[-4000:] + measured.stderr[-4000:])
        raise BenchmarkRefused(f"{step} failed (exit code {measured.exit_code}); output above.")


@dataclass
class PhaseResult:
    label: str
    rows: int
    seconds: float
    peak_mb: float
    ok: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def seconds_per_row(self) -> float:
        return self.seconds / self.rows if self.rows else float("inf")


# --- child processes ------------------------------------------------------------------------


def child_read_calamine(path: str) -> None:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(path)
    sheet = workbook.get_sheet_by_index(0)
    rows = 0
    for _ in sheet.iter_rows():
        rows += 1
    print(json.dumps({"sheet_rows": rows, "peak_mb": own_peak_mb()}))


def own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sale_line_resource_class():
    """The django-import-export resource for SaleLine, configured as its "Bulk imports"
    documentation advises: use_bulk with the default batch_size (None was slower in their
    tests), force_init_instance since every row is new (no instance lookup by
    import_id_fields), skip_diff (no copy and comparison per row), and a foreign-key widget
    that caches the stores instead of reading the database for each row."""
    from import_export import fields, resources, widgets

    from members.models import SaleLine
    from stores.models import Store

    def column(attribute: str, header: str, widget=None):
        return fields.Field(attribute=attribute, column_name=header, widget=widget)

    class SaleLineResource(resources.ModelResource):
        receipt_no = column("receipt_no", "零售单号", widgets.CharWidget())
        line_no = column("line_no", "行号", widgets.IntegerWidget())
        sold_at = column("sold_at", "销售日期", widgets.DateTimeWidget())
        store = column("store", "门店ID", widgets.CachedForeignKeyWidget(Store, field="store_id"))
        # The card number is stored as is (no constraint): lines may predate the member.
        member = column("member_id", "会员卡号", widgets.CharWidget(allow_blank=False))
        product_code = column("product_code", "商品编码", widgets.CharWidget())
        product_name = column("product_name", "商品名称", widgets.CharWidget())
        brand = column("brand", "品牌", widgets.CharWidget())
        qty = column("qty", "数量", widgets.DecimalWidget())
        amount = column("amount", "实收金额", widgets.DecimalWidget())
        channel = column("channel", "销售渠道", widgets.CharWidget())
        external_order_no = column("external_order_no", "外部订单号", widgets.CharWidget())
        staff_no = column("staff_no", "员工销售ID", widgets.CharWidget())

        class Meta:
            model = SaleLine
            fields = (
                "receipt_no",
                "line_no",
                "sold_at",
                "store",
                "member",
                "product_code",
                "product_name",
                "brand",
                "qty",
                "amount",
                "channel",
                "external_order_no",
                "staff_no",
            )
            import_id_fields = ("receipt_no", "line_no")
            use_bulk = True
            batch_size = 1000
            force_init_instance = True
            skip_diff = True
            skip_unchanged = False
            use_transactions = True

    return SaleLineResource


def child_import_export(path: str, preamble: int) -> None:
    started = time.perf_counter()
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    from import_export.formats.base_formats import XLSX

    setup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    # The format class the admin and the `import_export` command use: openpyxl, read-only.
    dataset = XLSX().create_dataset(Path(path).read_bytes())
    if preamble:
        # It takes the first row as the header; the title and blank row must go first.
        header = dataset[preamble - 1]
        del dataset[0:preamble]
        dataset.headers = list(header)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = sale_line_resource_class()().import_data(dataset, raise_errors=False)
    import_seconds = time.perf_counter() - started
    first_error = ""
    if result.has_errors():
        errors = result.base_errors or [e for row in result.row_errors() for e in row[1]]
        first_error = repr(errors[0].error) if errors else "unknown"
    elif result.has_validation_errors():
        first_error = str(result.invalid_rows[0].error)
    print(
        json.dumps(
            {
                "rows": len(dataset),
                "totals": dict(result.totals),
                "first_error": first_error,
                "setup_seconds": setup_seconds,
                "load_seconds": load_seconds,
                "import_seconds": import_seconds,
                "peak_mb": own_peak_mb(),
            }
        )
    )


# --- the benchmark --------------------------------------------------------------------------


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/import_pos.py",
        description=(
            "Time reading a POS sale-lines .xlsx with python-calamine, our import_sheet, "
            "and django-import-export, on a PostgreSQL database of the benchmark's own."
        ),
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_ROWS,
        help=f"sale lines in the file (default {DEFAULT_ROWS:,}; {FULL_SHEET_ROWS} fills a sheet)",
    )
    parser.add_argument(
        "--resource-rows",
        type=int,
        default=None,
        help=(
            "lines for django-import-export, the first K of the file "
            f"(default: all, at most {DEFAULT_RESOURCE_ROWS_CAP:,}; 0 skips it)"
        ),
    )
    parser.add_argument("--keep-file", type=Path, help="write the generated .xlsx here and keep it")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=(
            "the benchmark's own PostgreSQL database, dropped and recreated "
            f"(default {DEFAULT_DATABASE_URL})"
        ),
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="leave the database (demo chain loaded, sale lines emptied) for profiling",
    )
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.rows <= MAX_DATA_ROWS:
        parser.error(f"--rows must be between 1 and {MAX_DATA_ROWS:,} (one sheet)")
    if arguments.resource_rows is None:
        arguments.resource_rows = min(arguments.rows, DEFAULT_RESOURCE_ROWS_CAP)
    if not 0 <= arguments.resource_rows <= arguments.rows:
        parser.error("--resource-rows must be between 0 and --rows")
    return arguments


def step(message: str) -> Callable[[], None]:
    """Print what is being done now, and how long it took once the returned call is made."""
    print(f"  {message} ...", end="", flush=True)
    started = time.perf_counter()
    return lambda: print(f" {time.perf_counter() - started:.1f} s", flush=True)


def run_benchmark(arguments: argparse.Namespace) -> int:
    database = BenchDatabase(arguments.database_url)
    database.check()
    rows, resource_rows = arguments.rows, arguments.resource_rows
    work = Path(tempfile.mkdtemp(prefix="bench_import_"))
    env = child_environment(database, work / "var")
    try:
        cpus = len(os.sched_getaffinity(0))
        print(f"POS sale-lines import benchmark: {rows:,} lines, {cpus} CPUs")
        done = step(f"creating database {database.where}")
        database.recreate()
        server = database.scalar("SHOW server_version")
        done()
        done = step("migrating")
        require_success("migrate", run_measured(manage("migrate", "--noinput", "-v", "0"), env))
        done()
        done = step("loading the demo chain (manage.py load_demo)")
        require_success("load_demo", run_measured(manage("load_demo"), env))
        stores = database.demo_stores()
        done()
        demo_lines = database.scalar(f"SELECT COUNT(*) FROM {SALE_LINE_TABLE}")  # noqa: S608
        database.execute(f"TRUNCATE {SALE_LINE_TABLE}")
        print(f"  emptied the sale-lines table ({demo_lines:,} demo lines) for (b)")

        path = arguments.keep_file or work / f"pos_sales_{rows}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        prefix_path = None
        if 0 < resource_rows < rows:
            prefix_path = work / f"pos_sales_{resource_rows}_prefix.xlsx"
        done = step(f"writing {path.name} ({len(stores)} demo stores, XlsxWriter constant_memory)")
        write_sale_line_files(stores, rows, path, resource_rows, prefix_path)
        done()
        preamble = preamble_rows(rows)
        layout = {
            2: "report title + blank row above the header",
            1: "report title above the header",
            0: "header in row 1 (no room for a report title in a full sheet)",
        }[preamble]
        print(f"  file: {path} ({path.stat().st_size / 1024 / 1024:.1f} MB; {layout})")

        results = [phase_read(path, rows, env)]
        results.append(phase_import_sheet(path, rows, env, database))
        database.execute(f"TRUNCATE {SALE_LINE_TABLE}")
        if resource_rows:
            results.append(
                phase_import_export(prefix_path or path, resource_rows, preamble, env, database)
            )
            database.execute(f"TRUNCATE {SALE_LINE_TABLE}")
        print()
        print(f"PostgreSQL {server} at {database.where}; {cpus} CPUs; wall-clock per process")
        print_report(results, rows)
        return 0 if all(result.ok for result in results) else 1
    finally:
        if arguments.keep_database:
            print(f"database kept: {database.url}")
        else:
            database.drop()
        shutil.rmtree(work, ignore_errors=True)


def phase_read(path: Path, rows: int, env: dict[str, str]) -> PhaseResult:
    done = step("(a) python-calamine: open and iterate every row")
    measured = run_measured([sys.executable, str(THIS_SCRIPT), CHILD_READ_CALAMINE, str(path)], env)
    done()
    require_success("phase (a)", measured)
    sheet_rows = measured.last_json()["sheet_rows"]
    result = PhaseResult("(a) python-calamine, read only", rows, measured.seconds, measured.peak_mb)
    result.notes.append(f"(a) iterated {sheet_rows:,} sheet rows (header and title included)")
    return result


def phase_import_sheet(
    path: Path, rows: int, env: dict[str, str], database: BenchDatabase
) -> PhaseResult:
    done = step("(b) manage.py import_sheet --kind pos-sales --json")
    measured = run_measured(manage("import_sheet", str(path), "--kind", "pos-sales", "--json"), env)
    done()
    summary = measured.last_json()
    stored = database.scalar(f"SELECT COUNT(*) FROM {SALE_LINE_TABLE}")  # noqa: S608
    result = PhaseResult("(b) import_sheet, end to end", rows, measured.seconds, measured.peak_mb)
    result.ok = measured.exit_code == 0 and summary.get("created") == rows and stored == rows
    result.notes.append(
        f"(b) JSON: rows {summary.get('rows')}, created {summary.get('created')}, "
        f"rejected {summary.get('rejected')}; table holds {stored:,}"
        + ("" if result.ok else f"  <-- expected created == {rows:,}")
    )
    if not result.ok:
        errors = summary.get("errors") or []
        detail = summary.get("refused") or (errors[0] if errors else measured.stderr[-2000:])
        result.notes.append(f"(b) FAILED: {detail}")
    return result


def phase_import_export(
    path: Path, rows: int, preamble: int, env: dict[str, str], database: BenchDatabase
) -> PhaseResult:
    done = step(f"(c) django-import-export, {rows:,} lines")
    measured = run_measured(
        [sys.executable, str(THIS_SCRIPT), CHILD_IMPORT_EXPORT, str(path), str(preamble)], env
    )
    done()
    report = measured.last_json()
    stored = database.scalar(f"SELECT COUNT(*) FROM {SALE_LINE_TABLE}")  # noqa: S608
    result = PhaseResult(
        "(c) django-import-export, use_bulk", rows, measured.seconds, measured.peak_mb
    )
    created = report.get("totals", {}).get("new")
    result.ok = measured.exit_code == 0 and not report.get("first_error") and stored == rows
    if report:
        result.notes.append(
            f"(c) dataset loaded with import_export's XLSX format class (openpyxl read-only) "
            f"in {report['load_seconds']:.1f} s; import_data {report['import_seconds']:.1f} s; "
            f"Django start-up {report['setup_seconds']:.1f} s; new {created}, table holds "
            f"{stored:,}"
        )
    if not result.ok:
        detail = report.get("first_error") or measured.stderr[-2000:]
        result.notes.append(f"(c) FAILED: {detail}")
    return result


def verdict(met: bool) -> str:
    return "met" if met else "not met"


def print_report(results: list[PhaseResult], rows: int) -> None:
    print(f"{'phase':<36} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'peak MB':>8}")
    for result in results:
        print(
            f"{result.label:<36} {result.rows:>10,} {result.seconds:>9.2f} "
            f"{result.rows_per_second:>10,.0f} {result.peak_mb:>8,.0f}"
            + ("" if result.ok else "  FAILED")
        )
    for result in results:
        for note in result.notes:
            print(f"  {note}")
    phases = {result.label[:3]: result for result in results}
    read, ours, theirs = phases["(a)"], phases["(b)"], phases.get("(c)")
    print()
    print(f"{'figure':<40} {'measured':>12} {'goal':>14}  verdict")

    def line(figure: str, measured: str, goal: str, met: bool | None) -> None:
        status = "projection only" if met is None else verdict(met)
        print(f"{figure:<40} {measured:>12} {goal:>14}  {status}")

    b_over_a = ours.seconds_per_row / read.seconds_per_row
    line(
        "b/a  time per row, ours / calamine", f"{b_over_a:.1f}x", "<= 3x", b_over_a <= GOAL_B_OVER_A
    )
    if theirs is not None:
        c_over_b = theirs.seconds_per_row / ours.seconds_per_row
        line(
            "c/b  time per row, import-export / ours",
            f"{c_over_b:.1f}x",
            ">= 20x",
            c_over_b >= GOAL_C_OVER_B,
        )
        if theirs.rows != ours.rows:
            print(f"     (c) ran on the first {theirs.rows:,} of {ours.rows:,} lines; per row")
    line(
        "peak memory of (b)",
        f"{ours.peak_mb:,.0f} MB",
        f"< {GOAL_PEAK_MB:,.0f} MB",
        ours.peak_mb < GOAL_PEAK_MB,
    )
    if rows == FULL_SHEET_ROWS:
        line(
            f"(b) {FULL_SHEET_ROWS:,} lines end to end",
            f"{ours.seconds:.1f} s",
            f"< {GOAL_FULL_SHEET_SECONDS:.0f} s",
            ours.seconds < GOAL_FULL_SHEET_SECONDS,
        )
    else:
        projected = ours.seconds_per_row * FULL_SHEET_ROWS
        line(
            f"(b) {FULL_SHEET_ROWS:,} lines, projected",
            f"~{projected:.0f} s",
            f"< {GOAL_FULL_SHEET_SECONDS:.0f} s",
            None,
        )
        print(
            f"     (linear projection from {rows:,} lines; run --rows {FULL_SHEET_ROWS} to measure)"
        )


def main(argv: list[str]) -> int:
    if argv[:1] == [CHILD_READ_CALAMINE]:
        child_read_calamine(argv[1])
        return 0
    if argv[:1] == [CHILD_IMPORT_EXPORT]:
        child_import_export(argv[1], int(argv[2]))
        return 0
    return run_benchmark(parse_arguments(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

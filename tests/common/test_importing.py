"""The import pipeline's promises: all or nothing, honest counts, reports a person can use."""

import datetime
import json
from decimal import Decimal

import openpyxl
import pytest

from common.errors import Conflict
from common.importing import (
    error_report_write,
    file_sha256,
    import_file,
    import_job_create,
    import_job_run,
)
from common.models import ImportJob
from members.models import SaleLine
from tests.factories import StoreFactory
from tests.sheetfiles import POS_HEADERS, import_sheet, pos_rows, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

SUMMARY_KEYS = {"kind", "rows", "created", "updated", "unchanged", "rejected", "errors"}
# Sheet row → (column, bad value): row 1 is the header, so sheet row n is pos_rows()[n - 2].
BAD_CELLS = {
    101: ("实收金额", "十元"),
    502: ("销售日期", "2022-13-45"),
    803: ("门店ID", 999),
}
BAD_ERRORS = [
    {"row": 101, "column": "实收金额", "message": "'十元' 不是有效的数字"},
    {"row": 502, "column": "销售日期", "message": "'2022-13-45' 不是有效的日期时间"},
    {"row": 803, "column": "门店ID", "message": "门店ID 999 不存在，请先导入门店与员工名单"},
]


@pytest.fixture(autouse=True)
def stores():
    return [StoreFactory(store_id=307), StoreFactory(store_id=512)]


def pos_file(path, count=1000, *, bad=None, changes=None):
    """A POS sale-lines export of `count` lines; `bad` and `changes` map sheet rows to
    {header: value} to put in them."""
    rows = pos_rows(count)
    for sheet_row, cells in {**(bad or {}), **(changes or {})}.items():
        for header, value in cells.items():
            rows[sheet_row - 2][POS_HEADERS.index(header)] = value
    return write_xlsx(path, [POS_HEADERS, *rows])


def bad_pos_file(tmp_path):
    return pos_file(
        tmp_path / "零售明细.xlsx",
        bad={row: {column: value} for row, (column, value) in BAD_CELLS.items()},
    )


def test_three_bad_rows_among_1000_write_nothing_and_are_reported_exactly(tmp_path):
    path = bad_pos_file(tmp_path)

    run = import_sheet(path)
    as_json = import_sheet(path, "--json")

    assert run.status == as_json.status == 1
    assert run.stderr.splitlines() == [
        "第 101 行 实收金额: '十元' 不是有效的数字",
        "第 502 行 销售日期: '2022-13-45' 不是有效的日期时间",
        "第 803 行 门店ID: 门店ID 999 不存在，请先导入门店与员工名单",
    ]
    assert "有 3 行无法导入，整个文件未写入任何数据" in run.stdout
    assert as_json.json == {
        "kind": "pos-sales",
        "rows": 1000,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 3,
        "errors": BAD_ERRORS,
    }
    assert not SaleLine.objects.exists()


def test_skip_invalid_writes_the_997_good_rows(tmp_path):
    path = bad_pos_file(tmp_path)

    run = import_sheet(path, "--skip-invalid")

    assert run.status == 0
    assert "新增 997" in run.stdout
    assert "跳过错误行 3 行" in run.stdout
    assert len(run.stderr.splitlines()) == 3
    assert SaleLine.objects.count() == 997
    written = set(SaleLine.objects.values_list("receipt_no", "line_no"))
    assert {("R0000033", 1), ("R0000166", 3), ("R0000267", 1)}.isdisjoint(written)
    assert {("R0000033", 2), ("R0000166", 2), ("R0000267", 2)} <= written


def test_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = pos_file(tmp_path / "零售明细.xlsx")

    first = import_sheet(path, "--json")
    second = import_sheet(path)
    second_json = import_sheet(path, "--json")

    assert (first.status, first.json["created"]) == (0, 1000)
    assert second.status == 0
    assert "没有任何改动" in second.stdout
    assert {key: second_json.json[key] for key in ("created", "updated", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "unchanged": 1000,
    }
    assert SaleLine.objects.count() == 1000


def test_a_later_export_with_changed_values_updates_those_records(tmp_path):
    pos_file(tmp_path / "1025.xlsx", 30)
    assert import_sheet(tmp_path / "1025.xlsx").status == 0
    first_amount = SaleLine.objects.get(receipt_no="R0000001", line_no=2).amount
    later = pos_file(
        tmp_path / "1026.xlsx",
        33,
        changes={6: {"实收金额": "0.00"}, 7: {"会员卡号": "C-NEW"}},
    )

    run = import_sheet(later, "--json")

    assert run.status == 0
    assert {key: run.json[key] for key in ("created", "updated", "unchanged")} == {
        "created": 3,
        "updated": 2,
        "unchanged": 28,
    }
    assert first_amount == Decimal("4.98")
    assert SaleLine.objects.get(receipt_no="R0000001", line_no=2).amount == Decimal("0.00")
    assert SaleLine.objects.get(receipt_no="R0000001", line_no=3).member_id == "C-NEW"
    assert SaleLine.objects.count() == 33


def test_dry_run_writes_nothing_but_reports_what_it_would(tmp_path):
    path = pos_file(tmp_path / "零售明细.xlsx", 30)

    run = import_sheet(path, "--dry-run", "--json")
    text = import_sheet(path, "--dry-run")

    assert run.status == text.status == 0
    assert (run.json["rows"], run.json["created"], run.json["updated"]) == (30, 30, 0)
    assert text.stdout.startswith("试运行（未写入）：共 30 行：新增 30，更新 0，未变 0。")
    assert not SaleLine.objects.exists()

    assert import_sheet(path).status == 0
    changed = pos_file(tmp_path / "1026.xlsx", 30, changes={2: {"实收金额": "1.00"}})
    run = import_sheet(changed, "--dry-run", "--json")

    assert (run.json["created"], run.json["updated"], run.json["unchanged"]) == (0, 1, 29)
    assert SaleLine.objects.get(receipt_no="R0000000", line_no=1).amount == Decimal("0.98")


def test_dry_run_with_skip_invalid_counts_the_rows_it_would_write(tmp_path):
    run = import_sheet(bad_pos_file(tmp_path), "--dry-run", "--skip-invalid", "--json")

    assert run.status == 0
    assert (run.json["created"], run.json["rejected"]) == (997, 3)
    assert not SaleLine.objects.exists()


def test_dry_run_of_a_file_with_bad_rows_says_it_would_write_nothing(tmp_path):
    run = import_sheet(bad_pos_file(tmp_path), "--dry-run")

    assert run.status == 1
    assert run.stdout.startswith("试运行：有 3 行无法导入，整个文件未写入任何数据。")
    assert "没有任何改动" not in run.stdout
    assert len(run.stderr.splitlines()) == 3
    assert not SaleLine.objects.exists()


def test_duplicates_inside_the_file_are_reported(tmp_path):
    rows = pos_rows(6)
    rows[4][2:4] = rows[1][2:4]
    path = write_xlsx(tmp_path / "零售明细.xlsx", [POS_HEADERS, *rows])

    run = import_sheet(path, "--json")

    assert run.status == 1
    assert run.json["errors"] == [{"row": 6, "column": "零售单号+行号", "message": "与第 3 行重复"}]
    assert not SaleLine.objects.exists()


def test_lines_without_a_line_number_take_their_position_in_the_receipt(tmp_path):
    headers = [header for header in POS_HEADERS if header != "行号"]
    rows = [[value for i, value in enumerate(row) if i != 3] for row in pos_rows(6)]
    path = write_csv(tmp_path / "零售明细.csv", [headers, *rows])

    assert import_sheet(path).status == 0
    assert import_sheet(path, "--json").json["unchanged"] == 6

    lines = SaleLine.objects.order_by("receipt_no", "line_no")
    assert list(lines.values_list("receipt_no", "line_no")) == [
        (receipt, line) for receipt in ("R0000000", "R0000001") for line in (1, 2, 3)
    ]


def test_the_error_report_lists_the_rejected_rows_with_their_messages(tmp_path):
    path = bad_pos_file(tmp_path)
    result = import_file(path, file_name=path.name)
    report = tmp_path / "错误行.xlsx"

    error_report_write(result, report)

    sheet = openpyxl.load_workbook(report, read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["行号", "列", "问题", *POS_HEADERS]
    assert [row[:3] for row in rows[1:]] == [
        [error["row"], error["column"], error["message"]] for error in BAD_ERRORS
    ]
    by_header = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [row["实收金额"] for row in by_header] == ["十元", "0.98", "301.98"]
    assert [row["销售日期"] for row in by_header][1] == "2022-13-45"
    assert [row["门店ID"] for row in by_header] == ["512", "307", "999"]
    assert by_header[2]["零售单号"] == "R0000267"


def test_the_same_file_cannot_be_imported_twice_at_the_same_moment(tmp_path):
    path = pos_file(tmp_path / "零售明细.xlsx", 30)
    sha256 = file_sha256(path)
    first = import_job_create(file_name=path.name, sha256=sha256)

    with pytest.raises(Conflict, match=f"该文件正在导入中（导入 #{first.pk}）"):
        import_job_create(file_name="改名的副本.xlsx", sha256=sha256)
    blocked = import_sheet(path, "--json")
    assert blocked.status == 1
    assert blocked.json["refused"].startswith("该文件正在导入中")

    result = import_job_run(first, path, progress=lambda done, total: None)

    assert result.created == 30
    first.refresh_from_db()
    assert (first.lock_key, first.created, first.detected_kind) == (None, 30, "pos-sales")
    again = import_job_create(file_name=path.name, sha256=sha256)
    assert again.pk != first.pk
    assert ImportJob.objects.filter(lock_key=sha256).get() == again


def test_a_refused_file_releases_the_lock(tmp_path):
    path = tmp_path / "空.csv"
    path.write_bytes(b"")
    job = import_job_create(file_name=path.name, sha256=file_sha256(path))

    assert import_job_run(job, path, progress=lambda done, total: None).refused == "文件是空的。"
    assert import_job_create(file_name=path.name, sha256=file_sha256(path)).pk != job.pk


def one_json_object(stdout: str) -> dict:
    decoder = json.JSONDecoder()
    value, end = decoder.raw_decode(stdout)
    assert stdout[end:].strip() == ""
    assert isinstance(value, dict)
    return value


def test_json_output_is_one_object_and_exit_status_says_whether_it_was_written(tmp_path):
    good = pos_file(tmp_path / "good.xlsx", 30)
    bad = bad_pos_file(tmp_path)
    not_a_sheet = tmp_path / "x.xlsx"
    not_a_sheet.write_bytes(b"GIF89a" + bytes(100))

    runs = {
        "dry run": import_sheet(good, "--json", "--dry-run"),
        "written": import_sheet(good, "--json"),
        "rejected rows": import_sheet(bad, "--json"),
        "dry run, rejected rows": import_sheet(bad, "--json", "--dry-run"),
        "skipped rows": import_sheet(bad, "--json", "--skip-invalid"),
        "refused file": import_sheet(not_a_sheet, "--json"),
        "missing file": import_sheet(tmp_path / "missing.xlsx", "--json"),
    }

    assert {name: run.status for name, run in runs.items()} == {
        "dry run": 0,
        "written": 0,
        "rejected rows": 1,
        "dry run, rejected rows": 1,
        "skipped rows": 0,
        "refused file": 1,
        "missing file": 1,
    }
    summaries = {name: one_json_object(run.stdout) for name, run in runs.items()}
    refused = {"refused file", "missing file"}
    for name, summary in summaries.items():
        expected_keys = SUMMARY_KEYS | ({"refused"} if name in refused else set())
        assert set(summary) == expected_keys, name
    assert summaries["refused file"]["refused"].startswith("文件扩展名是 .xlsx")
    assert summaries["missing file"]["refused"].startswith("找不到文件")
    assert all(run.stderr == "" for run in runs.values())


def test_amounts_are_rounded_half_up_to_the_fen_and_reimport_unchanged(tmp_path):
    rows = pos_rows(3)
    rows[0][9], rows[1][9], rows[2][9] = 0.1, "0.105", "1,234,567.89"
    rows[2][0] = datetime.datetime(2022, 10, 25, 23, 59, 59)
    path = write_xlsx(tmp_path / "零售明细.xlsx", [POS_HEADERS, *rows])

    assert import_sheet(path).status == 0

    assert list(SaleLine.objects.order_by("line_no").values_list("amount", flat=True)) == [
        Decimal("0.10"),
        Decimal("0.11"),
        Decimal("1234567.89"),
    ]
    assert import_sheet(path, "--json").json["unchanged"] == 3


def test_a_line_keeps_its_place_in_the_receipt_when_a_line_before_it_is_rejected(tmp_path):
    """Without a 行号 column a line's number is its place in the receipt; a rejected line
    still holds its place, so re-importing the corrected file only adds that line."""
    header = [h for h in POS_HEADERS if h != "行号"]
    lines = [row[:3] + row[4:] for row in pos_rows(3)]
    broken = [*lines[:1], [*lines[1][:-1], "abc"], *lines[2:]]
    first = import_sheet(
        write_xlsx(tmp_path / "a.xlsx", [header, *broken]), "--skip-invalid", "--json"
    )
    assert (first.json["created"], first.json["rejected"]) == (2, 1)
    assert sorted(SaleLine.objects.values_list("line_no", flat=True)) == [1, 3]

    again = import_sheet(write_xlsx(tmp_path / "b.xlsx", [header, *lines]), "--json")
    assert (again.json["created"], again.json["updated"], again.json["unchanged"]) == (1, 0, 2)

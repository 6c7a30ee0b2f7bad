"""One import pipeline for every spreadsheet kind.

A kind (in its app's ``importers.py``) declares its fields with their accepted headers and
how to write its rows; the pipeline does the rest the same way for every kind: checks the
file, finds the header row and the kind, converts and validates every row, stages the
valid rows in a temporary table (COPY on PostgreSQL, batched inserts on SQLite), runs the
set-based checks, counts what would change, and writes everything in one statement and
one transaction, or nothing at all.
"""

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from common.db import refresh_planner_statistics
from common.errors import Conflict, ServiceError
from common.jobs import JobOutcome, Progress, job_handler
from common.models import ImportJob, Job
from common.sheets import (
    HEADER_SEARCH_ROWS,
    CellError,
    RefusedFile,
    check_file,
    clean_text,
    normalize_header,
    open_sheet,
    read_text,
)
from common.spreadsheets import Column, Sheet, write_xlsx

STAGE_BATCH = 20_000
# Past this many rows a write changes the tables enough for the planner to need new figures.
BULK_ROWS = 10_000


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    read: Callable[[Any], Any] = read_text
    required: bool = True  # the file must have the column
    blank: bool = False  # a row may leave it empty

    @property
    def label(self) -> str:
        return self.aliases[0]


@dataclass(frozen=True)
class Issue:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class RowError(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field_name = field_name
        self.message = message


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class StagedWriter:
    """Writes a kind's rows into one model by natural key through a temporary table.

    `columns` are model field names in the order a kind stages its values; `key` is the
    natural key (a unique constraint of the model); the model keeps created_at/updated_at.
    """

    table = "import_stage"

    def __init__(self, model: type[models.Model], *, key: Sequence[str], columns: Sequence[str]):
        self.model = model
        self.key = tuple(key)
        self.columns = tuple(columns)
        self.fields = [model._meta.get_field(name) for name in self.columns]
        self.values = [name for name in self.columns if name not in self.key]
        self.staged = 0
        self._buffer: list[tuple] = []
        self._postgres = connection.vendor == "postgresql"

    def column(self, name: str) -> str:
        return connection.ops.quote_name(self.model._meta.get_field(name).column)

    @property
    def target(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def open(self) -> None:
        definitions = ", ".join(
            f"{connection.ops.quote_name(f.column)} {f.db_type(connection) or 'text'}"
            for f in self.fields
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} (row_number integer, {definitions})"
            )

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def add(self, row_number: int, values: Sequence) -> None:
        self._buffer.append((row_number, *values))
        if len(self._buffer) >= STAGE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        names = ", ".join(
            ["row_number", *(connection.ops.quote_name(f.column) for f in self.fields)]
        )
        with connection.cursor() as cursor:
            if self._postgres:
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    for row in self._buffer:
                        copy.write_row(row)
            else:
                prepared = [
                    (
                        row[0],
                        *(
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(self.fields, row[1:], strict=True)
                        ),
                    )
                    for row in self._buffer
                ]
                placeholders = ", ".join(["%s"] * (len(self.fields) + 1))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({names}) VALUES ({placeholders})", prepared
                )
        self.staged += len(self._buffer)
        self._buffer.clear()

    def drop_rows(self, row_numbers: Iterable[int]) -> None:
        numbers = sorted(set(row_numbers))
        with connection.cursor() as cursor:
            for start in range(0, len(numbers), 500):
                chunk = numbers[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {self.table} WHERE row_number IN ({placeholders})", chunk
                )
        self.staged -= len(numbers)

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """A set-based check over the staged rows: `{stage}` and `{target}` name the tables."""
        with connection.cursor() as cursor:
            cursor.execute(sql.format(stage=self.table, target=self.target), params)
            return cursor.fetchall()

    def _key_join(self) -> str:
        return " AND ".join(f"t.{self.column(name)} = s.{self.column(name)}" for name in self.key)

    def _distinct(self, left: str, right: str) -> str:
        operator = "IS DISTINCT FROM" if self._postgres else "IS NOT"
        return (
            " OR ".join(
                f"{left}.{self.column(name)} {operator} {right}.{self.column(name)}"
                for name in self.values
            )
            or "FALSE"
        )

    def count(self) -> Counts:
        if self._postgres:
            # A temporary table has no statistics until told; without them the join below
            # can take seconds instead of milliseconds on a large file.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.table}")
        changed = f"CASE WHEN {self._distinct('t', 's')} THEN 1 ELSE 0 END"
        [(existing, changed)] = self.query(
            f"SELECT COUNT(*), COALESCE(SUM({changed}), 0) "
            f"FROM {{stage}} s JOIN {{target}} t ON {self._key_join()}"
        )
        return Counts(created=self.staged - existing, updated=changed, unchanged=existing - changed)

    def write(self) -> None:
        names = ", ".join(self.column(name) for name in self.columns)
        updates = ", ".join(
            f"{self.column(name)} = excluded.{self.column(name)}"
            for name in [*self.values, "updated_at"]
        )
        keys = ", ".join(self.column(name) for name in self.key)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.target} ({names}, created_at, updated_at) "
                f"SELECT {names}, %s, %s FROM {self.table} WHERE TRUE ORDER BY {keys} "
                f"ON CONFLICT ({keys}) DO UPDATE SET {updates} "
                f"WHERE {self._distinct(self.target, 'excluded')}",
                [now, now],
            )
        if self.staged >= BULK_ROWS:
            refresh_planner_statistics(self.model)


class ImportKind:
    """A spreadsheet kind. Subclasses declare `code`, `label` and `fields`, say where the
    rows go (`make_writer`, whose key is the natural key), turn a row into the values they
    stage (`stage_values`), and may add set-based checks."""

    code: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]

    def __init__(self, options: dict):
        self.options = options

    @classmethod
    def required_headers(cls) -> list[Field]:
        return [f for f in cls.fields if f.required]

    def make_writer(self) -> StagedWriter:
        raise NotImplementedError

    def observe(self, values: dict) -> None:
        """Sees every data row, valid or not, before it is checked: for facts that depend on
        a row's place in the file (a line's position within its receipt)."""

    def stage_values(self, values: dict, row_number: int) -> Sequence:
        """The staged columns of a converted row; RowError when the row cannot be used."""
        raise NotImplementedError

    def staged_issues(self, writer: StagedWriter) -> list[Issue]:
        """Checks that need the whole file or the database, run once over the staged rows."""
        return []

    def write(self, writer: StagedWriter) -> None:
        """Write the staged rows; runs inside the import's transaction."""
        writer.write()


_kinds: dict[str, type[ImportKind]] = {}


def import_kind(cls: type[ImportKind]) -> type[ImportKind]:
    _kinds[cls.code] = cls
    return cls


def import_kinds() -> dict[str, type[ImportKind]]:
    return dict(_kinds)


@dataclass
class ImportResult:
    kind: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    written: bool = False
    refused: str = ""
    blocked: bool = False
    errors: list[Issue] = field(default_factory=list)
    rejected_rows: dict[int, list] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [issue.as_dict() for issue in self.errors],
        }

    @property
    def is_refusal(self) -> bool:
        """Nothing was (or, with dry_run, would be) written: the file or its rows were refused."""
        return bool(self.refused) or self.blocked

    def message(self, *, dry_run: bool) -> str:
        if self.refused:
            return self.refused
        if self.blocked:
            return (
                f"{'试运行：' if dry_run else ''}有 {self.rejected} 行无法导入，"
                "整个文件未写入任何数据。"
                "请修正后重新导入，或选择“跳过错误行”。"
            )
        prefix = "试运行（未写入）：" if dry_run else ""
        if not self.created and not self.updated:
            text = f"{prefix}共 {self.rows} 行，与已有数据完全相同，没有任何改动。"
        else:
            text = (
                f"{prefix}共 {self.rows} 行：新增 {self.created}，"
                f"更新 {self.updated}，未变 {self.unchanged}。"
            )
        if self.rejected:
            text += f"跳过错误行 {self.rejected} 行。"
        return text


def _detect(
    rows: list[tuple[int, list]], requested: str
) -> tuple[type[ImportKind], int, dict[str, int], list[str]]:
    """The kind, the header row's index in `rows`, field name → column index, and the
    headers as the file spells them. RefusedFile says which headers are missing."""
    candidates = [_kinds[requested]] if requested != "auto" else list(_kinds.values())
    best_missing: tuple[int, type[ImportKind], list[str]] | None = None
    for index, (_, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        normalized = [normalize_header(value) for value in values]
        matches = []
        for kind in candidates:
            columns = _map_columns(kind, normalized)
            missing = [f.label for f in kind.required_headers() if f.name not in columns]
            if not missing:
                matches.append((kind, columns))
            elif best_missing is None or len(missing) < best_missing[0]:
                best_missing = (len(missing), kind, missing)
        if len(matches) > 1:
            labels = "、".join(kind.label for kind, _ in matches)
            raise RefusedFile(f"表头同时符合多种文件类型（{labels}），请指定文件类型。")
        if matches:
            kind, columns = matches[0]
            return kind, index, columns, [str(value or "").strip() for value in values]
    if best_missing is None:
        raise RefusedFile("文件中没有任何数据。")
    _, kind, missing = best_missing
    if requested == "auto":
        raise RefusedFile(
            f"无法识别文件类型：前 {HEADER_SEARCH_ROWS} 行中找不到完整的表头。"
            f"最接近“{kind.label}”，但缺少列：{'、'.join(missing)}。"
        )
    raise RefusedFile(f"不是“{kind.label}”文件：缺少列 {'、'.join(missing)}。")


def _map_columns(kind: type[ImportKind], normalized_headers: list[str]) -> dict[str, int]:
    positions = {
        header: index for index, header in reversed(list(enumerate(normalized_headers))) if header
    }
    columns = {}
    for f in kind.fields:
        for alias in f.aliases:
            if normalize_header(alias) in positions:
                columns[f.name] = positions[normalize_header(alias)]
                break
    return columns


def _cell_readers(kind: ImportKind, columns: dict[str, int], headers: list[str]) -> list[tuple]:
    """Per field, once per file: (name, column index or None, reader, may be blank, header)."""
    return [
        (
            f.name,
            columns.get(f.name),
            f.read,
            f.blank,
            headers[columns[f.name]] if f.name in columns else f.label,
        )
        for f in kind.fields
    ]


def _convert(readers: list[tuple], values: list) -> tuple[dict, list[tuple[str, str]]]:
    converted, problems = {}, []
    width = len(values)
    for name, index, read, blank, header in readers:
        raw = values[index] if index is not None and index < width else None
        try:
            value = read(raw)
        except CellError as error:
            problems.append((header, str(error)))
            continue
        if value is None and not blank:
            problems.append((header, "不能为空"))
        converted[name] = value
    return converted, problems


def import_file(
    path: Path,
    *,
    file_name: str,
    kind: str = "auto",
    sheet_name: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    options: dict | None = None,
    progress: Progress = lambda done, total: None,
) -> ImportResult:
    """Import one file; nothing is written unless every row is valid (or skip_invalid), and
    nothing at all with dry_run."""
    result = ImportResult()
    if kind != "auto" and kind not in _kinds:
        result.refused = f"未知的文件类型：{kind}（可选：{'、'.join(_kinds)}）。"
        return result
    try:
        file_type = check_file(path, file_name)
        reader = open_sheet(path, file_type, sheet_name or None)
        head = []
        for item in reader.rows:
            head.append(item)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        kind_class, header_index, columns, headers = _detect(head, kind)
        result.kind, result.headers = kind_class.code, headers
        importer = kind_class(options or {})
    except ServiceError as refusal:
        result.refused = refusal.message
        return result
    writer = importer.make_writer()
    writer.open()
    # Reading is nine tenths of the bar; checking and writing the rest.
    whole = reader.total + reader.total // 9 + 1

    def reading(done: int, total: int) -> None:
        progress(done, whole)

    try:
        _stage_rows(
            importer, writer, result, head[header_index + 1 :], reader, columns, headers, reading
        )
        writer.flush()
        staged_issues = importer.staged_issues(writer)
        if staged_issues:
            result.errors.extend(staged_issues)
            writer.drop_rows(issue.row for issue in staged_issues)
        result.errors.sort(key=lambda issue: issue.row)
        result.rejected = len({issue.row for issue in result.errors})
        counts = writer.count()
        result.created, result.updated, result.unchanged = (
            counts.created,
            counts.updated,
            counts.unchanged,
        )
        if result.rejected and not skip_invalid:
            result.created = result.updated = result.unchanged = 0
            result.blocked = True
            return result
        if not dry_run:
            with transaction.atomic():
                importer.write(writer)
            result.written = True
        return result
    finally:
        writer.close()


def _stage_rows(importer, writer, result, head_rows, reader, columns, headers, progress) -> None:
    seen_keys: dict[tuple, int] = {}
    key_positions = [writer.columns.index(name) for name in writer.key]
    labels = {f.name: f.label for f in importer.fields}
    key_label = "+".join(labels[name] for name in writer.key if name in labels)
    readers = _cell_readers(importer, columns, headers)
    total = reader.total

    def rows():
        yield from head_rows
        yield from reader.rows

    for done, (row_number, values) in enumerate(rows(), start=1):
        if done % 5000 == 0:
            progress(done, total)
        if not any(value not in (None, "") for value in values):
            continue
        result.rows += 1
        converted, problems = _convert(readers, values)
        importer.observe(converted)
        staged = None
        if not problems:
            try:
                staged = importer.stage_values(converted, row_number)
            except RowError as error:
                index = columns.get(error.field_name)
                problems.append(
                    (headers[index] if index is not None else error.field_name, error.message)
                )
        if staged is not None and not problems:
            natural_key = tuple(staged[position] for position in key_positions)
            first = seen_keys.setdefault(natural_key, row_number)
            if first != row_number:
                problems.append((key_label, f"与第 {first} 行重复"))
        if problems:
            result.errors.extend(Issue(row_number, column, message) for column, message in problems)
            result.rejected_rows[row_number] = list(values)
            continue
        writer.add(row_number, staged)
    progress(total, total)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_job_create(
    *,
    file_name: str,
    sha256: str,
    user=None,
    kind: str = "auto",
    sheet_name: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    options: dict | None = None,
    upload=None,
) -> ImportJob:
    """The job row, holding the file's lock: a second import of the same file while the
    first runs is refused."""
    running = ImportJob.objects.filter(lock_key=sha256).first()
    if running is not None:
        raise Conflict(f"该文件正在导入中（导入 #{running.pk}），请等它完成后再试。")
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=IMPORT_JOB,
                created_by=user,
                file_name=file_name,
                file_sha256=sha256,
                lock_key=sha256,
                requested_kind=kind,
                sheet_name=sheet_name,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                params=options or {},
            )
            if upload is not None:
                job.file.save(file_name, upload, save=True)
    except IntegrityError as error:
        raise Conflict("该文件正在导入中，请等它完成后再试。") from error
    return job


def import_job_run(job: ImportJob, path: Path, progress: Progress) -> ImportResult:
    """Run the import of a job row, record its counts on it and release the file's lock."""
    try:
        result = import_file(
            path,
            file_name=job.file_name,
            kind=job.requested_kind,
            sheet_name=job.sheet_name,
            dry_run=job.dry_run,
            skip_invalid=job.skip_invalid,
            options=job.params,
            progress=progress,
        )
    finally:
        job.lock_key = None
        job.save(update_fields=["lock_key"])
    job.detected_kind, job.written, job.rows = result.kind, result.written, result.rows
    job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
    job.rejected = result.rejected
    job.save(
        update_fields=[
            "detected_kind",
            "written",
            "rows",
            "created",
            "updated",
            "unchanged",
            "rejected",
        ]
    )
    return result


def import_outcome(job: ImportJob, result: ImportResult, folder: Path) -> JobOutcome:
    """The job's outcome: the summary (at most 200 errors; the report has them all), the
    error report when rows were rejected, and a failure when nothing could be written."""
    summary = result.summary()
    summary["message"] = result.message(dry_run=job.dry_run)
    summary["errors"] = summary["errors"][:200]
    failure = summary["message"] if result.is_refusal else ""
    if not result.errors:
        return JobOutcome(result=summary, failure=failure)
    report = folder / "errors.xlsx"
    error_report_write(result, report)
    return JobOutcome(
        result={**summary, "file_name": f"错误行_{Path(job.file_name).stem}.xlsx"},
        file_name="errors.xlsx",
        file_content=report.read_bytes(),
        failure=failure,
    )


ERROR_REPORT_COLUMNS = [
    Column("行号", kind="int", width=8),
    Column("列", width=14),
    Column("问题", width=40),
]


def error_report_write(result: ImportResult, path: Path) -> None:
    """The rejected rows with their messages, then the row as it was in the file."""
    columns = [
        *ERROR_REPORT_COLUMNS,
        *(Column(header or f"第{i + 1}列") for i, header in enumerate(result.headers)),
    ]

    def rows():
        for issue in result.errors:
            original = result.rejected_rows.get(issue.row, [])
            cells = [original[i] if i < len(original) else None for i in range(len(result.headers))]
            yield (
                issue.row,
                issue.column,
                issue.message,
                *(clean_text(c) for c in cells),
            )

    write_xlsx(path, [Sheet("错误行", columns, rows())])


IMPORT_JOB = "common.import"


@job_handler(IMPORT_JOB)
def run_import_job(job: Job, progress: Progress) -> JobOutcome:
    import_job = ImportJob.objects.get(pk=job.pk)
    with import_job.file.open("rb") as upload, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(import_job.file_name).name
        with path.open("wb") as copy:
            for chunk in upload.chunks():
                copy.write(chunk)
        result = import_job_run(import_job, path, progress)
        return import_outcome(import_job, result, Path(folder))

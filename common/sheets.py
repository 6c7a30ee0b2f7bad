"""Reading the spreadsheets operations bring: .xlsx through python-calamine, .csv in UTF-8
(with or without BOM) or GB18030. Files are checked before a single row is read, and
rows come out one at a time with the sheet's own row numbers.
"""

import codecs
import csv
import datetime
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import python_calamine
from django.conf import settings
from django.utils import timezone

from common.errors import ServiceError
from common.money import to_money
from common.phones import is_mobile, normalize_phone

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
HEADER_SEARCH_ROWS = 10


class RefusedFile(ServiceError):
    """The whole file is refused before any row is read."""


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong with it, in Chinese."""


def normalize_header(text) -> str:
    """Full-width ASCII folded to half-width, every kind of space removed."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def check_file(path: Path, file_name: str) -> str:
    """'xlsx' or 'csv', or RefusedFile saying why the file cannot be read at all."""
    size = path.stat().st_size
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise RefusedFile(
            f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {limit // 1024 // 1024} MB。"
        )
    if size == 0:
        raise RefusedFile("文件是空的。")
    suffix = Path(file_name).suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(b"PK\x03\x04"):
        _check_xlsx_container(path)
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RefusedFile("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。")
    if suffix in XLSX_SUFFIXES:
        raise RefusedFile("文件扩展名是 .xlsx，但内容不是 Excel 工作簿，文件可能已损坏。")
    if suffix in CSV_SUFFIXES and b"\x00" not in head:
        return "csv"
    raise RefusedFile("无法识别的文件类型：请上传 .xlsx 或 .csv 表格文件。")


def _check_xlsx_container(path: Path) -> None:
    """A workbook is a zip; refuse one that is not a workbook or would inflate past the
    limit (a zip bomb) before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise RefusedFile("Excel 文件已损坏，无法打开。") from error
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise RefusedFile("这是一个压缩包，不是 Excel 工作簿（.xlsx）。")
    inflated = sum(member.file_size for member in members)
    if inflated > settings.IMPORT_MAX_INFLATED_BYTES:
        raise RefusedFile("Excel 文件解压后过大，已拒绝（可能是恶意文件）。")
    for member in members:
        if member.compress_size and member.file_size / member.compress_size > 500:
            raise RefusedFile("Excel 文件压缩比异常，已拒绝（可能是恶意文件）。")


@dataclass
class SheetReader:
    """Rows of one sheet as (sheet row number, values); `total` rows, for progress."""

    rows: Iterator[tuple[int, list]]
    total: int


def open_sheet(path: Path, file_type: str, sheet_name: str | None = None) -> SheetReader:
    if file_type == "xlsx":
        return _open_xlsx(path, sheet_name)
    return _open_csv(path)


def _open_xlsx(path: Path, sheet_name: str | None) -> SheetReader:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        if sheet_name:
            if sheet_name not in workbook.sheet_names:
                names = "、".join(workbook.sheet_names)
                raise RefusedFile(f"工作簿中没有名为“{sheet_name}”的工作表（现有：{names}）。")
            sheet = workbook.get_sheet_by_name(sheet_name)
        else:
            sheet = workbook.get_sheet_by_index(0)
    except RefusedFile:
        raise
    except Exception as error:
        raise RefusedFile(f"无法读取 Excel 文件：{error}") from error
    first_row = sheet.start[0] if sheet.start else 0
    rows = ((first_row + index + 1, values) for index, values in enumerate(sheet.iter_rows()))
    return SheetReader(rows=rows, total=sheet.height)


def _csv_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def _open_csv(path: Path) -> SheetReader:
    encoding = _csv_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        total = sum(1 for _ in csv.reader(handle))

    def rows() -> Iterator[tuple[int, list]]:
        with path.open(encoding=encoding, newline="") as handle:
            yield from enumerate(csv.reader(handle), start=1)

    return SheetReader(rows=rows(), total=total)


# Cell readers: each takes a raw cell (str, float, int, date, datetime or None) and returns
# the value, None for an empty cell, or raises CellError.


def clean_text(value) -> str:
    """Text with the leading tab Youzan puts before long numbers removed; whole numbers
    that Excel stored as floats (card numbers, IDs) come back without '.0'."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def read_text(value) -> str | None:
    return clean_text(value) or None


_MONEY_JUNK = re.compile(r"[¥￥,，\s元]")


def read_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(f"'{value}' 不是有效的数字")
    if isinstance(value, int | float):
        # Excel keeps numbers as doubles; their shortest repr is the number a person typed.
        return Decimal(repr(value))
    text = _MONEY_JUNK.sub("", unicodedata.normalize("NFKC", clean_text(value)))
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise CellError(f"'{clean_text(value)}' 不是有效的数字") from error
    if not number.is_finite():
        raise CellError(f"'{clean_text(value)}' 不是有效的数字")
    return number


def read_money(value) -> Decimal | None:
    number = read_decimal(value)
    if number is None:
        return None
    if abs(number) >= Decimal("1e10"):
        raise CellError(f"'{clean_text(value)}' 金额超出范围")
    return to_money(number)


def read_int(value) -> int | None:
    number = read_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(f"'{clean_text(value)}' 不是整数")
    return int(number)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M")


def read_datetime(value) -> datetime.datetime | None:
    """An aware datetime in Asia/Shanghai, from an Excel date cell, an Excel serial number
    or text such as '2022-10-25 10:11:12', '2022/10/25' or '20221025'."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        naive = value
    elif isinstance(value, datetime.date):
        naive = datetime.datetime.combine(value, datetime.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        naive = _from_serial(value)
    else:
        naive = _parse_datetime_text(clean_text(value))
    if naive.tzinfo is not None:
        return naive
    # Shanghai keeps no daylight saving, so attaching the zone is exact (and cheap per row).
    return naive.replace(microsecond=0, tzinfo=timezone.get_default_timezone())


def read_date(value) -> datetime.date | None:
    moment = read_datetime(value)
    return moment.date() if moment else None


def _from_serial(serial: float) -> datetime.datetime:
    if float(serial).is_integer() and 19000101 <= serial <= 29991231:
        # 20221025 typed as a number: a date, not a serial (that would be year 57,000).
        return _parse_datetime_text(str(int(serial)))
    if not 1 <= serial < 2958466:
        raise CellError(f"'{serial}' 不是有效的日期")
    return EXCEL_EPOCH + datetime.timedelta(seconds=round(serial * 86400))


def _parse_datetime_text(text: str) -> datetime.datetime:
    if text.replace(".", "", 1).isdigit() and len(text) != 8:
        return _from_serial(float(text))
    date_part, _, time_part = text.replace("T", " ").partition(" ")
    time_part = time_part.strip()
    for date_format in _DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(date_part, date_format)
        except ValueError:
            continue
        if not time_part:
            return day
        for time_format in _TIME_FORMATS:
            try:
                moment = datetime.datetime.strptime(time_part, time_format)
            except ValueError:
                continue
            return day.replace(hour=moment.hour, minute=moment.minute, second=moment.second)
        break
    raise CellError(f"'{text}' 不是有效的日期时间")


def read_phone(value) -> str | None:
    """A valid mainland mobile, normalised; CellError for anything else that is not empty."""
    raw = clean_text(value)
    if not raw:
        return None
    phone = normalize_phone(raw)
    if not is_mobile(phone):
        raise CellError(f"'{raw}' 不是有效的手机号")
    return phone


def read_phone_or_blank(value) -> str | None:
    """A valid mobile or nothing: for records kept even when their phone cannot be called."""
    try:
        return read_phone(value)
    except CellError:
        return None

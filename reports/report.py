"""The nightly report (issue 6, item 3): a workbook per campaign and day built from the
nightly snapshots (regions, stores, staff, zero stores, staff behind the callback quota),
kept for the whole chain and built per region for its lead, and e-mailed to both."""

import datetime
import smtplib
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, QuerySet

from campaigns.models import Campaign
from common.dates import heading_date
from common.spreadsheets import Column, Sheet, write_xlsx
from reports.models import NightlyMail, NightlyReport, RegionDay, StaffDay, StoreDay
from stores.models import Region

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_QUERY = 2000

REGION_COLUMNS = (
    Column("排名", "int", 6),
    Column("片区", "text", 14),
    Column("片长", "text", 10),
    Column("当日预售", "money"),
    Column("当日单数", "int", 10),
    Column("累计预售", "money"),
    Column("累计销售", "money"),
    Column("目标", "money"),
    Column("完成率", "percent", 10),
    Column("回访会员", "int", 10),
    Column("当日回访", "int", 10),
    Column("累计回访", "int", 10),
    Column("挂0门店数", "int", 10),
)
STORE_COLUMNS = (
    Column("排名", "int", 6),
    Column("片区内排名", "int", 10),
    Column("门店ID", "int", 8),
    Column("门店名称", "text", 20),
    Column("片区", "text", 14),
    Column("当日预售", "money"),
    Column("当日单数", "int", 10),
    Column("累计预售", "money"),
    Column("累计销售", "money"),
    Column("目标", "money"),
    Column("完成率", "percent", 10),
    Column("回访会员", "int", 10),
    Column("当日回访", "int", 10),
    Column("累计回访", "int", 10),
    Column("挂0", "text", 6),
)
STAFF_COLUMNS = (
    Column("排名", "int", 6),
    Column("员工销售ID", "text", 12),
    Column("姓名", "text", 10),
    Column("门店ID", "int", 8),
    Column("门店名称", "text", 20),
    Column("片区", "text", 14),
    Column("当日预售", "money"),
    Column("当日单数", "int", 10),
    Column("累计预售", "money"),
    Column("目标", "money"),
    Column("完成率", "percent", 10),
    Column("当日回访", "int", 10),
    Column("每日回访指标", "int", 12),
    Column("累计回访", "int", 10),
)
ZERO_STORE_COLUMNS = (
    Column("门店ID", "int", 8),
    Column("门店名称", "text", 20),
    Column("片区", "text", 14),
    Column("门店邮箱", "text", 24),
    Column("累计预售", "money"),
    Column("累计销售", "money"),
    Column("目标", "money"),
)
BEHIND_QUOTA_COLUMNS = (
    Column("员工销售ID", "text", 12),
    Column("姓名", "text", 10),
    Column("门店ID", "int", 8),
    Column("门店名称", "text", 20),
    Column("片区", "text", 14),
    Column("当日回访", "int", 10),
    Column("每日回访指标", "int", 12),
    Column("差额", "int", 8),
)


def region_rows(campaign: Campaign, day: datetime.date, region: Region | None = None):
    rows = RegionDay.objects.filter(campaign=campaign, day=day).select_related("region__lead")
    if region is not None:
        rows = rows.filter(region=region)
    return rows.order_by("rank")


def store_rows(campaign: Campaign, day: datetime.date, region: Region | None = None):
    rows = StoreDay.objects.filter(campaign=campaign, day=day).select_related("store__region")
    if region is not None:
        return rows.filter(store__region=region).order_by("region_rank")
    return rows.order_by("rank")


def staff_rows(campaign: Campaign, day: datetime.date, region: Region | None = None):
    rows = StaffDay.objects.filter(campaign=campaign, day=day).select_related(
        "staff", "store__region"
    )
    if region is not None:
        rows = rows.filter(store__region=region)
    return rows.order_by("rank")


def behind_quota_rows(campaign: Campaign, day: datetime.date, region: Region | None = None):
    """Staff whose completed callbacks of the day fell short of their daily quota, most
    behind first."""
    return (
        staff_rows(campaign, day, region)
        .filter(callbacks_today__lt=F("quota"))
        .annotate(behind=F("quota") - F("callbacks_today"))
        .order_by("-behind", "store__store_id", "staff__staff_no")
    )


def _completion(sales: Decimal, target: Decimal) -> Decimal | None:
    return sales / target if target else None


def _tuples(queryset: QuerySet, fields: list[str]) -> Iterator[tuple]:
    """The rows as plain tuples: the whole chain's staff sheet is 150,000 rows, too many to
    build model instances for."""
    return queryset.values_list(*fields).iterator(chunk_size=ROWS_PER_QUERY)


def nightly_sheets(campaign: Campaign, day: datetime.date, region: Region | None = None):
    scope = f"片区：{region.name}" if region is not None else "全部片区"
    title = (f"{campaign.name} 夜间日报 {day:%Y-%m-%d}（{heading_date(day)}） {scope}",)
    regions = _tuples(
        region_rows(campaign, day, region),
        [
            "rank",
            "region__name",
            "region__lead__name",
            "presale_amount",
            "presale_orders",
            "presale_to_date",
            "sales_to_date",
            "target",
            "audience",
            "callbacks_today",
            "callbacks_to_date",
            "zero_stores",
        ],
    )
    yield Sheet(
        "片区",
        REGION_COLUMNS,
        (
            (*row[:2], row[2] or "", *row[3:8], _completion(row[6], row[7]), *row[8:])
            for row in regions
        ),
        title_lines=title,
    )
    stores = _tuples(
        store_rows(campaign, day, region),
        [
            "rank",
            "region_rank",
            "store__store_id",
            "store__name",
            "store__region__name",
            "presale_amount",
            "presale_orders",
            "presale_to_date",
            "sales_to_date",
            "target",
            "audience",
            "callbacks_today",
            "callbacks_to_date",
            "zero_store",
        ],
    )
    yield Sheet(
        "门店",
        STORE_COLUMNS,
        (
            (*row[:10], _completion(row[8], row[9]), *row[10:13], "是" if row[13] else "否")
            for row in stores
        ),
        title_lines=title,
    )
    staff = _tuples(
        staff_rows(campaign, day, region),
        [
            "rank",
            "staff__staff_no",
            "staff__name",
            "store__store_id",
            "store__name",
            "store__region__name",
            "presale_amount",
            "presale_orders",
            "presale_to_date",
            "target",
            "callbacks_today",
            "quota",
            "callbacks_to_date",
        ],
    )
    yield Sheet(
        "员工",
        STAFF_COLUMNS,
        ((*row[:10], _completion(row[8], row[9]), *row[10:]) for row in staff),
        title_lines=title,
    )
    zero = (
        store_rows(campaign, day, region)
        .filter(zero_store=True)
        .order_by("store__region__name", "store__store_id")
    )
    yield Sheet(
        "挂0门店",
        ZERO_STORE_COLUMNS,
        _tuples(
            zero,
            [
                "store__store_id",
                "store__name",
                "store__region__name",
                "store__mailbox",
                "presale_to_date",
                "sales_to_date",
                "target",
            ],
        ),
        title_lines=title,
    )
    yield Sheet(
        "回访未达标",
        BEHIND_QUOTA_COLUMNS,
        _tuples(
            behind_quota_rows(campaign, day, region),
            [
                "staff__staff_no",
                "staff__name",
                "store__store_id",
                "store__name",
                "store__region__name",
                "callbacks_today",
                "quota",
                "behind",
            ],
        ),
        title_lines=title,
    )


def nightly_file_name(campaign: Campaign, day: datetime.date, region: Region | None = None) -> str:
    scope = f"-{region.name}" if region is not None else ""
    return f"夜间日报-{campaign.code}-{day:%Y%m%d}{scope}.xlsx"


def nightly_workbook_bytes(
    campaign: Campaign, day: datetime.date, region: Region | None = None
) -> bytes:
    """The workbook as bytes: a region lead's is built from the snapshots when asked for."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write_xlsx(path, nightly_sheets(campaign, day, region))
        return path.read_bytes()


def nightly_report_build(*, campaign: Campaign, day: datetime.date) -> NightlyReport:
    """Write the whole chain's workbook of the day; building a day again replaces its file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write_xlsx(path, nightly_sheets(campaign, day))
        with transaction.atomic():
            report, _ = NightlyReport.objects.select_for_update().get_or_create(
                campaign=campaign, day=day
            )
            replaced = report.file.name
            with path.open("rb") as workbook:
                report.file.save(nightly_file_name(campaign, day), File(workbook), save=True)
    if replaced and replaced != report.file.name:
        report.file.storage.delete(replaced)
    return report


def _send(
    *,
    campaign: Campaign,
    day: datetime.date,
    region: Region | None,
    recipients: list[str],
    attachment: tuple[str, bytes],
) -> NightlyMail:
    scope = region.name if region is not None else "全部片区"
    message = EmailMessage(
        subject=f"【夜间日报】{campaign.name} {heading_date(day)} {scope}",
        body=(
            f"您好：\n\n附件是{campaign.name} {day:%Y-%m-%d} 的夜间日报（{scope}），"
            "含片区、门店、员工排名，挂0门店和回访未达标员工。\n\n"
            "此邮件由系统自动发送，请勿直接回复。"
        ),
        to=recipients,
    )
    message.attach(attachment[0], attachment[1], XLSX_TYPE)
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        return NightlyMail.objects.create(
            campaign=campaign,
            day=day,
            region=region,
            recipients=", ".join(recipients),
            status=NightlyMail.Status.FAILED,
            reason=str(error)[:300],
        )
    return NightlyMail.objects.create(
        campaign=campaign,
        day=day,
        region=region,
        recipients=", ".join(recipients),
        status=NightlyMail.Status.SENT,
    )


def _skip(campaign: Campaign, day: datetime.date, region: Region | None, reason: str):
    return NightlyMail.objects.create(
        campaign=campaign, day=day, region=region, status=NightlyMail.Status.SKIPPED, reason=reason
    )


def nightly_mails_send(*, report: NightlyReport) -> list[NightlyMail]:
    """Mail each region lead their region's workbook and operations the whole chain's; a
    recipient who cannot be mailed is recorded as skipped with the reason."""
    campaign, day = report.campaign, report.day
    outcomes = []
    regions = (
        Region.objects.filter(snapshots__campaign=campaign, snapshots__day=day)
        .select_related("lead__user")
        .order_by("name")
    )
    for region in regions:
        lead = region.lead
        if lead is None:
            outcomes.append(_skip(campaign, day, region, "该片区未设置片长。"))
            continue
        address = lead.user.email if lead.user else ""
        if not address:
            outcomes.append(
                _skip(campaign, day, region, f"片长{lead.name}的登录账号没有填写邮箱。")
            )
            continue
        workbook = nightly_workbook_bytes(campaign, day, region)
        outcomes.append(
            _send(
                campaign=campaign,
                day=day,
                region=region,
                recipients=[address],
                attachment=(nightly_file_name(campaign, day, region), workbook),
            )
        )
    if not settings.OPERATIONS_EMAILS:
        outcomes.append(
            _skip(campaign, day, None, "未配置营运部收件人（环境变量 OPERATIONS_EMAILS）。")
        )
    else:
        with report.file.open("rb") as stored:
            workbook = stored.read()
        outcomes.append(
            _send(
                campaign=campaign,
                day=day,
                region=None,
                recipients=list(settings.OPERATIONS_EMAILS),
                attachment=(nightly_file_name(campaign, day), workbook),
            )
        )
    return outcomes

"""The nightly report's pages: the days' workbooks for operations (the whole chain) and for
region leads (their regions, built from the snapshots on download), and the robot posts
that failed, for operations to follow up."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from common.errors import NotFound, PermissionDenied
from reports.models import NightlyReport, RobotPost
from reports.report import XLSX_TYPE, nightly_file_name, nightly_workbook_bytes
from stores.access import Level, is_operations, region_get, regions_visible, scope_of

REPORTS_PER_PAGE = 30
POSTS_PER_PAGE = 50


def _may_download(user) -> bool:
    return is_operations(user) or scope_of(user).level is Level.REGION


def _report_get(report_pk: int) -> NightlyReport:
    report = NightlyReport.objects.select_related("campaign").filter(pk=report_pk).first()
    if report is None:
        raise NotFound("找不到该日报。")
    return report


def _attachment(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    if not _may_download(request.user):
        raise PermissionDenied("夜间日报只对营运部和片长开放。")
    reports = NightlyReport.objects.select_related("campaign").order_by("-day", "campaign__code")
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page")),
            "whole_chain": is_operations(request.user),
            "regions": list(regions_visible(request.user).order_by("name")),
        },
    )


@login_required
def report_download(request: HttpRequest, report_pk: int) -> HttpResponse:
    """The whole chain's workbook, as it was kept that night."""
    if not is_operations(request.user):
        raise PermissionDenied("全部片区的日报只对营运部开放，片长请下载本片区日报。")
    report = _report_get(report_pk)
    if not report.file:
        raise NotFound("该日报没有文件，请重新生成。")
    with report.file.open("rb") as stored:
        content = stored.read()
    return _attachment(content, nightly_file_name(report.campaign, report.day))


@login_required
def report_region_download(request: HttpRequest, report_pk: int, region_pk: int) -> HttpResponse:
    """A region's workbook of that day, built from the snapshots when asked for."""
    if not _may_download(request.user):
        raise PermissionDenied("夜间日报只对营运部和片长开放。")
    region = region_get(request.user, region_pk)
    report = _report_get(report_pk)
    content = nightly_workbook_bytes(report.campaign, report.day, region)
    return _attachment(content, nightly_file_name(report.campaign, report.day, region))


@login_required
def robot_failures(request: HttpRequest) -> HttpResponse:
    if not is_operations(request.user):
        raise PermissionDenied("钉钉推送记录只对营运部开放。")
    posts = (
        RobotPost.objects.filter(status=RobotPost.Status.FAILED)
        .select_related("campaign", "region")
        .order_by("-at")
    )
    return render(
        request,
        "reports/report_robot_failures.html",
        {"posts": Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))},
    )

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campaigns.forms import CampaignForm, CampaignUploadForm, TargetSplitForm
from campaigns.models import Campaign
from campaigns.selectors import (
    campaign_document,
    campaign_get,
    campaign_script,
    campaigns_visible,
    may_split_target,
    presale_goal,
    target_get,
    target_holder_name,
    target_split_view,
    top_targets,
)
from campaigns.services import campaign_load, target_split, target_split_evenly
from common.errors import PermissionDenied, ServiceError
from stores.access import is_operations


def _require_edit_right(request: HttpRequest) -> None:
    if not is_operations(request.user):
        raise PermissionDenied("只有营运部可以设置活动。")


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": campaigns_visible(request.user),
            "may_edit": is_operations(request.user),
            "upload_form": CampaignUploadForm(),
        },
    )


@login_required
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    campaign = campaign_get(request.user, code)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "presale_share_percent": campaign.presale_share * 100,
            "script": campaign_script(campaign),
            "targets": _with_goals(top_targets(request.user, campaign)),
            "may_edit": is_operations(request.user),
            "upload_form": CampaignUploadForm(),
        },
    )


def _with_goals(targets):
    return [
        {"target": target, "name": target_holder_name(target), "goal": presale_goal(target)}
        for target in targets
    ]


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    _require_edit_right(request)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if Campaign.objects.filter(code=form.cleaned_data["code"]).exists():
            form.add_error("code", "该活动编码已存在，请换一个，或在该活动页面修改。")
        else:
            campaign = _load_or_show_error(request, form, form.document(None))
            if campaign:
                return redirect("campaign-detail", code=campaign.code)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request: HttpRequest, code: str) -> HttpResponse:
    _require_edit_right(request)
    campaign = campaign_get(request.user, code)
    current = campaign_document(campaign)
    form = CampaignForm(
        request.POST or None, initial=CampaignForm.initial_from(current), editing=True
    )
    if request.method == "POST" and form.is_valid():
        saved = _load_or_show_error(request, form, form.document(current))
        if saved:
            return redirect("campaign-detail", code=saved.code)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def _load_or_show_error(request: HttpRequest, form, document: dict) -> Campaign | None:
    try:
        campaign = campaign_load(document, user=request.user)
    except ServiceError as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, f"活动“{campaign.name}”已保存，目标已按活动文件重新计算。")
    return campaign


@login_required
def campaign_download(request: HttpRequest, code: str) -> HttpResponse:
    campaign = campaign_get(request.user, code)
    body = json.dumps(campaign_document(campaign), ensure_ascii=False, indent=2)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.code}.json"'
    return response


@login_required
def campaign_upload(request: HttpRequest) -> HttpResponse:
    _require_edit_right(request)
    form = CampaignUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        campaign = _load_or_show_error(request, form, form.cleaned_data["file"])
        if campaign:
            return redirect("campaign-detail", code=campaign.code)
    return render(request, "campaigns/campaign_upload.html", {"form": form})


@login_required
def target_detail(request: HttpRequest, code: str, target_pk: int) -> HttpResponse:
    campaign = campaign_get(request.user, code)
    target = target_get(request.user, campaign, target_pk)
    may_split = may_split_target(request.user, target)
    split = target_split_view(request.user, target)
    form = TargetSplitForm(request.POST or None, children=split.children)
    if request.method == "POST":
        _require_split_right(may_split)
        if form.is_valid():
            try:
                target_split(parent=target, amounts=form.amounts())
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                return _after_split(request, target)
    return render(
        request,
        "campaigns/target_detail.html",
        {
            "campaign": campaign,
            "target": target,
            "name": target_holder_name(target),
            "goal": presale_goal(target),
            "presale_share_percent": campaign.presale_share * 100,
            "split": split,
            "children": _with_goals(split.children),
            "form": form,
            "may_split": may_split,
        },
    )


def _require_split_right(may_split: bool) -> None:
    if not may_split:
        raise PermissionDenied("只有片长可以分解片区目标，只有店长可以分解门店目标。")


@login_required
@require_POST
def target_split_even(request: HttpRequest, code: str, target_pk: int) -> HttpResponse:
    campaign = campaign_get(request.user, code)
    target = target_get(request.user, campaign, target_pk)
    _require_split_right(may_split_target(request.user, target))
    target_split_evenly(parent=target)
    return _after_split(request, target)


def _after_split(request: HttpRequest, target) -> HttpResponse:
    split = target_split_view(request.user, target)
    messages.success(request, "目标已分解。")
    if split.gap:
        messages.warning(
            request, f"注意：分解合计与上级目标相差 {split.gap_text}，请核对（仍已保存）。"
        )
    return redirect("target-detail", code=target.campaign.code, target_pk=target.pk)

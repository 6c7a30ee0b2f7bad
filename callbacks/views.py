from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from callbacks.forms import AssignForm, AttemptForm
from callbacks.jobs import CREATE_TASKS
from callbacks.models import CallbackTask
from callbacks.quotas import days_left, region_coverage, staff_behind_quota, store_coverage
from callbacks.selectors import (
    active_campaign,
    call_list,
    completed_today,
    store_totals,
    task_get,
)
from callbacks.services import (
    attempt_log,
    chase_create,
    phone_reveal,
    task_take,
    tasks_assign,
    tasks_distribute_evenly,
)
from campaigns.models import Campaign
from campaigns.selectors import campaign_script
from common.dates import local_today
from common.errors import NotFound, PermissionDenied, ServiceError
from common.jobs import job_enqueue
from stores.access import Level, is_operations, may_manage_store, scope_of, staff_visible
from stores.models import Role, Staff
from stores.selectors import store_team

MY_TASKS_PER_PAGE = 20
STAFF_PER_PAGE = 50
UNASSIGNED_SHOWN = 10
ASSIGNABLE_SHOWN = 100


@dataclass(frozen=True)
class Progress:
    done: int
    quota: int

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.quota) if self.quota else 100

    @property
    def remaining(self) -> int:
        return max(0, self.quota - self.done)


def _acting_store_staff(request: HttpRequest) -> Staff:
    scope = scope_of(request.user)
    if scope.level is not Level.STORE:
        raise PermissionDenied("电话回访页面只对门店员工开放。")
    return scope.staff


def _campaign_or_404() -> Campaign:
    campaign = active_campaign()
    if campaign is None:
        raise NotFound("现在没有进行中的活动。")
    return campaign


def _progress_context(request: HttpRequest, campaign: Campaign, staff: Staff) -> dict:
    today = local_today()
    return {
        "progress": Progress(completed_today(staff, campaign, today), campaign.daily_quota),
        "totals": store_totals(request.user, campaign, staff.store, today),
    }


def _card(task: CallbackTask, form: AttemptForm | None = None) -> dict:
    return {"task": task, "form": form or AttemptForm(task_pk=task.pk), "today": local_today()}


@login_required
def callback_list(request: HttpRequest) -> HttpResponse:
    staff = _acting_store_staff(request)
    campaign = active_campaign()
    context = {"campaign": campaign, "staff": staff, "today": local_today()}
    if campaign is None:
        return render(request, "callbacks/callback_list.html", context)
    tasks = call_list(request.user, campaign, today=context["today"])
    my_page = Paginator(tasks.filter(assigned_to=staff), MY_TASKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    unassigned = tasks.filter(assigned_to=None)
    context |= {
        "my_page": my_page,
        "my_cards": [_card(task) for task in my_page],
        "unassigned": list(unassigned[:UNASSIGNED_SHOWN]),
        "unassigned_count": unassigned.count(),
        "may_manage": may_manage_store(request.user, staff.store),
        "script": campaign_script(campaign),
        **_progress_context(request, campaign, staff),
    }
    return render(request, "callbacks/callback_list.html", context)


@login_required
@require_POST
def phone_reveal_view(request: HttpRequest, task_pk: int) -> HttpResponse:
    _acting_store_staff(request)
    task = task_get(request.user, _campaign_or_404(), task_pk)
    phone = phone_reveal(task=task, user=request.user)
    return render(request, "callbacks/_tel_link.html", {"phone": phone})


@login_required
@require_POST
def attempt_create(request: HttpRequest, task_pk: int) -> HttpResponse:
    """Returns the task's card (or, once done or given up, a note that it left the list),
    with the progress panel swapped out of band."""
    staff = _acting_store_staff(request)
    campaign = _campaign_or_404()
    task = task_get(request.user, campaign, task_pk)
    form = AttemptForm(request.POST, task_pk=task.pk)
    context = {}
    if form.is_valid():
        try:
            attempt = attempt_log(task=task, staff=staff, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            context["saved"] = attempt
            task = call_list(request.user, campaign, today=local_today()).filter(pk=task.pk).first()
            if task is None:
                task = task_get(request.user, campaign, task_pk)
                context["left_list"] = True
            form = None
    context |= _card(task, form) | _progress_context(request, campaign, staff)
    return render(request, "callbacks/_attempt_saved.html", context)


@login_required
@require_POST
def task_take_view(request: HttpRequest, task_pk: int) -> HttpResponse:
    staff = _acting_store_staff(request)
    task = task_get(request.user, _campaign_or_404(), task_pk)
    try:
        task_take(task=task, staff=staff)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"已领取 {task.member.name or task.member.card_no}，在我的名单里。"
        )
    return redirect("callbacks:list")


@login_required
def assign(request: HttpRequest) -> HttpResponse:
    """The store manager's page: hand the store's open tasks to its staff."""
    staff = _acting_store_staff(request)
    store = staff.store
    if not may_manage_store(request.user, store):
        raise PermissionDenied("只有本店店长可以分配回访任务。")
    campaign = _campaign_or_404()
    open_tasks = call_list(request.user, campaign, today=local_today()).filter(store=store)
    assignable = list(open_tasks[:ASSIGNABLE_SHOWN])
    team = list(store_team(request.user, store))
    form = AssignForm(request.POST or None, tasks=assignable, staff=team)
    if request.method == "POST" and form.is_valid():
        chosen = next(person for person in team if person.pk == form.cleaned_data["staff"])
        try:
            count = tasks_assign(
                campaign=campaign,
                store=store,
                task_ids=form.cleaned_data["tasks"],
                staff=chosen,
                user=request.user,
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已把 {count} 个任务分配给{chosen.name}。")
            return redirect("callbacks:assign")
    context = {
        "campaign": campaign,
        "store": store,
        "form": form,
        "assignable": assignable,
        # What the manager ticked stays ticked when the form comes back with an error.
        "chosen_tasks": {str(pk) for pk in form["tasks"].value() or []},
        "open_count": open_tasks.count(),
        "unassigned_count": open_tasks.filter(assigned_to=None).count(),
        "team": team,
    }
    return render(request, "callbacks/assign.html", context)


@login_required
@require_POST
def distribute_evenly(request: HttpRequest) -> HttpResponse:
    staff = _acting_store_staff(request)
    campaign = _campaign_or_404()
    try:
        given = tasks_distribute_evenly(campaign=campaign, store=staff.store, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if given:
            shares = "、".join(f"{person.name} {count} 个" for person, count in given.items())
            messages.success(request, f"已平均分配：{shares}。")
        else:
            messages.info(request, "没有待分配的任务。")
    return redirect("callbacks:assign")


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    """片长 / 店长 / 营运部: who is behind today's quota, and how far each store and region
    has got through its members before the deadline."""
    scope = scope_of(request.user)
    if scope.level is Level.NONE or scope.role == Role.CLERK:
        raise PermissionDenied("只有店长、片长和营运部可以查看回访达标情况。")
    campaign = active_campaign()
    today = local_today()
    context = {"campaign": campaign, "today": today}
    if campaign is not None:
        in_window = campaign.callbacks_start <= today <= campaign.callbacks_end
        behind = staff_behind_quota(request.user, campaign, today) if in_window else []
        context |= {
            "in_window": in_window,
            "behind_page": Paginator(behind, STAFF_PER_PAGE).get_page(request.GET.get("page")),
            "stores": store_coverage(request.user, campaign, today),
            "regions": region_coverage(request.user, campaign, today),
            "days_left": days_left(campaign, today),
        }
    return render(request, "callbacks/compliance.html", context)


@login_required
@require_POST
def chase(request: HttpRequest, staff_pk: int) -> HttpResponse:
    campaign = active_campaign()
    staff = staff_visible(request.user).filter(pk=staff_pk).first()
    if campaign is None or staff is None:
        raise NotFound("找不到该员工。")
    try:
        note = request.POST.get("note", "")
        chase_create(campaign=campaign, staff=staff, user=request.user, note=note)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已催办 {staff.name}。")
    return redirect("callbacks:compliance")


@login_required
@require_POST
def tasks_generate(request: HttpRequest, code: str) -> HttpResponse:
    """营运部 turn a campaign's audience (or its named list) into callback tasks, in the
    worker; members who already have a task keep it."""
    if not is_operations(request.user):
        raise PermissionDenied("只有营运部可以生成回访任务。")
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise NotFound("找不到该活动。")
    job = job_enqueue(kind=CREATE_TASKS, params={"campaign": campaign.pk}, user=request.user)
    return redirect("job-detail", job_pk=job.pk)

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When

from callbacks.models import TERMINAL_OUTCOMES, CallbackAttempt, CallbackTask, Channel
from campaigns.models import Campaign
from common.dates import local_day_range, local_today
from common.errors import NotFound
from stores.access import restrict
from stores.models import Staff, Store


def tasks_visible(user, campaign: Campaign) -> QuerySet[CallbackTask]:
    """The campaign's tasks the user may see: their store's, region's or the chain's."""
    return restrict(user, campaign.callback_tasks.all(), store_path="store")


def completed_on(day: datetime.date, campaign: Campaign, path: str = "") -> Q:
    """Phone attempts with a terminal outcome on `day`, what counts toward the daily quota,
    reached from a model by `path` (e.g. "callbackattempt__")."""
    start, end = local_day_range(day)
    return Q(
        **{
            f"{path}task__campaign": campaign,
            f"{path}channel": Channel.PHONE,
            f"{path}outcome__in": TERMINAL_OUTCOMES,
            f"{path}at__gte": start,
            f"{path}at__lt": end,
        }
    )


def completed_calls(campaign: Campaign, day: datetime.date) -> QuerySet[CallbackAttempt]:
    return CallbackAttempt.objects.filter(completed_on(day, campaign))


def completed_today(staff: Staff, campaign: Campaign, day: datetime.date) -> int:
    return completed_calls(campaign, day).filter(staff=staff).count()


def active_campaign() -> Campaign | None:
    """The active campaign whose callback window includes today, else the latest active one."""
    today = local_today()
    active = Campaign.objects.filter(active=True).order_by("-callbacks_start", "-pk")
    in_window = active.filter(callbacks_start__lte=today, callbacks_end__gte=today).first()
    return in_window or active.first()


def task_get(user, campaign: Campaign, task_pk: int) -> CallbackTask:
    """The task, if the user may see it; another store's task is NotFound (404)."""
    task = (
        _with_follow_up_due(tasks_visible(user, campaign), local_today())
        .select_related("campaign", "member", "assigned_to")
        .filter(pk=task_pk)
        .first()
    )
    if task is None:
        raise NotFound("找不到该回访任务。")
    return task


def _with_follow_up_due(
    tasks: QuerySet[CallbackTask], today: datetime.date
) -> QuerySet[CallbackTask]:
    return tasks.annotate(
        follow_up_due=Case(
            When(follow_up_on__lte=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def call_list(user, campaign: Campaign, *, today: datetime.date) -> QuerySet[CallbackTask]:
    """Open tasks in the order to call them: follow-ups due today or overdue first, then the
    members likely to bring the most (higher last-year spend, then more recent purchase)."""
    return (
        _with_follow_up_due(tasks_visible(user, campaign), today)
        .filter(status=CallbackTask.Status.OPEN)
        .select_related("campaign", "member", "assigned_to")
        .order_by(
            "-follow_up_due",
            "-spend_last_year",
            F("last_purchase_on").desc(nulls_last=True),
            "pk",
        )
    )


@dataclass(frozen=True)
class StoreTotals:
    tasks: int
    done: int
    given_up: int
    done_today: int


def store_totals(user, campaign: Campaign, store: Store, day: datetime.date) -> StoreTotals:
    counts = (
        tasks_visible(user, campaign)
        .filter(store=store)
        .aggregate(
            tasks=Count("pk"),
            done=Count("pk", filter=Q(status=CallbackTask.Status.DONE)),
            given_up=Count("pk", filter=Q(status=CallbackTask.Status.GIVEN_UP)),
        )
    )
    done_today = completed_calls(campaign, day).filter(task__store=store).count()
    return StoreTotals(done_today=done_today, **counts)


def attempts_of(task: CallbackTask) -> QuerySet[CallbackAttempt]:
    return task.attempts.select_related("staff").order_by("-at", "-pk")

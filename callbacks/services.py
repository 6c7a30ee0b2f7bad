import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from callbacks.models import (
    REASON_KEYWORDS,
    TERMINAL_OUTCOMES,
    CallbackAttempt,
    CallbackTask,
    Channel,
    Chase,
    Outcome,
    Shortfall,
)
from callbacks.quotas import staff_with_calls
from callbacks.selectors import completed_today
from campaigns.models import Campaign
from common.dates import local_today
from common.errors import Conflict, PermissionDenied, ServiceError
from common.models import AuditEntry
from members.models import CallbackListEntry, Member
from members.selectors import Audience
from stores.access import Level, may_manage_store, scope_of
from stores.models import STORE_ROLES, Role, Staff, Store


@transaction.atomic
def callback_tasks_create(*, campaign: Campaign) -> int:
    """One task per audience member, owned by the member's store; members who already have
    a task keep it. Returns how many tasks were created."""
    existing = set(campaign.callback_tasks.values_list("member_id", flat=True))
    if campaign.audience_list:
        entries = CallbackListEntry.objects.filter(
            callback_list_id=campaign.audience_list, member__isnull=False
        ).select_related("member")
        tasks = [
            CallbackTask(
                campaign=campaign,
                member=entry.member,
                store_id=entry.store_id,
                phone=entry.phone,
                last_purchase_on=entry.last_purchase_on,
                spend_last_year=entry.spend_last_year or 0,
            )
            for entry in entries.iterator(chunk_size=2000)
            if entry.member.pk not in existing
        ]
    else:
        audience = Audience(
            campaign.audience_brand, campaign.audience_months, campaign.audience_reference_date
        )
        facts = _purchase_facts(audience)
        members = Member.objects.filter(card_no__in=audience.purchases().values("member"))
        tasks = [
            CallbackTask(
                campaign=campaign,
                member=member,
                store_id=facts[member.card_no].store_id,
                phone=member.phone,
                last_purchase_on=timezone.localtime(facts[member.card_no].last_at).date(),
                spend_last_year=facts[member.card_no].spend,
            )
            for member in members.iterator(chunk_size=2000)
            if member.pk not in existing
        ]
    CallbackTask.objects.bulk_create(tasks, batch_size=2000)
    return len(tasks)


@dataclass
class _PurchaseFacts:
    store_id: int
    last_at: datetime.datetime
    spend: Decimal


def _purchase_facts(audience: Audience) -> dict[str, _PurchaseFacts]:
    """Per member, in one ordered pass over their purchases of the brand in the window: the
    store of the latest (their owner store), when it was, and what they spent in all."""
    facts: dict[str, _PurchaseFacts] = {}
    lines = audience.purchases().order_by("sold_at", "receipt_no")
    for card_no, store_id, sold_at, amount in lines.values_list(
        "member", "store_id", "sold_at", "amount"
    ).iterator(chunk_size=5000):
        known = facts.get(card_no)
        if known is None:
            facts[card_no] = _PurchaseFacts(store_id, sold_at, amount)
        else:
            known.store_id, known.last_at = store_id, sold_at
            known.spend += amount
    return facts


def _store_staff(store: Store) -> list[Staff]:
    return list(
        Staff.objects.filter(store=store, active=True, role__in=STORE_ROLES).order_by("staff_no")
    )


def _require_store_manager(user, store: Store) -> None:
    scope = scope_of(user)
    allowed = (
        scope.level is Level.STORE
        and scope.role == Role.STORE_MANAGER
        and scope.store_pk == store.pk
    ) or (scope.level is Level.CHAIN and scope.role in {Role.OPERATIONS, Role.ADMIN})
    if not allowed:
        raise PermissionDenied("只有本店店长可以分配回访任务。")


@transaction.atomic
def tasks_distribute_evenly(*, campaign: Campaign, store: Store, user) -> dict[Staff, int]:
    """Hand the store's open, unassigned tasks to its staff in turn, fewest tasks first."""
    _require_store_manager(user, store)
    staff = _store_staff(store)
    if not staff:
        raise ServiceError("本店没有在职员工，无法分配。")
    open_tasks = campaign.callback_tasks.filter(store=store, status=CallbackTask.Status.OPEN)
    load = defaultdict(int)
    for staff_pk in open_tasks.exclude(assigned_to=None).values_list("assigned_to", flat=True):
        load[staff_pk] += 1
    given: dict[Staff, int] = defaultdict(int)
    unassigned = list(open_tasks.filter(assigned_to=None).order_by("-spend_last_year", "pk"))
    for task in unassigned:
        person = min(staff, key=lambda s: (load[s.pk], s.staff_no))
        task.assigned_to = person
        load[person.pk] += 1
        given[person] += 1
    CallbackTask.objects.bulk_update(unassigned, ["assigned_to"], batch_size=2000)
    return dict(given)


@transaction.atomic
def tasks_assign(
    *, campaign: Campaign, store: Store, task_ids: list[int], staff: Staff, user
) -> int:
    _require_store_manager(user, store)
    if staff.store_id != store.pk or not staff.active:
        raise ServiceError("只能分配给本店在职员工。")
    return campaign.callback_tasks.filter(store=store, pk__in=task_ids).update(assigned_to=staff)


@transaction.atomic
def task_take(*, task: CallbackTask, staff: Staff) -> CallbackTask:
    """A staff member takes an unassigned task of their own store."""
    task = CallbackTask.objects.select_for_update().get(pk=task.pk)
    if task.store_id != staff.store_id:
        raise PermissionDenied("只能领取本店的回访任务。")
    if task.assigned_to_id not in (None, staff.pk):
        raise Conflict("这个任务已被同事领取。")
    task.assigned_to = staff
    task.save(update_fields=["assigned_to", "updated_at"])
    return task


def phone_reveal(*, task: CallbackTask, user) -> str:
    """The full number, for a call; every reveal is logged with who and when."""
    AuditEntry.objects.create(
        user=user,
        action="phone.reveal",
        target_type="callback_task",
        target_id=str(task.pk),
        detail={"member": task.member_id, "campaign": task.campaign_id},
    )
    return task.phone


@transaction.atomic
def attempt_log(
    *,
    task: CallbackTask,
    staff: Staff,
    channel: str,
    outcome: str,
    reasons: list[str] | tuple[str, ...] = (),
    note: str = "",
    follow_up_on: datetime.date | None = None,
) -> CallbackAttempt:
    """Record one contact. Only a phone call with a terminal outcome completes the task;
    "no answer" leaves it open until the campaign's phone-attempt limit."""
    task = CallbackTask.objects.select_for_update().select_related("campaign").get(pk=task.pk)
    if task.store_id != staff.store_id:
        raise PermissionDenied("只能回访本店的会员。")
    if channel not in Channel.values:
        raise ServiceError("请选择回访方式。", field="channel")
    allowed = {Outcome.SENT} if channel != Channel.PHONE else set(Outcome) - {Outcome.SENT}
    if outcome not in allowed:
        raise ServiceError("该回访方式不能选这个结果。", field="outcome")
    unknown = set(reasons) - set(REASON_KEYWORDS)
    if unknown:
        raise ServiceError(f"未知的原因：{'、'.join(sorted(unknown))}", field="reasons")
    limit = task.campaign.max_phone_attempts
    if channel == Channel.PHONE and task.phone_attempts >= limit:
        raise Conflict(f"这位会员已电话回访 {limit} 次，不能再登记。")
    now = timezone.now()
    attempt = CallbackAttempt.objects.create(
        task=task,
        staff=staff,
        at=now,
        channel=channel,
        outcome=outcome,
        reasons=list(reasons),
        note=note.strip(),
        follow_up_on=follow_up_on,
    )
    if channel == Channel.PHONE:
        task.phone_attempts += 1
        task.last_outcome = outcome
        if outcome == Outcome.REACHED:
            task.reached_hour = timezone.localtime(now).hour
        if task.status == CallbackTask.Status.OPEN:
            if outcome in TERMINAL_OUTCOMES:
                task.status, task.done_at, task.done_by = CallbackTask.Status.DONE, now, staff
            elif task.phone_attempts >= limit:
                task.status = CallbackTask.Status.GIVEN_UP
    if follow_up_on is not None:
        task.follow_up_on = follow_up_on
    task.save()
    if channel == Channel.PHONE and outcome in TERMINAL_OUTCOMES:
        chases_resolve_if_caught_up(campaign=task.campaign, staff=staff)
    return attempt


@transaction.atomic
def chase_create(*, campaign: Campaign, staff: Staff, user, note: str = "") -> Chase:
    """A 店长 or 片长 nudges a staff member who is behind today's quota; a second chase the
    same day returns the first."""
    lead = scope_of(user).staff
    if lead is None or staff.store is None or not may_manage_store(user, staff.store):
        raise PermissionDenied("只有本店店长或本片区片长可以催办。")
    today = local_today()
    person = staff_with_calls(Staff.objects.filter(pk=staff.pk), campaign, today).first()
    if person is None or person.done >= campaign.daily_quota:
        raise ServiceError(f"{staff.name} 今天已完成回访指标，无需催办。")
    chase, _ = Chase.objects.get_or_create(
        campaign=campaign,
        staff=staff,
        day=today,
        resolved_at=None,
        defaults={"chased_by": lead, "note": note.strip()[:200]},
    )
    return chase


def chases_resolve_if_caught_up(*, campaign: Campaign, staff: Staff) -> int:
    today = local_today()
    if completed_today(staff, campaign, today) < campaign.daily_quota:
        return 0
    return Chase.objects.filter(
        campaign=campaign, staff=staff, day=today, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


@transaction.atomic
def shortfalls_record(*, campaign: Campaign, day: datetime.date) -> int:
    """Each store staff member's shortfall of `day` against the quota, recorded once (a
    rerun rewrites the same rows). Returns how many fell short."""
    people = staff_with_calls(Staff.objects.all(), campaign, day)
    short = [
        Shortfall(
            campaign=campaign, staff=person, day=day, done=person.done, quota=campaign.daily_quota
        )
        for person in people
        if person.done < campaign.daily_quota
    ]
    Shortfall.objects.filter(campaign=campaign, day=day).delete()
    Shortfall.objects.bulk_create(short, batch_size=2000)
    return len(short)

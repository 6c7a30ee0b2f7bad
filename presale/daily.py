"""Daily follow-up of the presale (rules.md §4, §6): each store's presale per day, the zero
stores (挂0门店) and their staff's penalties, and the amounts region leads report at night
compared with the imported ones. Reads are grouped queries; writes are services."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.models import Campaign
from common.errors import PermissionDenied, ServiceError
from common.money import to_money
from presale.models import Penalty, ReportedAmount, YouzanOrder
from stores.access import Level, restrict, scope_of, stores_visible
from stores.models import STORE_ROLES, Staff, Store

EVIDENCE_MAX_BYTES = 50 * 1024 * 1024
EVIDENCE_SUFFIXES = {".mp4", ".mov", ".m4v", ".3gp", ".webm", ".jpg", ".jpeg", ".png", ".heic"}


def presale_days(campaign: Campaign) -> list[datetime.date]:
    span = (campaign.presale_end - campaign.presale_start).days + 1
    return [campaign.presale_start + datetime.timedelta(days=offset) for offset in range(span)]


def presale_by_store_and_day(
    campaign: Campaign, stores: QuerySet[Store]
) -> dict[tuple[int, datetime.date], tuple[Decimal, int]]:
    """(store id, day) → (net presale amount, paid orders), for the presale window."""
    rows = (
        YouzanOrder.objects.filter(
            store__in=stores,
            paid_at__gte=campaign.presale_period[0],
            paid_at__lt=campaign.presale_period[1],
        )
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_default_timezone()))
        .values("store_id", "day")
        .annotate(amount=Sum("net_amount"), orders=Count("pk"))
        .values_list("store_id", "day", "amount", "orders")
    )
    return {(store_id, day): (to_money(amount), orders) for store_id, day, amount, orders in rows}


@dataclass(frozen=True)
class StoreDay:
    store: Store
    day: datetime.date
    amount: Decimal
    orders: int
    reported: Decimal | None

    @property
    def zero(self) -> bool:
        return self.amount == 0

    @property
    def difference(self) -> Decimal | None:
        return None if self.reported is None else self.reported - self.amount


def store_days(user, campaign: Campaign, day: datetime.date) -> list[StoreDay]:
    """Every store the user oversees on `day`: imported presale, orders, reported amount."""
    stores = stores_visible(user).filter(active=True).order_by("store_id")
    figures = presale_by_store_and_day(campaign, stores)
    reported = dict(
        ReportedAmount.objects.filter(campaign=campaign, day=day, store__in=stores).values_list(
            "store_id", "amount"
        )
    )
    return [
        StoreDay(
            store, day, *figures.get((store.pk, day), (Decimal("0.00"), 0)), reported.get(store.pk)
        )
        for store in stores
    ]


def zero_stores(campaign: Campaign, day: datetime.date) -> list[Store]:
    stores = Store.objects.filter(active=True)
    figures = presale_by_store_and_day(campaign, stores)
    return [
        store
        for store in stores.order_by("store_id")
        if figures.get((store.pk, day), (Decimal(0), 0))[0] == 0
    ]


@transaction.atomic
def penalties_create(*, campaign: Campaign, day: datetime.date) -> int:
    """A penalty for each active staff member of each store with no presale on `day`, due
    the next day. Running it again for the same day adds nothing."""
    if not campaign.presale_start <= day <= campaign.presale_end:
        raise ServiceError(f"{day:%Y-%m-%d} 不在预售期内。")
    stores = zero_stores(campaign, day)
    staff = Staff.objects.filter(store__in=stores, active=True, role__in=STORE_ROLES)
    penalties = [
        Penalty(
            campaign=campaign,
            store_id=person.store_id,
            staff=person,
            zero_day=day,
            due_on=day + datetime.timedelta(days=1),
        )
        for person in staff
    ]
    before = Penalty.objects.filter(campaign=campaign, zero_day=day).count()
    Penalty.objects.bulk_create(penalties, ignore_conflicts=True, batch_size=2000)
    return Penalty.objects.filter(campaign=campaign, zero_day=day).count() - before


def penalties_visible(user) -> QuerySet[Penalty]:
    return restrict(user, Penalty.objects.all(), store_path="store").select_related(
        "staff", "store", "checked_by"
    )


def _own_penalty(user, penalty: Penalty) -> Staff:
    scope = scope_of(user)
    if scope.staff is None or penalty.staff_id != scope.staff.pk:
        raise PermissionDenied("只能为自己的处罚上传或申请免做。")
    if penalty.checked_at is not None:
        raise ServiceError("该处罚已检查，不能再修改。")
    return scope.staff


@transaction.atomic
def penalty_upload_evidence(*, penalty: Penalty, upload, user) -> Penalty:
    _own_penalty(user, penalty)
    if Path(upload.name).suffix.lower() not in EVIDENCE_SUFFIXES:
        raise ServiceError("请上传视频（mp4、mov 等）或照片（jpg、png）。", field="evidence")
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ServiceError(
            f"文件过大，上限为 {EVIDENCE_MAX_BYTES // 1024 // 1024} MB。", field="evidence"
        )
    penalty.evidence.save(Path(upload.name).name, upload, save=False)
    penalty.evidence_at = timezone.now()
    penalty.save(update_fields=["evidence", "evidence_at", "updated_at"])
    return penalty


@transaction.atomic
def penalty_exempt(*, penalty: Penalty, reason: str, user) -> Penalty:
    """A staff member with a health exemption files it instead of the evidence."""
    _own_penalty(user, penalty)
    reason = reason.strip()
    if not reason:
        raise ServiceError("请填写免做原因。", field="reason")
    penalty.exemption_reason = reason[:200]
    penalty.save(update_fields=["exemption_reason", "updated_at"])
    return penalty


@transaction.atomic
def penalty_check(*, penalty: Penalty, user) -> Penalty:
    """The region lead confirms the evidence or the exemption."""
    scope = scope_of(user)
    if scope.level is not Level.REGION or penalty.store.region_id not in scope.region_pks:
        raise PermissionDenied("只有本片区片长可以检查处罚。")
    if not penalty.settled:
        raise ServiceError(f"{penalty.staff.name} 还没有上传视频或申请免做。")
    penalty.checked_by, penalty.checked_at = scope.staff, timezone.now()
    penalty.save(update_fields=["checked_by", "checked_at", "updated_at"])
    return penalty


@transaction.atomic
def reported_amounts_save(
    *, campaign: Campaign, day: datetime.date, amounts: dict[int, Decimal], user
) -> int:
    """A region lead's nightly report: store id → presale amount of `day`, for the stores
    of their region only. Saving again replaces the day's figures."""
    scope = scope_of(user)
    if scope.level is not Level.REGION:
        raise PermissionDenied("只有片长可以上报门店预售金额。")
    own = set(
        Store.objects.filter(region_id__in=scope.region_pks, pk__in=amounts).values_list(
            "pk", flat=True
        )
    )
    if own != set(amounts):
        raise PermissionDenied("只能上报本片区门店的金额。")
    for store_pk, amount in amounts.items():
        if amount < 0:
            raise ServiceError("金额不能为负数。", field=str(store_pk))
        ReportedAmount.objects.update_or_create(
            campaign=campaign,
            store_id=store_pk,
            day=day,
            defaults={"amount": to_money(amount), "reported_by": scope.staff},
        )
    return len(amounts)

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Count

from campaigns.documents import CampaignDocument, DocumentError, document_read
from campaigns.models import Campaign, Target
from common.errors import ServiceError
from common.money import FEN, to_money
from members.models import CallbackListEntry
from members.selectors import Audience, audience_count_by_store
from stores.models import STORE_ROLES, Region, Staff, Store


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` shares that differ by at most a fen and add up exactly."""
    if parts <= 0:
        return []
    share = (total / parts).quantize(FEN, rounding=ROUND_DOWN)
    left_over = int((total - share * parts) / FEN)
    return [share + FEN if index < left_over else share for index in range(parts)]


def audience_members_by_store(campaign: Campaign) -> dict[int, int]:
    """Store row id → members the campaign must call there: its named list, or the brand's
    buyers of the months before the reference date."""
    if campaign.audience_list:
        rows = (
            CallbackListEntry.objects.filter(callback_list_id=campaign.audience_list)
            .values("store_id")
            .annotate(members=Count("pk"))
            .values_list("store_id", "members")
        )
        return dict(rows)
    audience = Audience(
        campaign.audience_brand, campaign.audience_months, campaign.audience_reference_date
    )
    return audience_count_by_store(audience)


@transaction.atomic
def campaign_load(data: dict, *, user=None) -> Campaign:
    """Create or replace the campaign a document describes, with its targets. Nothing is
    saved when any field is wrong."""
    document = document_read(data)
    regions, stores, staff = _resolve_target_holders(document)
    fields = {
        "name": document.name,
        "brand": document.brand,
        "callbacks_start": document.callbacks[0],
        "callbacks_end": document.callbacks[1],
        "presale_start": document.presale[0],
        "presale_end": document.presale[1],
        "booking_start": document.booking[0] if document.booking else None,
        "booking_end": document.booking[1] if document.booking else None,
        "audience_brand": document.audience_brand,
        "audience_months": document.audience_months,
        "audience_reference_date": document.audience_reference_date,
        "audience_list": document.audience_list,
        "per_member_target": Decimal(document.per_member_target),
        "presale_share": Decimal(document.presale_share),
        "daily_quota": document.daily_quota,
        "max_phone_attempts": document.max_phone_attempts,
        "gift_tiers": document.gift_tiers,
        "buy_one_get_one": document.buy_one_get_one,
        "rules": document.rules,
        "script": document.script,
        "assessment": document.assessment,
        "extra": document.extra,
    }
    campaign, created = Campaign.objects.update_or_create(code=document.code, defaults=fields)
    if created and user is not None:
        campaign.created_by = user
        campaign.save(update_fields=["created_by"])
    overrides = {
        "region": {
            regions[name].pk: Decimal(amount) for name, amount in document.region_targets.items()
        },
        "store": {
            stores[key].pk: Decimal(amount) for key, amount in document.store_targets.items()
        },
        "staff": {staff[key].pk: Decimal(amount) for key, amount in document.staff_targets.items()},
    }
    targets_rebuild(campaign, overrides=overrides)
    return campaign


def _by_pk(amounts: dict, holders: dict) -> dict[int, Decimal]:
    return {holders[key].pk: Decimal(amount) for key, amount in amounts.items()}


def _resolve_target_holders(document: CampaignDocument):
    regions = Region.objects.in_bulk(list(document.region_targets), field_name="name")
    stores = Store.objects.in_bulk(list(document.store_targets), field_name="store_id")
    staff = Staff.objects.in_bulk(list(document.staff_targets), field_name="staff_no")
    for level, wanted, found in (
        ("regions", document.region_targets, regions),
        ("stores", document.store_targets, stores),
        ("staff", document.staff_targets, staff),
    ):
        missing = [str(key) for key in wanted if key not in found]
        if missing:
            raise DocumentError(f"targets.{level}.{missing[0]}: 系统中没有这个{_HOLDER[level]}")
    return regions, stores, staff


_HOLDER = {"regions": "片区", "stores": "门店ID", "staff": "员工销售ID"}


def targets_rebuild(campaign: Campaign, *, overrides: dict[str, dict[int, Decimal]]) -> None:
    """Every target of the campaign anew: members × per-member target, unless the document
    names an amount; staff share their store's target evenly unless named."""
    members = audience_members_by_store(campaign)
    per_member = campaign.per_member_target
    stores = list(Store.objects.filter(active=True).order_by("store_id"))
    region_members: dict[int, int] = defaultdict(int)
    rows: list[Target] = []
    store_amounts: dict[int, Decimal] = {}
    for store in stores:
        count = members.get(store.pk, 0)
        region_members[store.region_id] += count
        amount, source = _amount(overrides["store"], store.pk, count * per_member)
        store_amounts[store.pk] = amount
        rows.append(_target(campaign, Target.Level.STORE, amount, source, count, store=store))
    for region in Region.objects.filter(pk__in={store.region_id for store in stores}):
        count = region_members[region.pk]
        amount, source = _amount(overrides["region"], region.pk, count * per_member)
        rows.append(_target(campaign, Target.Level.REGION, amount, source, count, region=region))
    staff_by_store: dict[int, list[Staff]] = defaultdict(list)
    for person in Staff.objects.filter(active=True, role__in=STORE_ROLES).order_by("staff_no"):
        staff_by_store[person.store_id].append(person)
    for store_pk, people in staff_by_store.items():
        shares = split_evenly(store_amounts.get(store_pk, Decimal(0)), len(people))
        for person, share in zip(people, shares, strict=True):
            amount, source = _amount(overrides["staff"], person.pk, share)
            rows.append(_target(campaign, Target.Level.STAFF, amount, source, 0, staff=person))
    campaign.targets.all().delete()
    Target.objects.bulk_create(rows, batch_size=2000)


def _amount(overrides: dict[int, Decimal], pk: int, default: Decimal) -> tuple[Decimal, str]:
    if pk in overrides:
        return to_money(overrides[pk]), Target.Source.DOCUMENT
    return to_money(default), Target.Source.DEFAULT


def _target(campaign, level, amount, source, members, **holder) -> Target:
    return Target(
        campaign=campaign, level=level, amount=amount, source=source, members=members, **holder
    )


@transaction.atomic
def target_split(*, parent: Target, amounts: dict[int, Decimal]) -> list[Target]:
    """Set the children of a region (its stores) or a store (its staff) by hand; `amounts`
    maps the child target's id to its amount. Children left out keep theirs."""
    children = {child.pk: child for child in target_children(parent)}
    unknown = set(amounts) - set(children)
    if unknown:
        raise ServiceError("只能分解到本片区的门店或本门店的员工。")
    changed = []
    for pk, amount in amounts.items():
        if amount < 0:
            raise ServiceError("目标不能为负数。", field=str(pk))
        child = children[pk]
        child.amount, child.source = to_money(amount), Target.Source.MANUAL
        changed.append(child)
    Target.objects.bulk_update(changed, ["amount", "source", "updated_at"])
    return list(target_children(parent))


def target_split_evenly(*, parent: Target) -> list[Target]:
    children = list(target_children(parent))
    shares = split_evenly(parent.amount, len(children))
    return target_split(
        parent=parent,
        amounts={child.pk: share for child, share in zip(children, shares, strict=True)},
    )


def target_children(parent: Target):
    targets = Target.objects.filter(campaign=parent.campaign)
    if parent.level == Target.Level.REGION:
        return (
            targets.filter(level=Target.Level.STORE, store__region=parent.region)
            .select_related("store")
            .order_by("store__store_id")
        )
    if parent.level == Target.Level.STORE:
        return (
            targets.filter(level=Target.Level.STAFF, staff__store=parent.store, staff__active=True)
            .select_related("staff")
            .order_by("staff__staff_no")
        )
    raise ServiceError("员工目标不能再分解。")

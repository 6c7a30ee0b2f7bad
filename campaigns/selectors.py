"""Reads of campaigns and targets, narrowed to what the acting user may see."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from campaigns.documents import CampaignDocument, document_write
from campaigns.models import Campaign, Target
from campaigns.services import target_children
from common.errors import NotFound
from common.money import format_yuan, to_money
from stores.access import (
    Level,
    may_manage_store,
    regions_visible,
    scope_of,
    staff_visible,
    stores_visible,
)
from stores.models import Role

OVERRIDE_SOURCES = (Target.Source.DOCUMENT, Target.Source.MANUAL)
SCRIPT_TITLES = {"greeting": "开场白", "offer": "活动介绍", "closing": "结束语"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def campaigns_visible(user) -> QuerySet[Campaign]:
    """Every campaign for anyone with a role: a campaign is chain-wide, its targets are not."""
    if scope_of(user).level is Level.NONE:
        return Campaign.objects.none()
    return Campaign.objects.all()


def campaign_get(user, code: str) -> Campaign:
    campaign = campaigns_visible(user).filter(code=code).first()
    if campaign is None:
        raise NotFound("找不到该活动。")
    return campaign


def campaign_document(campaign: Campaign) -> dict:
    """The campaign as its JSON document (formats.md): targets set by a document or by hand
    are written as overrides, computed ones are not."""
    overrides = campaign.targets.filter(source__in=OVERRIDE_SOURCES)
    document = CampaignDocument(
        code=campaign.code,
        name=campaign.name,
        brand=campaign.brand,
        callbacks=(campaign.callbacks_start, campaign.callbacks_end),
        presale=(campaign.presale_start, campaign.presale_end),
        booking=(
            (campaign.booking_start, campaign.booking_end)
            if campaign.booking_start and campaign.booking_end
            else None
        ),
        audience_brand=campaign.audience_brand,
        audience_months=campaign.audience_months,
        audience_reference_date=campaign.audience_reference_date,
        audience_list=campaign.audience_list,
        per_member_target=f"{to_money(campaign.per_member_target)}",
        presale_share=f"{campaign.presale_share}",
        daily_quota=campaign.daily_quota,
        max_phone_attempts=campaign.max_phone_attempts,
        gift_tiers=campaign.gift_tiers,
        buy_one_get_one=campaign.buy_one_get_one,
        region_targets={
            name: f"{amount}"
            for name, amount in overrides.filter(level=Target.Level.REGION).values_list(
                "region__name", "amount"
            )
        },
        store_targets={
            store_id: f"{amount}"
            for store_id, amount in overrides.filter(level=Target.Level.STORE).values_list(
                "store__store_id", "amount"
            )
        },
        staff_targets={
            staff_no: f"{amount}"
            for staff_no, amount in overrides.filter(level=Target.Level.STAFF).values_list(
                "staff__staff_no", "amount"
            )
        },
        rules=campaign.rules,
        script=campaign.script,
        assessment=campaign.assessment,
        extra=campaign.extra,
    )
    return document_write(document)


def _plain_amount(amount) -> str:
    """398.00 → 398, 398.50 → 398.5: how amounts are spoken in a call script."""
    text = f"{Decimal(amount):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _month_day(day) -> str:
    return f"{day.month}月{day.day}日"


def _days(start, end) -> str:
    return f"{_month_day(start)}至{_month_day(end)}"


def script_values(campaign: Campaign) -> dict[str, str]:
    """What each placeholder of the call script stands for."""
    values = {
        "name": campaign.name,
        "brand": campaign.brand,
        "gift_tiers": "；".join(
            f"满{_plain_amount(tier['min_amount'])}元送{tier['gift']}"
            for tier in campaign.gift_tiers
        ),
        "buy_one_get_one": "、".join(campaign.buy_one_get_one),
        "presale_window": _days(campaign.presale_start, campaign.presale_end),
        "callbacks_window": _days(campaign.callbacks_start, campaign.callbacks_end),
        "booking_window": "",
    }
    if campaign.booking_start and campaign.booking_end:
        values["booking_window"] = _days(campaign.booking_start, campaign.booking_end)
    return values


def campaign_script(campaign: Campaign) -> list[tuple[str, str]]:
    """The call script as (part title, text) with the campaign's own offer filled in;
    a placeholder the campaign cannot fill is left as typed."""
    values = script_values(campaign)

    def fill(match: re.Match) -> str:
        return values.get(match.group(1), match.group(0))

    return [
        (title, PLACEHOLDER.sub(fill, campaign.script[part]))
        for part, title in SCRIPT_TITLES.items()
        if campaign.script.get(part, "").strip()
    ]


def targets_visible(user, campaign: Campaign | None = None) -> QuerySet[Target]:
    """Targets of the regions, stores and staff the user may see."""
    targets = Target.objects.select_related("campaign", "region", "store__region", "staff__store")
    if campaign is not None:
        targets = targets.filter(campaign=campaign)
    if scope_of(user).level is Level.CHAIN:
        return targets
    return targets.filter(
        Q(level=Target.Level.REGION, region__in=regions_visible(user))
        | Q(level=Target.Level.STORE, store__in=stores_visible(user))
        | Q(level=Target.Level.STAFF, staff__in=staff_visible(user))
    )


def target_get(user, campaign: Campaign, target_pk: int) -> Target:
    target = targets_visible(user, campaign).filter(pk=target_pk).first()
    if target is None:
        raise NotFound("找不到该目标。")
    return target


def top_targets(user, campaign: Campaign) -> QuerySet[Target]:
    """Where a user starts: region targets for operations and region leads, the store's
    target for store staff."""
    visible = targets_visible(user, campaign)
    if scope_of(user).level is Level.STORE:
        return visible.filter(level=Target.Level.STORE).order_by("store__store_id")
    return visible.filter(level=Target.Level.REGION).order_by("region__name")


def may_split_target(user, target: Target) -> bool:
    """Region leads split their region among its stores, store managers their store among
    its staff, operations anything; a staff target has no parts."""
    scope = scope_of(user)
    if target.level == Target.Level.REGION:
        if scope.level is Level.CHAIN:
            return scope.role in {Role.OPERATIONS, Role.ADMIN}
        return scope.level is Level.REGION and target.region_id in scope.region_pks
    if target.level == Target.Level.STORE:
        return may_manage_store(user, target.store)
    return False


def target_holder_name(target: Target) -> str:
    if target.level == Target.Level.REGION:
        return target.region.name
    if target.level == Target.Level.STORE:
        return f"{target.store.name}（{target.store.store_id}）"
    return f"{target.staff.name}（{target.staff.staff_no}）"


def presale_goal(target: Target) -> Decimal:
    return to_money(target.amount * target.campaign.presale_share)


@dataclass(frozen=True)
class TargetSplit:
    """A target with its parts and how far their sum is from it."""

    parent: Target
    children: list[Target]
    children_total: Decimal

    @property
    def gap(self) -> Decimal:
        return self.children_total - self.parent.amount

    @property
    def gap_text(self) -> str:
        """The gap as money with its sign: +¥100.00 or -¥100.00."""
        return f"+{format_yuan(self.gap)}" if self.gap > 0 else format_yuan(self.gap)


def target_split_view(user, target: Target) -> TargetSplit:
    if target.level == Target.Level.STAFF:
        return TargetSplit(parent=target, children=[], children_total=to_money(0))
    all_children = target_children(target)
    visible = all_children.filter(pk__in=targets_visible(user, target.campaign).values("pk"))
    total = all_children.aggregate(total=Sum("amount"))["total"] or 0
    return TargetSplit(parent=target, children=list(visible), children_total=to_money(total))

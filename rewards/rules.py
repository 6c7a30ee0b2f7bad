"""The reward rule kinds of rules.md §5, one small class each behind one interface: a rule
takes the campaign's facts and its parameters and yields settlement lines.

A kind is added by writing one more class with the `rule_kind` decorator: it declares the
parameters the campaign document must give it (checked when a campaign is loaded or saved)
and the lines it makes. Every amount is rounded half up to the fen."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import ClassVar

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from campaigns import documents
from campaigns.models import Campaign, Target
from common.dates import local_day_range
from common.errors import ServiceError
from common.money import to_money
from presale.models import YouzanOrder
from presale.selectors import BookingGap, booking_gaps
from reports.facts import store_sales
from stores.models import Region, Store

ZERO = Decimal("0.00")
PAY, OWE = "pay", "owe"


@dataclass(frozen=True)
class LineDraft:
    """A settlement line before it is stored: who, how much, which way, and why."""

    kind: str
    rule_number: int
    recipient_type: str
    recipient: str
    region_pk: int
    direction: str
    amount: Decimal
    identity: str
    facts: dict
    store_pk: int | None = None
    staff_pk: int | None = None
    order_pk: int | None = None


@dataclass(frozen=True)
class StoreFact:
    pk: int
    store_id: int
    region_pk: int


@dataclass(frozen=True)
class OrderFact:
    """A paid presale order as a rule sees it: its amount, time and whom it is credited to."""

    pk: int
    order_no: str
    paid_at: datetime.datetime
    net: Decimal
    store_pk: int
    store_id: int
    region_pk: int
    staff_pk: int | None
    staff_no: str | None
    # The order's place in its day, for the rules that rank orders.
    place: int | None = None

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.paid_at)


ORDER_FIELDS = (
    "pk",
    "order_no",
    "paid_at",
    "net_amount",
    "store_id",
    "store__store_id",
    "store__region_id",
    "registered_staff_id",
    "registered_staff__staff_no",
)


@dataclass
class CampaignFacts:
    """What the rules read, each fact queried once per run and shared by every rule."""

    campaign: Campaign
    _sales: dict = field(default_factory=dict)

    @cached_property
    def stores(self) -> dict[int, StoreFact]:
        return {
            pk: StoreFact(pk, store_id, region_pk)
            for pk, store_id, region_pk in Store.objects.values_list("pk", "store_id", "region_id")
        }

    @cached_property
    def region_names(self) -> dict[int, str]:
        return dict(Region.objects.values_list("pk", "name"))

    @cached_property
    def region_pks(self) -> dict[str, int]:
        return {name: pk for pk, name in self.region_names.items()}

    def targets(self, level: str) -> dict[int, Decimal]:
        holder = {"region": "region_id", "store": "store_id"}[level]
        return dict(
            Target.objects.filter(campaign=self.campaign, level=level).values_list(holder, "amount")
        )

    def store_sales(self, window: tuple[datetime.date, datetime.date]) -> dict[int, Decimal]:
        """Store sales (presale + in store, rules.md §4) in the window, per store pk."""
        if window not in self._sales:
            self._sales[window] = {
                pk: to_money(presale + in_store)
                for pk, (presale, in_store) in store_sales(self.campaign, *window).items()
            }
        return self._sales[window]

    def region_sales(self, window: tuple[datetime.date, datetime.date]) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = {}
        for store_pk, amount in self.store_sales(window).items():
            region_pk = self.stores[store_pk].region_pk
            totals[region_pk] = totals.get(region_pk, ZERO) + amount
        return totals

    def paid_orders(self, window: tuple[datetime.date, datetime.date]) -> QuerySet[YouzanOrder]:
        """Orders attributed to a store and paid in the window (by payment time), with a net
        amount left: a fully refunded order earns nothing."""
        start, end = local_day_range(*window)
        return YouzanOrder.objects.filter(
            paid_at__gte=start, paid_at__lt=end, store__isnull=False, net_amount__gt=0
        )

    @cached_property
    def bookings(self) -> list[BookingGap]:
        return booking_gaps(self.campaign, Store.objects.all())


def order_facts(orders: QuerySet, *, ranked: bool = False) -> Iterator[OrderFact]:
    fields = (*ORDER_FIELDS, "place") if ranked else ORDER_FIELDS
    for row in orders.values_list(*fields).iterator(chunk_size=5000):
        yield OrderFact(*row[:3], to_money(row[3]), *row[4:])


def money_text(value: Decimal) -> str:
    return str(to_money(value))


class Rule:
    """One rule of a campaign: its kind's parameters, read from the campaign document."""

    kind: ClassVar[str]
    title: ClassVar[str]
    parameters: ClassVar[dict[str, Callable]]
    # The facts a line of this kind carries, as workbook columns: (key, header, cell kind).
    fact_columns: ClassVar[tuple[tuple[str, str, str], ...]]
    # Templates read a kind's title and columns from the class; they must not call it.
    do_not_call_in_templates = True

    def __init__(self, campaign: Campaign, number: int, params: dict):
        self.campaign, self.number, self.params = campaign, number, params

    @property
    def window(self) -> tuple[datetime.date, datetime.date]:
        """The rule's own window, else the presale window (formats.md)."""
        if "window" in self.params:
            first, last = self.params["window"]
            return datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
        return self.campaign.presale_start, self.campaign.presale_end

    def lines(self, facts: CampaignFacts) -> Iterator[LineDraft]:
        raise NotImplementedError

    def _line(self, identity: str, **fields) -> LineDraft:
        return LineDraft(
            kind=self.kind, rule_number=self.number, identity=f"{self.number}:{identity}", **fields
        )

    def _region_line(self, facts, region_pk: int, direction: str, amount, **line_facts):
        name = facts.region_names[region_pk]
        return self._line(
            f"region:{name}",
            recipient_type="region",
            recipient=name,
            region_pk=region_pk,
            direction=direction,
            amount=to_money(amount),
            facts=line_facts,
        )

    def _store_line(self, facts, store_pk: int, direction: str, amount, **line_facts):
        store = facts.stores[store_pk]
        return self._line(
            f"store:{store.store_id}",
            recipient_type="store",
            recipient=str(store.store_id),
            region_pk=store.region_pk,
            store_pk=store_pk,
            direction=direction,
            amount=to_money(amount),
            facts=line_facts,
        )

    def _order_line(self, order: OrderFact, identity: str, amount, **line_facts):
        """Paid to the staff member the order is registered to, else to its store."""
        staff = order.staff_pk is not None
        return self._line(
            identity,
            recipient_type="staff" if staff else "store",
            recipient=order.staff_no if staff else str(order.store_id),
            region_pk=order.region_pk,
            store_pk=order.store_pk,
            staff_pk=order.staff_pk,
            order_pk=order.pk,
            direction=PAY,
            amount=to_money(amount),
            facts={"order_no": order.order_no, "net": money_text(order.net), **line_facts},
        )


RULE_KINDS: dict[str, type[Rule]] = {}


def rule_kind(cls: type[Rule]) -> type[Rule]:
    """Register a kind: the settlement runs it, and the campaign document checks its
    parameters by the readers it declares."""
    RULE_KINDS[cls.kind] = cls
    documents.rule_kind_register(cls.kind, cls.parameters)
    return cls


def campaign_rules(campaign: Campaign) -> list[Rule]:
    """The campaign's rules in document order; a kind without a class cannot be settled."""
    rules = []
    for number, params in enumerate(campaign.rules or [], start=1):
        kind = params.get("kind")
        if kind not in RULE_KINDS:
            raise ServiceError(f"规则 #{number} ({kind}): 系统不认识这种规则，无法结算。")
        rules.append(RULE_KINDS[kind](campaign, number, params))
    return rules


def _tier_amount(tiers: list[list[str]], value: Decimal) -> tuple[Decimal, Decimal] | None:
    """The highest tier whose threshold `value` reaches, as (threshold, amount)."""
    reached = [(Decimal(low), Decimal(amount)) for low, amount in tiers if value >= Decimal(low)]
    return max(reached) if reached else None


@rule_kind
class TargetBonus(Rule):
    """A region whose sales reach its target is paid a share of its sales."""

    kind, title = "target_bonus", "目标达成奖"
    fact_columns = (
        ("sales", "片区销售", "money"),
        ("target", "片区目标", "money"),
        ("rate", "奖励比例", "text"),
    )
    parameters = {"level": documents.read_choice("region"), "rate": documents.read_rate}

    def lines(self, facts):
        rate = Decimal(self.params["rate"])
        sales = facts.region_sales(self.window)
        for region_pk, target in sorted(facts.targets("region").items()):
            achieved = sales.get(region_pk, ZERO)
            if target > 0 and achieved >= target:
                yield self._region_line(
                    facts,
                    region_pk,
                    PAY,
                    rate * achieved,
                    sales=money_text(achieved),
                    target=money_text(target),
                    rate=str(rate),
                )


@rule_kind
class ShortfallFund(Rule):
    """A region or store below a share of its target owes a growth fund on the gap."""

    kind, title = "shortfall_fund", "成长金"
    fact_columns = (
        ("sales", "销售", "money"),
        ("target", "目标", "money"),
        ("threshold", "达标线", "text"),
        ("rate", "比例", "text"),
    )
    parameters = {
        "level": documents.read_choice("region", "store"),
        "threshold": documents.read_rate,
        "rate": documents.read_rate,
    }

    def lines(self, facts):
        level = self.params["level"]
        threshold, rate = Decimal(self.params["threshold"]), Decimal(self.params["rate"])
        sales = (
            facts.region_sales(self.window) if level == "region" else facts.store_sales(self.window)
        )
        line = self._region_line if level == "region" else self._store_line
        for holder_pk, target in sorted(facts.targets(level).items()):
            achieved = sales.get(holder_pk, ZERO)
            if target > 0 and achieved < threshold * target:
                yield line(
                    facts,
                    holder_pk,
                    OWE,
                    rate * (target - achieved),
                    sales=money_text(achieved),
                    target=money_text(target),
                    threshold=str(threshold),
                    rate=str(rate),
                )


@rule_kind
class ReceiptTier(Rule):
    """Each order in the window earns the highest tier its net amount reaches."""

    kind, title = "receipt_tier", "单笔满额奖"
    fact_columns = (
        ("order_no", "订单号", "text"),
        ("net", "实付净额", "money"),
        ("tier", "档位", "money"),
    )
    parameters = {"tiers": documents.read_tiers}

    def lines(self, facts):
        tiers = self.params["tiers"]
        lowest = min(Decimal(low) for low, _ in tiers)
        orders = facts.paid_orders(self.window).filter(net_amount__gte=lowest)
        for order in order_facts(orders.order_by("paid_at", "order_no")):
            threshold, amount = _tier_amount(tiers, order.net)
            yield self._order_line(
                order, f"order:{order.order_no}", amount, tier=money_text(threshold)
            )


def _ranked_per_day(orders: QuerySet, partition: list, order_by: list) -> QuerySet:
    """Each order with its place within its day (and partition), by the given order."""
    day = TruncDate("paid_at", tzinfo=timezone.get_current_timezone())
    return orders.annotate(
        paid_day=day,
        place=Window(RowNumber(), partition_by=[day, *partition], order_by=order_by),
    )


@rule_kind
class DailyFirstOrder(Rule):
    """The first paid order of each day, in each region or in the whole chain."""

    kind, title = "daily_first_order", "每日首单奖"
    fact_columns = (
        ("day", "日期", "text"),
        ("scope", "范围", "text"),
        ("order_no", "订单号", "text"),
        ("paid_at", "付款时间", "text"),
        ("net", "实付净额", "money"),
    )
    parameters = {
        "scope": documents.read_choice("region", "chain"),
        "amount": documents.read_money,
    }

    def lines(self, facts):
        by_region = self.params["scope"] == "region"
        ranked = _ranked_per_day(
            facts.paid_orders(self.window),
            [F("store__region")] if by_region else [],
            [F("paid_at").asc(), F("order_no").asc()],
        )
        firsts = ranked.filter(place=1).order_by("paid_at", "order_no")
        for order in order_facts(firsts, ranked=True):
            scope = facts.region_names[order.region_pk] if by_region else "全公司"
            yield self._order_line(
                order,
                f"day:{order.day}:{scope}",
                self.params["amount"],
                day=order.day.isoformat(),
                scope=scope,
                paid_at=timezone.localtime(order.paid_at).strftime("%H:%M:%S"),
            )


@rule_kind
class DailyBigOrderRank(Rule):
    """Each day the largest orders above an amount win the prizes in order; a tie goes to
    the earlier payment."""

    kind, title = "daily_big_order_rank", "每日大单排名奖"
    fact_columns = (
        ("day", "日期", "text"),
        ("scope", "范围", "text"),
        ("place", "名次", "int"),
        ("order_no", "订单号", "text"),
        ("net", "实付净额", "money"),
    )
    parameters = {
        "scope": documents.read_choice("region", "chain"),
        "min_amount_exclusive": documents.read_money,
        "prizes": documents.read_prizes,
    }

    def lines(self, facts):
        by_region = self.params["scope"] == "region"
        prizes = self.params["prizes"]
        orders = facts.paid_orders(self.window).filter(
            net_amount__gt=Decimal(self.params["min_amount_exclusive"])
        )
        ranked = _ranked_per_day(
            orders,
            [F("store__region")] if by_region else [],
            [F("net_amount").desc(), F("paid_at").asc(), F("order_no").asc()],
        )
        winners = (
            ranked.filter(place__lte=len(prizes)).order_by("paid_day", "store__region", "place")
            if by_region
            else ranked.filter(place__lte=len(prizes)).order_by("paid_day", "place")
        )
        for order, place in zip(
            order_facts(winners), winners.values_list("place", flat=True), strict=True
        ):
            scope = facts.region_names[order.region_pk] if by_region else "全公司"
            yield self._order_line(
                order,
                f"day:{order.day}:{scope}:{place}",
                prizes[place - 1],
                day=order.day.isoformat(),
                scope=scope,
                place=str(place),
            )


@rule_kind
class StoreBreakthrough(Rule):
    """A store whose sales reach a tier is paid the highest tier reached."""

    kind, title = "store_breakthrough", "门店突破奖"
    fact_columns = (("sales", "门店销售", "money"), ("tier", "档位", "money"))
    parameters = {"tiers": documents.read_tiers}

    def lines(self, facts):
        for store_pk, sales in sorted(facts.store_sales(self.window).items()):
            reached = _tier_amount(self.params["tiers"], sales)
            if reached is not None:
                yield self._store_line(
                    facts,
                    store_pk,
                    PAY,
                    reached[1],
                    sales=money_text(sales),
                    tier=money_text(reached[0]),
                )


@rule_kind
class BookingGap(Rule):
    """A store that booked less of its presale orders in booking days 1–N than its presale
    sales owes the difference: it buys the rest itself."""

    kind, title = "booking_gap", "下账差额"
    fact_columns = (
        ("presale", "预售金额", "money"),
        ("booked", "已下账金额", "money"),
        ("orders", "订单数", "int"),
        ("booking_days", "下账天数", "int"),
    )
    parameters = {"booking_days": lambda value, where: documents.read_int(value, where, minimum=1)}

    def lines(self, facts):
        for row in facts.bookings:
            if row.gap > 0:
                yield self._store_line(
                    facts,
                    row.store_pk,
                    OWE,
                    row.gap,
                    presale=money_text(row.exported),
                    booked=money_text(row.booked),
                    orders=str(row.orders),
                    booking_days=str(self.params["booking_days"]),
                )

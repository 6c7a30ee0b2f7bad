"""Reading settlements: runs, their lines in the user's scope, totals, the orders behind a
line, the JSON summary (formats.md) and what changed between two versions."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from campaigns.models import Campaign
from common.dates import local_day_range
from common.errors import NotFound
from presale.models import YouzanOrder
from presale.selectors import orders_visible
from reports.assessment import CostStatus, SourceCosts
from rewards.models import SettlementLine, SettlementRun
from rewards.rules import RULE_KINDS
from stores.access import Level, restrict_to_holders, scope_of

ZERO = Decimal("0.00")


def runs_visible(user) -> QuerySet[SettlementRun]:
    """Runs are the campaign's; what is in them is narrowed line by line."""
    if scope_of(user).level is Level.NONE:
        return SettlementRun.objects.none()
    return SettlementRun.objects.select_related("campaign", "approved_by", "computed_by")


def run_get(user, run_pk: int) -> SettlementRun:
    run = runs_visible(user).filter(pk=run_pk).first()
    if run is None:
        raise NotFound("找不到该结算版本。")
    return run


def run_of_campaign(campaign: Campaign, version: int | None = None) -> SettlementRun:
    """A version of the campaign's settlement, the latest when none is named."""
    runs = campaign.settlements.order_by("-version")
    run = runs.filter(version=version).first() if version else runs.first()
    if run is None:
        raise NotFound(
            f"活动 {campaign.code} 没有第 {version} 版结算。"
            if version
            else f"活动 {campaign.code} 还没有结算，请先计算。"
        )
    return run


def run_of_record(user, campaign: Campaign) -> SettlementRun | None:
    """The version that stands for the campaign's settlement: the latest approved one, or,
    before any approval, the latest draft."""
    approved_first = Case(
        When(status=SettlementRun.Status.APPROVED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return runs_visible(user).filter(campaign=campaign).order_by(approved_first, "-version").first()


def rewards_paid(user, campaign: Campaign) -> SourceCosts:
    """The assessment's cost source (registered in RewardsConfig.ready): the paid lines of
    the version of record, summed per region and store in one grouped query; a region's
    own lines have no store, a staff member's are their store's."""
    run = run_of_record(user, campaign)
    if run is None:
        return SourceCosts(CostStatus.PENDING, note="还没有结算，奖励待结算。")
    paid = SettlementLine.objects.filter(run=run, direction=SettlementLine.Direction.PAY)
    rows = (
        restrict_to_holders(user, paid)
        .values("region", "store")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    if run.locked:
        return SourceCosts(CostStatus.FINAL, rows, f"第 {run.version} 版结算（已审批）的应付金额。")
    return SourceCosts(
        CostStatus.DRAFT, rows, f"第 {run.version} 版结算草稿的应付金额，财务审批前可能变化。"
    )


def lines_visible(user, run: SettlementRun) -> QuerySet[SettlementLine]:
    lines = SettlementLine.objects.filter(run=run).select_related(
        "region", "store", "staff", "order"
    )
    return restrict_to_holders(user, lines).order_by("position")


def line_get(user, line_pk: int) -> SettlementLine:
    """The line if the user may see it; otherwise NotFound, so a URL never tells whether
    another store's line exists."""
    lines = SettlementLine.objects.select_related("run__campaign", "region", "store", "staff")
    line = restrict_to_holders(user, lines).filter(pk=line_pk).first()
    if line is None:
        raise NotFound("找不到该结算明细。")
    return line


def lines_filtered(
    user, run: SettlementRun, *, kind: str = "", recipient_type: str = "", recipient: str = ""
) -> QuerySet[SettlementLine]:
    lines = lines_visible(user, run)
    if kind:
        lines = lines.filter(kind=kind)
    if recipient_type:
        lines = lines.filter(recipient_type=recipient_type)
    if recipient:
        lines = lines.filter(
            Q(recipient=recipient.strip())
            | Q(store__name__contains=recipient.strip())
            | Q(staff__name=recipient.strip())
        )
    return lines


def money_sum(direction: str) -> Coalesce:
    return Coalesce(
        Sum("amount", filter=Q(direction=direction)),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def totals_by_region(user, run: SettlementRun) -> QuerySet:
    """Paid and owed per region, over the lines the user may see."""
    return (
        lines_visible(user, run)
        .order_by()
        .values("region_id", "region__name")
        .annotate(pay=money_sum("pay"), owe=money_sum("owe"))
        .order_by("region__name")
    )


def totals_by_store(user, run: SettlementRun) -> QuerySet:
    """Paid and owed per store, its staff's lines included."""
    return (
        lines_visible(user, run)
        .filter(store__isnull=False)
        .order_by()
        .values("store_id", "store__store_id", "store__name", "region__name")
        .annotate(pay=money_sum("pay"), owe=money_sum("owe"))
        .order_by("store__store_id")
    )


def totals_of(lines: QuerySet[SettlementLine]) -> dict[str, Decimal]:
    found = lines.order_by().aggregate(pay=money_sum("pay"), owe=money_sum("owe"))
    return {"pay": found["pay"], "owe": found["owe"]}


def line_orders(user, line: SettlementLine) -> QuerySet[YouzanOrder]:
    """The presale orders behind a line: its own order, else the orders of its store (or
    region) paid in its rule's window, through the orders' own access function."""
    orders = orders_visible(user)
    if line.order_id:
        return orders.filter(pk=line.order_id)
    rule = RULE_KINDS[line.kind](line.run.campaign, line.rule_number, _rule_params(line))
    start, end = local_day_range(*rule.window)
    orders = orders.filter(paid_at__gte=start, paid_at__lt=end)
    if line.store_id:
        return orders.filter(store_id=line.store_id)
    return orders.filter(store__region_id=line.region_id)


def _rule_params(line: SettlementLine) -> dict:
    rules = line.run.campaign.rules or []
    return rules[line.rule_number - 1] if line.rule_number <= len(rules) else {}


def line_summary(line: SettlementLine) -> dict:
    return {
        "kind": line.kind,
        "recipient_type": line.recipient_type,
        "recipient": line.recipient,
        "direction": line.direction,
        "amount": str(line.amount),
        "facts": line.facts,
    }


def run_summary(run: SettlementRun) -> dict:
    """The run as `settle CODE --json` prints it (formats.md, Settlement summary)."""
    lines = SettlementLine.objects.filter(run=run).order_by("position")
    return {
        "campaign": run.campaign.code,
        "version": run.version,
        "status": run.status,
        "lines": [line_summary(line) for line in lines.iterator(chunk_size=5000)],
        "totals": {"pay": str(run.pay_total), "owe": str(run.owe_total)},
    }


@dataclass(frozen=True)
class LineChange:
    """One line that differs between two versions, and the facts that changed it."""

    identity: str
    kind: str
    recipient_type: str
    recipient: str
    before: SettlementLine | None
    after: SettlementLine | None

    @property
    def change(self) -> str:
        if self.before is None:
            return "新增"
        if self.after is None:
            return "取消"
        return "金额变化" if self.before.amount != self.after.amount else "依据变化"

    @property
    def difference(self) -> Decimal:
        return (self.after.amount if self.after else ZERO) - (
            self.before.amount if self.before else ZERO
        )

    @property
    def reasons(self) -> list[str]:
        """Each fact that changed, as 'net 1598.00 → 1000.00'."""
        before = self.before.facts if self.before else {}
        after = self.after.facts if self.after else {}
        return [
            f"{name}: {before.get(name, '—')} → {after.get(name, '—')}"
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)
        ]


def runs_compare(earlier: SettlementRun, later: SettlementRun) -> list[LineChange]:
    """The lines added, removed or changed from one version to another, matched by what each
    line stands for (rule, recipient, order or day)."""

    def by_identity(run: SettlementRun) -> dict[str, SettlementLine]:
        return {line.identity: line for line in SettlementLine.objects.filter(run=run)}

    before, after = by_identity(earlier), by_identity(later)
    changes = []
    for identity in sorted(set(before) | set(after)):
        old, new = before.get(identity), after.get(identity)
        if old and new and old.amount == new.amount and old.facts == new.facts:
            continue
        line = new or old
        changes.append(
            LineChange(identity, line.kind, line.recipient_type, line.recipient, old, new)
        )
    return changes

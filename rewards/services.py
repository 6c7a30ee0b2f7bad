"""Settlement runs: computing a new version from the facts, approving it, discarding a draft.

An approved version is locked: nothing here changes it, and the page, the API and the
command all come through these functions."""

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from campaigns.models import Campaign
from common.errors import Conflict, PermissionDenied
from rewards.models import SettlementLine, SettlementRun
from rewards.rules import OWE, CampaignFacts, LineDraft, campaign_rules
from stores.access import is_finance, scope_of

LINES_PER_BATCH = 5000
ONLY_FINANCE = "只有财务可以审批或删除结算版本。"


def _line_rows(run: SettlementRun, drafts: Iterable[LineDraft]) -> Iterator[SettlementLine]:
    for position, draft in enumerate(drafts, start=1):
        yield SettlementLine(
            run=run,
            position=position,
            kind=draft.kind,
            rule_number=draft.rule_number,
            recipient_type=draft.recipient_type,
            recipient=draft.recipient,
            region_id=draft.region_pk,
            store_id=draft.store_pk,
            staff_id=draft.staff_pk,
            order_id=draft.order_pk,
            direction=draft.direction,
            amount=draft.amount,
            identity=draft.identity,
            facts=draft.facts,
        )


def _all_lines(campaign: Campaign) -> Iterator[LineDraft]:
    facts = CampaignFacts(campaign)
    for rule in campaign_rules(campaign):
        for draft in rule.lines(facts):
            if draft.amount > 0:
                yield draft


@transaction.atomic
def settlement_run(*, campaign: Campaign, user=None) -> SettlementRun:
    """Compute every line of the campaign's rules from the facts in the database as a new
    version. The same facts always give the same lines, in the same order."""
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # one version number at a time
    latest = campaign.settlements.aggregate(latest=Max("version"))["latest"] or 0
    run = SettlementRun.objects.create(
        campaign=campaign,
        version=latest + 1,
        computed_at=timezone.now(),
        computed_by=user if getattr(user, "is_authenticated", False) else None,
    )
    totals = {"pay": Decimal(0), "owe": Decimal(0)}
    count = 0
    rows = _line_rows(run, _all_lines(campaign))
    while batch := list(islice(rows, LINES_PER_BATCH)):
        for line in batch:
            totals[line.direction] += line.amount
        SettlementLine.objects.bulk_create(batch)
        count += len(batch)
    run.pay_total, run.owe_total, run.line_count = totals["pay"], totals[OWE], count
    run.save(update_fields=["pay_total", "owe_total", "line_count"])
    return run


def _locked_message(run: SettlementRun) -> str:
    approver = run.approved_by.name if run.approved_by else ""
    stamp = timezone.localtime(run.approved_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"第 {run.version} 版已于 {stamp} 由{approver}审批，已锁定，不能修改；"
        "如需重新结算，请计算新的版本。"
    )


def _require_finance(user) -> None:
    if not is_finance(user):
        raise PermissionDenied(ONLY_FINANCE)


@transaction.atomic
def settlement_approve(*, run: SettlementRun, user) -> SettlementRun:
    """Finance approves a draft version; from then on it is locked."""
    _require_finance(user)
    approved = SettlementRun.objects.filter(pk=run.pk, status=SettlementRun.Status.DRAFT).update(
        status=SettlementRun.Status.APPROVED,
        approved_at=timezone.now(),
        approved_by=scope_of(user).staff,
    )
    run.refresh_from_db()
    if not approved:
        raise Conflict(_locked_message(run))
    return run


@transaction.atomic
def settlement_discard(*, run: SettlementRun, user) -> None:
    """Finance deletes a draft version they will not approve; an approved one stays."""
    _require_finance(user)
    locked = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if locked.locked:
        raise Conflict(_locked_message(locked))
    locked.delete()

"""Settlement runs: computing a new version from the facts, approving it, discarding a draft.

An approved version is locked: nothing here changes it, and the page, the API and the
command all come through these functions."""

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from campaigns.models import Campaign
from common.errors import Conflict, PermissionDenied
from rewards.models import SettlementLine, SettlementRun
from rewards.rules import OWE, CampaignFacts, LineDraft, campaign_rules
from stores.access import is_finance, scope_of

LINES_PER_BATCH = 5000
ONLY_FINANCE = "只有财务可以审批或删除结算版本。"


# The columns of a line in the order the COPY writes them.
LINE_COLUMNS = (
    "run_id",
    "position",
    "kind",
    "rule_number",
    "recipient_type",
    "recipient",
    "region_id",
    "store_id",
    "staff_id",
    "order_id",
    "direction",
    "amount",
    "identity",
    "facts",
)


def _line_values(run: SettlementRun, drafts: Iterable[LineDraft]) -> Iterator[tuple]:
    for position, draft in enumerate(drafts, start=1):
        yield (
            run.pk,
            position,
            draft.kind,
            draft.rule_number,
            draft.recipient_type,
            draft.recipient,
            draft.region_pk,
            draft.store_pk,
            draft.staff_pk,
            draft.order_pk,
            draft.direction,
            draft.amount,
            draft.identity,
            draft.facts,
        )


def _lines_write(rows: Iterator[tuple], totals: dict[str, Decimal]) -> int:
    """Store the lines as they are computed, a batch at a time: COPY on PostgreSQL (a
    chain's settlement has millions of lines), batched inserts elsewhere."""
    count = 0
    direction, amount = LINE_COLUMNS.index("direction"), LINE_COLUMNS.index("amount")
    while batch := list(islice(rows, LINES_PER_BATCH)):
        for row in batch:
            totals[row[direction]] += row[amount]
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(SettlementLine._meta.db_table)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in batch:
                    copy.write_row((*row[:-1], json.dumps(row[-1], ensure_ascii=False)))
        else:
            SettlementLine.objects.bulk_create(
                SettlementLine(**dict(zip(LINE_COLUMNS, row, strict=True))) for row in batch
            )
        count += len(batch)
    return count


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
    count = _lines_write(_line_values(run, _all_lines(campaign)), totals)
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

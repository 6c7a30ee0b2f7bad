import json

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from common.errors import ServiceError
from rewards.selectors import run_of_campaign, run_summary
from rewards.services import settlement_discard, settlement_run
from stores.models import Staff


class Command(BaseCommand):
    help = "计算活动的结算（每次生成一个新版本）；--json 输出结算汇总。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="活动编码")
        parser.add_argument("--json", action="store_true", help="输出结算汇总 JSON")
        parser.add_argument(
            "--discard",
            type=int,
            metavar="N",
            help="删除第 N 版草稿（已审批的版本已锁定，不能删除）",
        )
        parser.add_argument("--as", dest="login", help="以此财务账号执行 --discard")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(code=options["code"]).first()
        if campaign is None:
            raise CommandError(f"没有编码为 {options['code']} 的活动。")
        try:
            if options["discard"]:
                self._discard(campaign, options["discard"], options["login"])
                return
            run = settlement_run(campaign=campaign)
        except ServiceError as error:
            raise CommandError(error.message) from error
        if options["json"]:
            self.stdout.write(json.dumps(run_summary(run), ensure_ascii=False))
            return
        self.stdout.write(
            f"{campaign.code} 第 {run.version} 版结算：{run.line_count} 行，"
            f"应付 ¥{run.pay_total:,.2f}，应收 ¥{run.owe_total:,.2f}（待审批）。"
        )

    def _discard(self, campaign: Campaign, version: int, login: str | None) -> None:
        staff = Staff.objects.select_related("user").filter(staff_no=login or "").first()
        if staff is None:
            raise CommandError("删除结算版本需要用 --as 指定财务的员工销售ID。")
        run = run_of_campaign(campaign, version)
        settlement_discard(run=run, user=staff.user)
        self.stdout.write(f"已删除 {campaign.code} 第 {version} 版结算草稿。")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from common.errors import ServiceError
from rewards.exports import settlement_workbook_write
from rewards.selectors import run_of_campaign


class Command(BaseCommand):
    help = "导出结算表（.xlsx），默认最新版本。"

    def add_base_argument(self, parser, *args, **kwargs):
        # --version names the settlement version here, not Django's.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("code", help="活动编码")
        parser.add_argument("--version", type=int, help="结算版本，默认最新")
        parser.add_argument("--out", required=True, help="输出文件路径（.xlsx）")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(code=options["code"]).first()
        if campaign is None:
            raise CommandError(f"没有编码为 {options['code']} 的活动。")
        try:
            run = run_of_campaign(campaign, options["version"])
        except ServiceError as error:
            raise CommandError(error.message) from error
        path = Path(options["out"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError("输出文件应以 .xlsx 结尾。")
        settlement_workbook_write(run, path)
        self.stdout.write(f"已导出 {campaign.code} 第 {run.version} 版结算表：{path}")

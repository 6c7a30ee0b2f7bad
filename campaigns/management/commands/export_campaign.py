import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from campaigns.selectors import campaign_document


class Command(BaseCommand):
    help = "把活动导出为活动文件（JSON，formats.md）；再用 load_campaign 读入得到同一个活动。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help="活动编码，如 WINONA-2022-D11")
        parser.add_argument("--out", required=True, help="输出文件路径")

    def handle(self, *args, **options) -> None:
        campaign = Campaign.objects.filter(code=options["code"]).first()
        if campaign is None:
            raise CommandError(f"没有活动编码为 {options['code']} 的活动。")
        body = json.dumps(campaign_document(campaign), ensure_ascii=False, indent=2)
        Path(options["out"]).write_text(body + "\n", encoding="utf-8")
        self.stdout.write(f"已导出活动“{campaign.name}”到 {options['out']}。")

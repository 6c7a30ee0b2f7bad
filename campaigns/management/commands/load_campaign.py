import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.documents import DocumentError
from campaigns.models import Target
from campaigns.services import campaign_load
from common.money import format_yuan


class Command(BaseCommand):
    help = "读入活动文件（JSON，formats.md），创建或替换该活动及其目标；文件有错时不保存任何内容。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="活动文件路径")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")

    def handle(self, *args, **options) -> None:
        as_json = options["json"]
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            campaign = campaign_load(data)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, DocumentError) as error:
            message = getattr(error, "message", None) or f"无法读取活动文件：{error}"
            if as_json:
                self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
                raise SystemExit(1) from None
            raise CommandError(message) from None
        counts = {level: campaign.targets.filter(level=level).count() for level in Target.Level}
        region_total = sum(
            campaign.targets.filter(level=Target.Level.REGION).values_list("amount", flat=True)
        )
        if as_json:
            result = {
                "code": campaign.code,
                "name": campaign.name,
                "targets": {
                    "regions": counts[Target.Level.REGION],
                    "stores": counts[Target.Level.STORE],
                    "staff": counts[Target.Level.STAFF],
                },
                "total_region_target": f"{region_total:.2f}",
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        regions, stores, staff = (counts[level] for level in Target.Level)
        self.stdout.write(
            f"已载入活动“{campaign.name}”（{campaign.code}）：片区目标 {regions} 个，"
            f"门店目标 {stores} 个，员工目标 {staff} 个，"
            f"片区目标合计 {format_yuan(region_total)}。"
        )

import datetime

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from common.dates import local_today
from reports.services import nightly_run
from reports.tasks import nightly_report_publish


class Command(BaseCommand):
    help = "写入某一天的活动快照（门店、片区、员工）；同一天重复运行结果相同。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--campaign", help="活动编码，默认所有进行中的活动")
        parser.add_argument(
            "--snapshots-only",
            action="store_true",
            help="只重算快照，不生成日报、不发邮件和群机器人（补算过去某天时使用）",
        )

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else local_today()
        except ValueError as error:
            raise CommandError(f"日期格式不对：{options['date']}（应为 YYYY-MM-DD）") from error
        campaigns = Campaign.objects.filter(active=True)
        if options["campaign"]:
            campaigns = Campaign.objects.filter(code=options["campaign"])
            if not campaigns.exists():
                raise CommandError(f"没有编码为 {options['campaign']} 的活动。")
        for campaign in campaigns:
            result = nightly_run(campaign=campaign, day=day)
            if not options["snapshots_only"]:
                nightly_report_publish(campaign=campaign, day=day)
            self.stdout.write(
                f"{campaign.code} {day:%Y-%m-%d}：门店 {result.stores} 家"
                f"（挂0 {result.zero_stores} 家），"
                f"片区 {result.regions} 个，员工 {result.staff} 名。"
            )

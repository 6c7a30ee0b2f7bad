import json
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.errors import ServiceError
from common.importing import (
    file_sha256,
    import_job_create,
    import_job_run,
    import_kinds,
    import_outcome,
)
from common.jobs import job_claim, job_complete, job_progress


class Command(BaseCommand):
    help = "导入一个表格文件（.xlsx 或 .csv）。默认要么全部写入，要么一行都不写。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", default="auto", choices=["auto", *import_kinds()])
        parser.add_argument("--sheet", default="", help="工作表名称（默认第一个）")
        parser.add_argument("--list-name", default="", help="回访名单的名称（默认取文件名）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument("--skip-invalid", action="store_true", help="写入有效行，报告错误行")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            self._refuse(options, f"找不到文件：{path}")
        try:
            job = import_job_create(
                file_name=path.name,
                sha256=file_sha256(path),
                kind=options["kind"],
                sheet_name=options["sheet"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                options={"list_name": options["list_name"] or path.stem},
            )
        except ServiceError as error:
            self._refuse(options, error.message)
        # Recorded like a browser import, so the list of past imports shows it too.
        job_claim(job.pk)
        result = import_job_run(job, path, job_progress(job))
        with tempfile.TemporaryDirectory() as folder:
            job_complete(job, import_outcome(job, result, Path(folder)))
        if options["json"]:
            summary = result.summary()
            if result.refused:
                summary["refused"] = result.refused
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            for issue in result.errors:
                self.stderr.write(f"第 {issue.row} 行 {issue.column}: {issue.message}")
            self.stdout.write(result.message(dry_run=options["dry_run"]))
        if result.is_refusal:
            raise SystemExit(1)

    def _refuse(self, options, message: str):
        if not options["json"]:
            raise CommandError(message)
        empty = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        summary = {"kind": options["kind"], **empty, "errors": [], "refused": message}
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        raise SystemExit(1)

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class Job(TimeStampedModel):
    """A background job: one row per run, so its progress and result outlive the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=64, db_index=True)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    message = models.TextField("说明", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    output = models.FileField("结果文件", upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class ImportJob(Job):
    """One import of one spreadsheet, from the browser or the command line."""

    file = models.FileField("上传文件", upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件哈希", max_length=64, db_index=True)
    requested_kind = models.CharField("指定类型", max_length=32, default="auto")
    detected_kind = models.CharField("识别类型", max_length=32, blank=True)
    sheet_name = models.CharField("工作表", max_length=100, blank=True)
    dry_run = models.BooleanField("试运行", default=False)
    skip_invalid = models.BooleanField("跳过错误行", default=False)
    written = models.BooleanField("已写入", default=False)
    rows = models.PositiveIntegerField("行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    rejected = models.PositiveIntegerField("错误行", default=0)
    # Held while the file is being imported, so the same file cannot run twice at once.
    lock_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} #{self.pk}"


class AuditEntry(models.Model):
    """Who did what to which record, and when: reveals of personal data, corrections."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, on_delete=models.SET_NULL
    )
    action = models.CharField("操作", max_length=50, db_index=True)
    target_type = models.CharField("对象类型", max_length=50)
    target_id = models.CharField("对象", max_length=64)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

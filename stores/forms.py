from django import forms

from common.importing import import_kinds


def kind_choices() -> list[tuple[str, str]]:
    return [("auto", "自动识别"), *((code, kind.label) for code, kind in import_kinds().items())]


class ImportForm(forms.Form):
    file = forms.FileField(label="表格文件", help_text=".xlsx 或 .csv（UTF-8 或 GB18030）")
    kind = forms.ChoiceField(label="文件类型", choices=kind_choices, initial="auto")
    sheet_name = forms.CharField(label="工作表", required=False, help_text="留空则读取第一个工作表")
    list_name = forms.CharField(
        label="回访名单名称",
        required=False,
        help_text="仅回访名单需要；留空则取文件名，如 20221009",
    )
    skip_invalid = forms.BooleanField(
        label="跳过错误行", required=False, help_text="写入有效行，错误行列入错误报告"
    )
    dry_run = forms.BooleanField(label="试运行", required=False, help_text="只检查并统计，不写入")

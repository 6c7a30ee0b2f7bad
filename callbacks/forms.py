from django import forms

from callbacks.models import REASON_KEYWORDS, Channel, Outcome


class AttemptForm(forms.Form):
    channel = forms.ChoiceField(
        label="方式",
        choices=Channel.choices,
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择回访方式。"},
    )
    outcome = forms.ChoiceField(
        label="结果",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择回访结果。"},
    )
    reasons = forms.MultipleChoiceField(
        label="原因",
        choices=[(keyword, keyword) for keyword in REASON_KEYWORDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_on = forms.DateField(
        label="下次跟进",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写正确的日期，例如 2022-10-25。"},
    )

    def __init__(self, *args, task_pk: int, **kwargs):
        # Many forms share one page: ids carry the task so labels point at their own inputs.
        super().__init__(*args, auto_id=f"task{task_pk}_%s", **kwargs)


class AssignForm(forms.Form):
    tasks = forms.TypedMultipleChoiceField(
        label="回访任务",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个任务。"},
    )
    staff = forms.TypedChoiceField(
        label="分配给", coerce=int, error_messages={"required": "请选择员工。"}
    )

    def __init__(self, *args, tasks, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = [(task.pk, task.pk) for task in tasks]
        self.fields["staff"].choices = [("", "请选择")] + [
            (person.pk, f"{person.name}（{person.get_role_display()}）") for person in staff
        ]

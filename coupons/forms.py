import datetime

from django import forms

from coupons.models import CouponType, Gift
from stores.models import Staff


def _money(label: str, *, required: bool = True, initial=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=required,
        initial=initial,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": f"请填写{label}。",
            "invalid": f"{label}是数字，例如 68.00。",
            "min_value": f"{label}不能是负数。",
            "max_decimal_places": f"{label}最多两位小数。",
        },
    )


def _quantity(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": f"请填写{label}。",
            "invalid": f"{label}是整数，例如 50。",
            "min_value": f"{label}必须大于 0。",
        },
    )


def _receipt_no() -> forms.CharField:
    return forms.CharField(
        label="小票号",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "请填写小票号。"},
    )


class _StoreStaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, staff: Staff) -> str:
        return staff.name


class CouponIssueForm(forms.Form):
    coupon_type = forms.ModelChoiceField(
        label="券种",
        queryset=CouponType.objects.none(),
        empty_label=None,
        error_messages={"required": "请选择券种。", "invalid_choice": "请选择券种。"},
    )
    receipt_no = _receipt_no()
    purchase_amount = _money("购物金额")

    def __init__(self, *args, coupon_types, **kwargs):
        super().__init__(*args, prefix="issue", **kwargs)
        self.fields["coupon_type"].queryset = coupon_types


class CouponRedeemForm(forms.Form):
    serial = forms.CharField(
        label="券号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "请填写券面上的券号。"},
    )
    receipt_no = _receipt_no()
    receipt_amount = _money("小票金额")
    special_amount = _money("其中特价商品金额", required=False, initial="0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="redeem", **kwargs)


class CouponReceiveForm(forms.Form):
    coupon_type = forms.ModelChoiceField(
        label="券种",
        queryset=CouponType.objects.filter(active=True),
        empty_label=None,
        error_messages={"required": "请选择券种。", "invalid_choice": "请选择券种。"},
    )
    quantity = _quantity("领用张数")
    signer = forms.CharField(
        label="领用签收人", max_length=50, error_messages={"required": "请填写领用签收人。"}
    )


class CouponReverseForm(forms.Form):
    reason = forms.CharField(
        label="冲正原因", max_length=200, error_messages={"required": "请写明冲正原因。"}
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="起始日",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写正确的日期，例如 2026-01-28。"},
    )
    end = forms.DateField(
        label="截止日",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写正确的日期，例如 2026-02-27。"},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("起始日不能晚于截止日。")
        if start and end and end - start > datetime.timedelta(days=366):
            raise forms.ValidationError("一次最多查询一年。")
        return cleaned


class GiftReceiveForm(forms.Form):
    gift = forms.ModelChoiceField(
        label="赠品", queryset=Gift.objects.all(), error_messages={"required": "请选择赠品。"}
    )
    quantity = _quantity("入库数量")
    note = forms.CharField(label="来源备注", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="receive", **kwargs)


class GiftTransferForm(forms.Form):
    gift = forms.ModelChoiceField(
        label="赠品", queryset=Gift.objects.all(), error_messages={"required": "请选择赠品。"}
    )
    quantity = _quantity("调出数量")
    to_store_id = forms.IntegerField(
        label="调入门店ID",
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "请填写调入门店ID。", "invalid": "门店ID 是数字，例如 307。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="transfer", **kwargs)


class _HandlersMixin:
    def _set_team(self, team) -> None:
        for name in ("handler", "second_handler"):
            if name in self.fields:
                self.fields[name].queryset = team


class GiftHandoutForm(_HandlersMixin, forms.Form):
    campaign = forms.ModelChoiceField(
        label="活动",
        queryset=None,
        empty_label=None,
        error_messages={"required": "请选择活动。", "invalid_choice": "请选择活动。"},
    )
    receipt_no = _receipt_no()
    purchase_amount = _money("购物金额")
    customer_confirmed = forms.BooleanField(
        label="顾客已在赠品单上签字",
        error_messages={"required": "请让顾客在赠品单上签字确认后再登记。"},
    )
    handler = _StoreStaffChoice(
        label="经办人", queryset=Staff.objects.none(), error_messages={"required": "请选择经办人。"}
    )
    second_handler = _StoreStaffChoice(
        label="第二经办人",
        queryset=Staff.objects.none(),
        error_messages={"required": "请选择第二经办人。"},
    )

    def __init__(self, *args, campaigns, team, **kwargs):
        super().__init__(*args, prefix="handout", **kwargs)
        self.fields["campaign"].queryset = campaigns
        self._set_team(team)


class PointsRedemptionForm(_HandlersMixin, forms.Form):
    card_no = forms.CharField(
        label="会员卡号", max_length=32, error_messages={"required": "请填写会员卡号。"}
    )
    points_before = forms.IntegerField(
        label="原积分", min_value=0, error_messages={"required": "请填写原积分。"}
    )
    points_deducted = forms.IntegerField(
        label="扣减积分", min_value=1, error_messages={"required": "请填写扣减积分。"}
    )
    gift = forms.ModelChoiceField(
        label="兑换品种", queryset=Gift.objects.all(), error_messages={"required": "请选择赠品。"}
    )
    customer_confirmed = forms.BooleanField(
        label="顾客已签字确认", error_messages={"required": "请让顾客签字确认后再登记。"}
    )
    handler = _StoreStaffChoice(
        label="经办人", queryset=Staff.objects.none(), error_messages={"required": "请选择经办人。"}
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, prefix="points", **kwargs)
        self._set_team(team)

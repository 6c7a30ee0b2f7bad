import json
from decimal import Decimal

from django import forms

from campaigns.models import Target
from campaigns.selectors import target_holder_name

SCRIPT_HELP = (
    "可用占位符：{brand} 品牌，{gift_tiers} 满赠档位，{buy_one_get_one} 买一送一商品，"
    "{presale_window} 预售时间，{callbacks_window} 回访时间，{booking_window} 下账时间。"
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class CampaignForm(forms.Form):
    """The campaign fields people edit in the browser; the rules and target overrides of
    the document are kept as they are."""

    code = forms.SlugField(
        label="活动编码", max_length=50, help_text="如 WINONA-2022-D11，创建后不能修改"
    )
    name = forms.CharField(label="活动名称", max_length=100)
    brand = forms.CharField(label="品牌", max_length=60)
    callbacks_start = forms.DateField(
        label="回访开始", widget=forms.DateInput(attrs={"type": "date"})
    )
    callbacks_end = forms.DateField(
        label="回访截止", widget=forms.DateInput(attrs={"type": "date"})
    )
    presale_start = forms.DateField(
        label="预售开始", widget=forms.DateInput(attrs={"type": "date"})
    )
    presale_end = forms.DateField(label="预售结束", widget=forms.DateInput(attrs={"type": "date"}))
    booking_start = forms.DateField(
        label="下账开始", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    booking_end = forms.DateField(
        label="下账结束", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    audience_brand = forms.CharField(
        label="目标人群：购买过的品牌", max_length=60, required=False, help_text="与回访名单二选一"
    )
    audience_months = forms.IntegerField(label="近几个月", min_value=1, required=False)
    audience_reference_date = forms.DateField(
        label="基准日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    audience_list = forms.CharField(
        label="或：回访名单名称",
        max_length=100,
        required=False,
        help_text="使用导入的回访名单时填写",
    )
    per_member_target = forms.DecimalField(
        label="人均目标（元）", min_value=0, max_digits=10, decimal_places=2
    )
    presale_share = forms.DecimalField(
        label="预售占比（%）", min_value=0, max_value=100, decimal_places=2, help_text="如 80"
    )
    daily_quota = forms.IntegerField(label="每人每日回访数", min_value=1, initial=5)
    max_phone_attempts = forms.IntegerField(label="最多电话次数", min_value=1, initial=3)
    gift_tiers = forms.CharField(
        label="满赠档位",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一档：门槛金额 赠品，如 398 柔润面膜5片",
    )
    buy_one_get_one = forms.CharField(
        label="买一送一商品",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个商品",
    )
    script_greeting = forms.CharField(
        label="话术：开场白", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    script_offer = forms.CharField(
        label="话术：活动介绍",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=SCRIPT_HELP,
    )
    script_closing = forms.CharField(
        label="话术：结束语", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True

    @classmethod
    def initial_from(cls, document: dict) -> dict:
        windows, audience = document["windows"], document["audience"]
        booking = windows.get("booking", [None, None])
        script = document.get("script", {})
        return {
            "code": document["code"],
            "name": document["name"],
            "brand": document["brand"],
            "callbacks_start": windows["callbacks"][0],
            "callbacks_end": windows["callbacks"][1],
            "presale_start": windows["presale"][0],
            "presale_end": windows["presale"][1],
            "booking_start": booking[0],
            "booking_end": booking[1],
            "audience_brand": audience.get("brand", ""),
            "audience_months": audience.get("months"),
            "audience_reference_date": audience.get("reference_date"),
            "audience_list": audience.get("list", ""),
            "per_member_target": document["per_member_target"],
            "presale_share": f"{(Decimal(document['presale_share']) * 100).normalize():f}",
            "daily_quota": document["callbacks"]["daily_quota"],
            "max_phone_attempts": document["callbacks"]["max_phone_attempts"],
            "gift_tiers": "\n".join(
                f"{tier['min_amount']} {tier['gift']}" for tier in document["gift_tiers"]
            ),
            "buy_one_get_one": "\n".join(document.get("buy_one_get_one", [])),
            "script_greeting": script.get("greeting", ""),
            "script_offer": script.get("offer", ""),
            "script_closing": script.get("closing", ""),
        }

    def clean_gift_tiers(self) -> list[dict]:
        tiers = []
        for number, line in enumerate(_lines(self.cleaned_data["gift_tiers"]), 1):
            amount, _, gift = line.replace("元", " ", 1).partition(" ")
            if not gift.strip():
                raise forms.ValidationError(
                    f"第 {number} 行应为“门槛金额 赠品”，如 398 柔润面膜5片。"
                )
            tiers.append({"min_amount": amount.strip().lstrip("满"), "gift": gift.strip()})
        return tiers

    def clean_buy_one_get_one(self) -> list[str]:
        return _lines(self.cleaned_data["buy_one_get_one"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("audience_list") and not cleaned.get("audience_brand"):
            self.add_error("audience_brand", "请填写目标人群的品牌、月数和基准日，或回访名单名称。")
        return cleaned

    def document(self, base: dict | None) -> dict:
        """The document to load: `base` (the campaign as it is) with this form's fields."""
        data = self.cleaned_data
        document = dict(base or {"targets": {}, "rules": []})
        windows = {
            "callbacks": [data["callbacks_start"].isoformat(), data["callbacks_end"].isoformat()],
            "presale": [data["presale_start"].isoformat(), data["presale_end"].isoformat()],
        }
        if data["booking_start"] or data["booking_end"]:
            windows["booking"] = [
                data["booking_start"].isoformat() if data["booking_start"] else None,
                data["booking_end"].isoformat() if data["booking_end"] else None,
            ]
        if data["audience_list"]:
            audience = {"list": data["audience_list"]}
        else:
            reference_date = data["audience_reference_date"]
            audience = {
                "brand": data["audience_brand"],
                "months": data["audience_months"],
                "reference_date": reference_date.isoformat() if reference_date else None,
            }
        script = {
            part: data[f"script_{part}"].strip()
            for part in ("greeting", "offer", "closing")
            if data[f"script_{part}"].strip()
        }
        document.update(
            code=base["code"] if base else data["code"],
            name=data["name"],
            brand=data["brand"],
            windows=windows,
            audience=audience,
            per_member_target=f"{data['per_member_target']:.2f}",
            presale_share=f"{(data['presale_share'] / 100).normalize():f}",
            callbacks={
                "daily_quota": data["daily_quota"],
                "max_phone_attempts": data["max_phone_attempts"],
            },
            gift_tiers=data["gift_tiers"],
            buy_one_get_one=data["buy_one_get_one"],
            script=script,
        )
        return document


class CampaignUploadForm(forms.Form):
    file = forms.FileField(label="活动文件（JSON）")

    def clean_file(self) -> dict:
        upload = self.cleaned_data["file"]
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise forms.ValidationError(f"不是有效的 JSON 文件：{error}") from None


class TargetSplitForm(forms.Form):
    """One amount per part of a target, named after the part's target id."""

    def __init__(self, *args, children: list[Target], **kwargs):
        super().__init__(*args, **kwargs)
        for child in children:
            self.fields[f"amount_{child.pk}"] = forms.DecimalField(
                label=target_holder_name(child),
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=child.amount,
            )

    def amounts(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("amount_")): amount for name, amount in self.cleaned_data.items()
        }

"""The campaign document (formats.md): reading it with every field checked, and writing it
back. Amounts and rates are strings holding decimals; fields this version does not know are
kept and written back unchanged."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from common.errors import ServiceError

KNOWN_FIELDS = {
    "code",
    "name",
    "brand",
    "windows",
    "audience",
    "per_member_target",
    "presale_share",
    "callbacks",
    "gift_tiers",
    "buy_one_get_one",
    "targets",
    "rules",
    "script",
    "assessment",
}
SCRIPT_PARTS = ("greeting", "offer", "closing")


class DocumentError(ServiceError):
    """The document cannot be loaded; the message names the field (and the rule)."""


def _decimal(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DocumentError(f'{where}: 应为字符串形式的数字，如 "200.00"')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DocumentError(f"{where}: '{value}' 不是有效的数字") from None
    if not number.is_finite() or number < 0:
        raise DocumentError(f"{where}: '{value}' 不是有效的非负数字")
    return number


def read_money(value, where: str) -> str:
    return f"{_decimal(value, where).quantize(Decimal('0.01'))}"


def read_rate(value, where: str) -> str:
    return str(_decimal(value, where))


def read_int(value, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DocumentError(f"{where}: 应为不小于 {minimum} 的整数")
    return value


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DocumentError(f"{where}: 不能为空")
    return value.strip()


def _date(value, where: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DocumentError(f"{where}: '{value}' 不是 YYYY-MM-DD 格式的日期") from None


def _window(value, where: str) -> tuple[datetime.date, datetime.date]:
    if not isinstance(value, list) or len(value) != 2:
        raise DocumentError(f"{where}: 应为 [开始日期, 结束日期]")
    start, end = _date(value[0], f"{where}[0]"), _date(value[1], f"{where}[1]")
    if end < start:
        raise DocumentError(f"{where}: 结束日期早于开始日期")
    return start, end


def read_tiers(value, where: str) -> list[list[str]]:
    if not isinstance(value, list) or not value:
        raise DocumentError(f"{where}: 应为 [[门槛, 金额], ...]")
    tiers = []
    for index, tier in enumerate(value):
        if not isinstance(tier, list) or len(tier) != 2:
            raise DocumentError(f"{where}[{index}]: 应为 [门槛, 金额]")
        tiers.append(
            [
                read_money(tier[0], f"{where}[{index}][0]"),
                read_money(tier[1], f"{where}[{index}][1]"),
            ]
        )
    return tiers


def read_prizes(value, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise DocumentError(f"{where}: 应为金额列表")
    return [read_money(prize, f"{where}[{index}]") for index, prize in enumerate(value)]


def read_choice(*choices: str):
    def read(value, where: str) -> str:
        if value not in choices:
            raise DocumentError(f"{where}: '{value}' 不是可选值（{'、'.join(choices)}）")
        return value

    return read


# Each rule kind's parameters and how to read them (rules.md §5), registered by the kind's
# class in rewards (rewards.rules.rule_kind); "window" is accepted by every kind.
RULE_PARAMETERS: dict[str, dict[str, Callable]] = {}


def rule_kind_register(kind: str, parameters: dict[str, Callable]) -> None:
    RULE_PARAMETERS[kind] = parameters


def _rule(rule, number: int) -> dict:
    if not isinstance(rule, dict):
        raise DocumentError(f"规则 #{number}: 应为对象")
    kind = rule.get("kind")
    if kind not in RULE_PARAMETERS:
        raise DocumentError(
            f"规则 #{number} ({kind}): 未知的规则类型（可选：{'、'.join(RULE_PARAMETERS)}）"
        )
    read = {"kind": kind}
    for name, reader in RULE_PARAMETERS[kind].items():
        where = f"规则 #{number} ({kind}) 字段 {name}"
        if name not in rule:
            raise DocumentError(f"{where}: 缺少该字段")
        read[name] = reader(rule[name], where)
    if "window" in rule:
        start, end = _window(rule["window"], f"规则 #{number} ({kind}) 字段 window")
        read["window"] = [start.isoformat(), end.isoformat()]
    unknown = set(rule) - set(read) - {"kind"}
    if unknown:
        raise DocumentError(f"规则 #{number} ({kind}): 未知的字段 {'、'.join(sorted(unknown))}")
    return read


@dataclass
class CampaignDocument:
    code: str
    name: str
    brand: str
    callbacks: tuple[datetime.date, datetime.date]
    presale: tuple[datetime.date, datetime.date]
    booking: tuple[datetime.date, datetime.date] | None
    audience_brand: str = ""
    audience_months: int | None = None
    audience_reference_date: datetime.date | None = None
    audience_list: str = ""
    per_member_target: str = "200.00"
    presale_share: str = "0.80"
    daily_quota: int = 5
    max_phone_attempts: int = 3
    gift_tiers: list[dict] = field(default_factory=list)
    buy_one_get_one: list[str] = field(default_factory=list)
    region_targets: dict[str, str] = field(default_factory=dict)
    store_targets: dict[int, str] = field(default_factory=dict)
    staff_targets: dict[str, str] = field(default_factory=dict)
    rules: list[dict] = field(default_factory=list)
    script: dict[str, str] = field(default_factory=dict)
    # The promotion assessment's parameters as given, completed with ASSESSMENT_DEFAULTS;
    # empty when the document has none (the defaults then apply).
    assessment: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def document_read(data) -> CampaignDocument:
    """A checked document, or DocumentError naming the first field that is wrong."""
    if not isinstance(data, dict):
        raise DocumentError("活动文件应为一个 JSON 对象")
    for name in ("code", "name", "brand", "windows", "per_member_target", "presale_share"):
        if name not in data:
            raise DocumentError(f"{name}: 缺少该字段")
    windows = data["windows"]
    if not isinstance(windows, dict):
        raise DocumentError("windows: 应为对象")
    for name in ("callbacks", "presale"):
        if name not in windows:
            raise DocumentError(f"windows.{name}: 缺少该字段")
    document = CampaignDocument(
        code=_text(data["code"], "code"),
        name=_text(data["name"], "name"),
        brand=_text(data["brand"], "brand"),
        callbacks=_window(windows["callbacks"], "windows.callbacks"),
        presale=_window(windows["presale"], "windows.presale"),
        booking=_window(windows["booking"], "windows.booking") if "booking" in windows else None,
        per_member_target=read_money(data["per_member_target"], "per_member_target"),
        presale_share=read_rate(data["presale_share"], "presale_share"),
    )
    if Decimal(document.presale_share) > 1:
        raise DocumentError('presale_share: 应在 0 到 1 之间，如 "0.80"')
    _read_audience(data.get("audience"), document)
    callbacks = data.get("callbacks", {})
    if not isinstance(callbacks, dict):
        raise DocumentError("callbacks: 应为对象")
    document.daily_quota = read_int(
        callbacks.get("daily_quota", 5), "callbacks.daily_quota", minimum=1
    )
    document.max_phone_attempts = read_int(
        callbacks.get("max_phone_attempts", 3), "callbacks.max_phone_attempts", minimum=1
    )
    document.gift_tiers = [
        {
            "min_amount": read_money(tier.get("min_amount"), f"gift_tiers[{i}].min_amount"),
            "gift": _text(tier.get("gift"), f"gift_tiers[{i}].gift"),
        }
        for i, tier in enumerate(_list(data.get("gift_tiers", []), "gift_tiers", dict))
    ]
    document.buy_one_get_one = [
        _text(item, f"buy_one_get_one[{i}]")
        for i, item in enumerate(_list(data.get("buy_one_get_one", []), "buy_one_get_one", str))
    ]
    _read_targets(data.get("targets", {}), document)
    document.rules = [
        _rule(rule, number) for number, rule in enumerate(_list(data.get("rules", []), "rules"), 1)
    ]
    script = data.get("script", {})
    if not isinstance(script, dict) or set(script) - set(SCRIPT_PARTS):
        raise DocumentError(f"script: 应为对象，字段为 {'、'.join(SCRIPT_PARTS)}")
    document.script = {part: str(script[part]) for part in SCRIPT_PARTS if part in script}
    if "assessment" in data:
        document.assessment = _read_assessment(data["assessment"])
    document.extra = {key: value for key, value in data.items() if key not in KNOWN_FIELDS}
    return document


# Handbook chapter 8 (rules.md §10): a promotion against the average day of the 10 days
# before it must reach sales +100%, customers (receipts) +50%, average ticket +20%; a
# member bought "because of" a connected call within 14 days of it.
ASSESSMENT_DEFAULTS = {
    "baseline_days": 10,
    "goals": {"sales": "1.00", "customers": "0.50", "ticket": "0.20"},
    "conversion_days": 14,
}


def _read_assessment(value) -> dict:
    if not isinstance(value, dict):
        raise DocumentError("assessment: 应为对象")
    unknown = set(value) - set(ASSESSMENT_DEFAULTS)
    if unknown:
        raise DocumentError(
            f"assessment: 未知的字段 {'、'.join(sorted(unknown))}"
            f"（可选：{'、'.join(ASSESSMENT_DEFAULTS)}）"
        )
    goals = value.get("goals", {})
    default_goals = ASSESSMENT_DEFAULTS["goals"]
    if not isinstance(goals, dict) or set(goals) - set(default_goals):
        raise DocumentError(f"assessment.goals: 应为对象，字段为 {'、'.join(default_goals)}")
    return {
        "baseline_days": read_int(
            value.get("baseline_days", ASSESSMENT_DEFAULTS["baseline_days"]),
            "assessment.baseline_days",
            minimum=1,
        ),
        "goals": {
            name: read_rate(goals.get(name, default), f"assessment.goals.{name}")
            for name, default in default_goals.items()
        },
        "conversion_days": read_int(
            value.get("conversion_days", ASSESSMENT_DEFAULTS["conversion_days"]),
            "assessment.conversion_days",
            minimum=1,
        ),
    }


def _list(value, where: str, item_type: type | None = None) -> list:
    if not isinstance(value, list):
        raise DocumentError(f"{where}: 应为列表")
    if item_type is not None:
        for index, item in enumerate(value):
            if not isinstance(item, item_type):
                raise DocumentError(f"{where}[{index}]: 格式不对")
    return value


def _read_audience(audience, document: CampaignDocument) -> None:
    if audience is None:
        raise DocumentError("audience: 缺少该字段（品牌+月数+基准日，或回访名单 list）")
    if not isinstance(audience, dict):
        raise DocumentError("audience: 应为对象")
    if "list" in audience:
        document.audience_list = _text(audience["list"], "audience.list")
        return
    document.audience_brand = _text(audience.get("brand"), "audience.brand")
    document.audience_months = read_int(audience.get("months"), "audience.months", minimum=1)
    document.audience_reference_date = _date(
        audience.get("reference_date"), "audience.reference_date"
    )


def _read_targets(targets, document: CampaignDocument) -> None:
    if not isinstance(targets, dict):
        raise DocumentError("targets: 应为对象")
    for level in targets:
        if level not in ("regions", "stores", "staff"):
            raise DocumentError(f"targets.{level}: 未知的层级（可选：regions、stores、staff）")
    for level, into in (
        ("regions", document.region_targets),
        ("stores", document.store_targets),
        ("staff", document.staff_targets),
    ):
        entries = targets.get(level, {})
        if not isinstance(entries, dict):
            raise DocumentError(f"targets.{level}: 应为对象")
        for key, amount in entries.items():
            where = f"targets.{level}.{key}"
            if level == "stores":
                if not str(key).isdigit():
                    raise DocumentError(f"{where}: 门店应以门店ID表示")
                key = int(key)
            into[key] = read_money(amount, where)


def document_write(document: CampaignDocument) -> dict:
    data = {
        "code": document.code,
        "name": document.name,
        "brand": document.brand,
        "windows": {
            "callbacks": [day.isoformat() for day in document.callbacks],
            "presale": [day.isoformat() for day in document.presale],
        },
        "audience": (
            {"list": document.audience_list}
            if document.audience_list
            else {
                "brand": document.audience_brand,
                "months": document.audience_months,
                "reference_date": document.audience_reference_date.isoformat(),
            }
        ),
        "per_member_target": document.per_member_target,
        "presale_share": document.presale_share,
        "callbacks": {
            "daily_quota": document.daily_quota,
            "max_phone_attempts": document.max_phone_attempts,
        },
        "gift_tiers": document.gift_tiers,
        "targets": {},
        "rules": document.rules,
    }
    if document.booking:
        data["windows"]["booking"] = [day.isoformat() for day in document.booking]
    if document.buy_one_get_one:
        data["buy_one_get_one"] = document.buy_one_get_one
    for level, entries in (
        ("regions", document.region_targets),
        ("stores", {str(key): value for key, value in document.store_targets.items()}),
        ("staff", document.staff_targets),
    ):
        if entries:
            data["targets"][level] = dict(sorted(entries.items()))
    if document.script:
        data["script"] = document.script
    if document.assessment:
        data["assessment"] = document.assessment
    return {**data, **document.extra}

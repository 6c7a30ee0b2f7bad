from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """The value as yuan with 2 places, rounded half up to the fen."""
    if isinstance(value, float):
        raise TypeError("money must never pass through float")
    try:
        return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as error:
        raise ValueError(f"'{value}' 不是有效的金额") from error


def format_yuan(value: Decimal | int | str | None) -> str:
    """¥1,598.00 — a minus sign goes before the currency sign."""
    if value is None or value == "":
        return ""
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"

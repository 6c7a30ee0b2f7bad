import re

MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PUNCTUATION = re.compile(r"[\s\-()（）]")


def normalize_phone(raw: str | None) -> str:
    """Digits only, without a +86/86 country prefix; '' when nothing is left."""
    if raw is None:
        return ""
    digits = _PUNCTUATION.sub("", str(raw)).lstrip("\t")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def is_mobile(phone: str) -> bool:
    return bool(MOBILE.match(phone))


def mask_phone(phone: str | None) -> str:
    """138****1234: what every page and export shows unless a reveal is logged."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"

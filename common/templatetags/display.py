from django import template

from common.dates import heading_date
from common.money import format_yuan
from common.phones import mask_phone

register = template.Library()

register.filter("yuan", format_yuan)
register.filter("masked_phone", mask_phone)
register.filter("heading_date", heading_date)


@register.filter
def sum_of(items, attribute: str):
    return sum(getattr(item, attribute) or 0 for item in items)


@register.filter
def import_kind_label(code: str) -> str:
    from common.importing import import_kinds

    kind = import_kinds().get(code)
    return kind.label if kind else {"auto": "自动识别"}.get(code, code)

import datetime

from django.utils import timezone

WEEKDAYS = "一二三四五六日"


def local_today() -> datetime.date:
    return timezone.localdate()


def heading_date(day: datetime.date) -> str:
    """10月25日 周二, as headings show a day."""
    return f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"

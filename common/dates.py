import calendar
import datetime

from django.utils import timezone

WEEKDAYS = "一二三四五六日"


def local_today() -> datetime.date:
    return timezone.localdate()


def heading_date(day: datetime.date) -> str:
    """10月25日 周二, as headings show a day."""
    return f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier, clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def local_day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Asia/Shanghai, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def local_day_range(
    first: datetime.date, last: datetime.date | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start of `first`, start of the day after `last`) in Asia/Shanghai; one day when
    `last` is not given."""
    return local_day_start(first), local_day_start((last or first) + datetime.timedelta(days=1))

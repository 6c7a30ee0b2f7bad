import datetime

from celery import shared_task

from common.dates import local_today
from coupons.services import coupon_monthly_report_build, coupons_expire
from stores.models import Store


@shared_task
def expire_coupons() -> int:
    """Nightly: unused coupons past their last valid day become expired (rules.md §8)."""
    return coupons_expire(today=local_today())


@shared_task
def monthly_coupon_reports() -> int:
    """On the 28th: every active store's 附表3, one task per store so that one store's
    failure does not stop the others and workers share the work."""
    day = local_today().isoformat()
    store_pks = list(Store.objects.filter(active=True).values_list("pk", flat=True))
    for store_pk in store_pks:
        monthly_coupon_report.delay(store_pk, day)
    return len(store_pks)


@shared_task
def monthly_coupon_report(store_pk: int, day: str) -> int:
    store = Store.objects.get(pk=store_pk)
    return coupon_monthly_report_build(store=store, day=datetime.date.fromisoformat(day)).pk

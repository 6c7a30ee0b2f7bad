import datetime

from django.utils.functional import SimpleLazyObject

from callbacks.models import Shortfall
from callbacks.quotas import open_chases
from campaigns.models import Campaign
from common.dates import local_today
from stores.access import Level, scope_of
from stores.models import Role


def _alerts(request) -> dict:
    """What a store's staff member must see on every page: today's open chases, and
    yesterday's shortfall recorded at 08:00 (their own, or their staff's for a 店长)."""
    scope = scope_of(request.user)
    if scope.level is not Level.STORE:
        return {}
    today = local_today()
    campaigns = Campaign.objects.filter(
        active=True, callbacks_start__lte=today, callbacks_end__gte=today
    )
    chases = [
        chase for campaign in campaigns for chase in open_chases(scope.staff, campaign, today)
    ]
    shortfalls = Shortfall.objects.filter(
        campaign__in=campaigns, day=today - datetime.timedelta(days=1)
    ).select_related("staff")
    if scope.role == Role.STORE_MANAGER:
        shortfalls = shortfalls.filter(staff__store_id=scope.store_pk)
    else:
        shortfalls = shortfalls.filter(staff=scope.staff)
    return {"chases": chases, "shortfalls": list(shortfalls)}


def callback_alerts(request) -> dict:
    """Lazy: pages that never show the alerts never run their queries."""
    return {"callback_alerts": SimpleLazyObject(lambda: _alerts(request))}

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from presale.models import YouzanOrder, YouzanSale
from stores.models import Store


def orders_attribute() -> int:
    """Give every order the distributor of its salesman line and the store whose public
    phone that is (rules.md §4); an order whose distributor is no store's stays unattributed.
    Two set-based updates; run after every Youzan import and after a phone is (re)bound."""
    distributor = YouzanSale.objects.filter(order_no=OuterRef("order_no"))
    YouzanOrder.objects.update(
        distributor_phone=Coalesce(Subquery(distributor.values("distributor_phone")[:1]), Value(""))
    )
    return YouzanOrder.objects.update(
        store=Subquery(
            Store.objects.filter(public_phone=OuterRef("distributor_phone"))
            .exclude(public_phone="")
            .values("pk")[:1]
        )
    )

"""Who may see and change what. Every query for stores, staff, members, orders, callbacks
or settlements is narrowed here, so scope is decided in exactly one place.

A store's staff see their store, a region lead the regions they lead, operations, finance
and admins the whole chain; a user without an active staff record sees nothing.
"""

from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from django.db.models import Model, QuerySet

from common.errors import NotFound
from stores.models import CHAIN_ROLES, STORE_ROLES, Region, Role, Staff, Store


class Level(Enum):
    NONE = "none"
    STORE = "store"
    REGION = "region"
    CHAIN = "chain"


@dataclass(frozen=True)
class Scope:
    level: Level
    staff: Staff | None = None
    store_pk: int | None = None
    region_pks: frozenset[int] = frozenset()

    @property
    def role(self) -> str | None:
        return (
            self.staff.role if self.staff else (Role.ADMIN if self.level is Level.CHAIN else None)
        )


NO_SCOPE = Scope(Level.NONE)
M = TypeVar("M", bound=Model)


def scope_of(user) -> Scope:
    """The user's scope, computed once per request object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_access_scope", None)
    if cached is None:
        cached = _compute_scope(user)
        user._access_scope = cached
    return cached


def _compute_scope(user) -> Scope:
    staff = Staff.objects.select_related("store").filter(user=user, active=True).first()
    if staff is None:
        return Scope(Level.CHAIN) if user.is_superuser else NO_SCOPE
    if staff.role in CHAIN_ROLES:
        return Scope(Level.CHAIN, staff=staff)
    if staff.role == Role.REGION_LEAD:
        region_pks = frozenset(Region.objects.filter(lead=staff).values_list("pk", flat=True))
        return Scope(Level.REGION, staff=staff, region_pks=region_pks)
    if staff.role in STORE_ROLES and staff.store and staff.store.active:
        return Scope(Level.STORE, staff=staff, store_pk=staff.store_id)
    return NO_SCOPE


def restrict(user, queryset: QuerySet[M], *, store_path: str) -> QuerySet[M]:
    """Narrow any queryset to the user's scope; `store_path` leads from its model to Store
    ("" for Store itself, "store" for a model with a store foreign key, and so on)."""
    scope = scope_of(user)
    prefix = f"{store_path}__" if store_path else ""
    if scope.level is Level.CHAIN:
        return queryset
    if scope.level is Level.REGION:
        return queryset.filter(**{f"{prefix}region_id__in": scope.region_pks})
    if scope.level is Level.STORE:
        return queryset.filter(**{f"{prefix}pk": scope.store_pk})
    return queryset.none()


def restrict_to_holders(
    user,
    queryset: QuerySet[M],
    *,
    region: str = "region",
    store: str = "store",
    staff: str = "staff",
) -> QuerySet[M]:
    """Narrow records that belong to a region, a store or a staff member (settlement lines):
    the chain sees all, a region lead their regions' records, a store manager their store's
    and its staff's, a clerk only their own."""
    scope = scope_of(user)
    if scope.level is Level.CHAIN:
        return queryset
    if scope.level is Level.REGION:
        return queryset.filter(**{f"{region}_id__in": scope.region_pks})
    if scope.level is Level.STORE and scope.role == Role.STORE_MANAGER:
        return queryset.filter(**{f"{store}_id": scope.store_pk})
    if scope.level is Level.STORE:
        return queryset.filter(**{f"{staff}_id": scope.staff.pk})
    return queryset.none()


def is_finance(user) -> bool:
    """Finance alone approves settlements (rules.md §1)."""
    scope = scope_of(user)
    return scope.level is Level.CHAIN and scope.role == Role.FINANCE


def stores_visible(user) -> QuerySet[Store]:
    return restrict(user, Store.objects.select_related("region"), store_path="")


def staff_visible(user) -> QuerySet[Staff]:
    return restrict(user, Staff.objects.select_related("store", "user"), store_path="store")


def regions_visible(user) -> QuerySet[Region]:
    scope = scope_of(user)
    if scope.level is Level.CHAIN:
        return Region.objects.all()
    if scope.level is Level.REGION:
        return Region.objects.filter(pk__in=scope.region_pks)
    if scope.level is Level.STORE:
        return Region.objects.filter(stores__pk=scope.store_pk)
    return Region.objects.none()


def store_get(user, store_id: int) -> Store:
    """The store with this POS store ID, if the user may see it; otherwise NotFound (404),
    so a URL never tells whether another store's record exists."""
    store = stores_visible(user).filter(store_id=store_id).first()
    if store is None:
        raise NotFound("找不到该门店。")
    return store


def region_get(user, region_pk: int) -> Region:
    region = regions_visible(user).filter(pk=region_pk).first()
    if region is None:
        raise NotFound("找不到该片区。")
    return region


def may_manage_store(user, store: Store) -> bool:
    """Store managers manage their store, region leads their region's stores, operations
    and admins every store; clerks and finance only look."""
    scope = scope_of(user)
    if scope.level is Level.CHAIN:
        return scope.role in {Role.OPERATIONS, Role.ADMIN}
    if scope.level is Level.REGION:
        return store.region_id in scope.region_pks
    if scope.level is Level.STORE:
        return scope.role == Role.STORE_MANAGER and store.pk == scope.store_pk
    return False


def is_operations(user) -> bool:
    """Operations (and admins): they import spreadsheets and set up campaigns."""
    scope = scope_of(user)
    return scope.level is Level.CHAIN and scope.role in {Role.OPERATIONS, Role.ADMIN}

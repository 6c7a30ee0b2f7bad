import django_filters
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.selectors import campaign_get
from common.errors import PermissionDenied, ServiceError
from common.phones import mask_phone
from presale.daily import penalties_visible
from presale.models import Penalty, YouzanOrder
from presale.selectors import (
    booking_reconciliation,
    may_view_booking,
    order_item_names,
    orders_visible,
    staff_for_registration,
)
from presale.services import order_register
from stores.access import store_get
from stores.models import Store


class PresaleOrderSerializer(serializers.ModelSerializer):
    store_id = serializers.IntegerField(
        source="store.store_id", read_only=True, allow_null=True, default=None
    )
    net_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    buyer_phone_masked = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    picked_up = serializers.BooleanField(read_only=True)
    registered_staff_no = serializers.CharField(
        source="registered_staff.staff_no", read_only=True, allow_null=True, default=None
    )
    registered_staff_name = serializers.CharField(
        source="registered_staff.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = YouzanOrder
        fields = [
            "order_no",
            "status",
            "paid_at",
            "paid_amount",
            "refunded_amount",
            "net_amount",
            "buyer_phone_masked",
            "items",
            "picked_up",
            "store_id",
            "registered_staff_no",
            "registered_staff_name",
        ]

    def get_buyer_phone_masked(self, order: YouzanOrder) -> str:
        return mask_phone(order.buyer_phone)

    def get_items(self, order: YouzanOrder) -> list[str]:
        return order_item_names(order)


class OrderRegistrationSerializer(serializers.Serializer):
    staff_no = serializers.CharField(
        max_length=32,
        error_messages={
            "required": "请填写员工销售ID（staff_no）。",
            "blank": "请填写员工销售ID（staff_no）。",
        },
    )


class PresaleOrderFilter(django_filters.FilterSet):
    store_id = django_filters.NumberFilter(field_name="store__store_id", label="门店ID")
    registered = django_filters.BooleanFilter(method="filter_registered", label="已登记销售员工")

    class Meta:
        model = YouzanOrder
        fields = ["store_id", "registered"]

    def filter_registered(self, queryset, name, value):
        return queryset.filter(registered_staff__isnull=not value)


class PresaleOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Youzan presale orders the caller may see (their store, region or the chain), newest
    paid first. Buyer phones are masked; another store's order answers 404."""

    serializer_class = PresaleOrderSerializer
    filterset_class = PresaleOrderFilter
    lookup_field = "order_no"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return orders_visible(self.request.user)

    @extend_schema(
        request=OrderRegistrationSerializer,
        responses=PresaleOrderSerializer,
        filters=False,
        description="Register which staff member of the order's store sold it (销售ID登记), "
        "through the same rules as the page: any staff member of the store registers an "
        "unregistered order, only the store's 店长 changes a registered one. Refusals answer "
        "400/403 with a Chinese `detail` (and `field` when the staff_no is at fault).",
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def register(self, request, order_no=None):
        order = self.get_object()
        serializer = OrderRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff = staff_for_registration(request.user, serializer.validated_data["staff_no"])
        order_register(order=order, staff=staff, user=request.user)
        return Response(PresaleOrderSerializer(self.get_queryset().get(pk=order.pk)).data)


class PenaltySerializer(serializers.ModelSerializer):
    store_id = serializers.IntegerField(source="store.store_id", read_only=True)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    checked_by = serializers.CharField(source="checked_by.staff_no", default=None, read_only=True)
    settled = serializers.BooleanField(read_only=True)
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = Penalty
        fields = [
            "id",
            "store_id",
            "staff_no",
            "staff_name",
            "zero_day",
            "due_on",
            "evidence_url",
            "evidence_at",
            "exemption_reason",
            "settled",
            "checked_by",
            "checked_at",
        ]

    def get_evidence_url(self, penalty: Penalty) -> str | None:
        if not penalty.evidence:
            return None
        return reverse("presale-penalty-evidence", args=[penalty.pk])


class PenaltyViewSet(viewsets.ReadOnlyModelViewSet):
    """Zero-store penalties the caller may see: their own store's, region's or the chain's."""

    serializer_class = PenaltySerializer
    filterset_fields = ["zero_day", "campaign"]

    def get_queryset(self):
        return penalties_visible(self.request.user).order_by("-zero_day", "store__store_id")


class BookingDifferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["missing", "extra", "different"])
    label = serializers.CharField()
    order_no = serializers.CharField()
    exported = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    booked = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    receipt_no = serializers.CharField()
    booked_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


class StoreReconciliationSerializer(serializers.Serializer):
    store_id = serializers.IntegerField(source="store.store_id")
    store_name = serializers.CharField(source="store.name")
    region = serializers.CharField(source="store.region.name")
    orders = serializers.IntegerField()
    exported = serializers.DecimalField(max_digits=14, decimal_places=2)
    booked = serializers.DecimalField(max_digits=14, decimal_places=2)
    extra = serializers.DecimalField(max_digits=14, decimal_places=2)
    gap = serializers.DecimalField(max_digits=14, decimal_places=2)
    differences = BookingDifferenceSerializer(many=True)


class BookingReconciliationViewSet(viewsets.GenericViewSet):
    """Per store: exported presale orders against bookings (rules.md §5, §7); operations
    see every store, region leads their region's stores, read-only."""

    serializer_class = StoreReconciliationSerializer
    # Only for the schema generator; the rows come from the scoped selector.
    queryset = Store.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", str, required=True, description="活动编码"),
            OpenApiParameter("store", int, required=False, description="门店ID"),
        ]
    )
    def list(self, request):
        if not may_view_booking(request.user):
            raise PermissionDenied("只有营运部和片长可以查看下账核对。")
        code = request.query_params.get("campaign", "")
        if not code:
            raise ServiceError("请用 ?campaign=活动编码 指定活动。", field="campaign")
        campaign = campaign_get(request.user, code)
        store = None
        if store_id := request.query_params.get("store"):
            if not store_id.isdigit():
                raise ServiceError("门店ID应为数字。", field="store")
            store = store_get(request.user, int(store_id))
        rows = booking_reconciliation(request.user, campaign, store=store)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.errors import PermissionDenied
from coupons.models import Coupon, CouponEntry, CouponType
from coupons.selectors import coupon_types_active, coupons_visible
from coupons.services import coupon_issue, coupon_redeem
from stores.access import Level, restrict, scope_of
from stores.models import Store


class CouponTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CouponType
        fields = [
            "code",
            "name",
            "kind",
            "face_value",
            "issue_threshold",
            "redeem_threshold",
            "valid_months",
        ]


class CouponSerializer(serializers.ModelSerializer):
    coupon_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    store_id = serializers.IntegerField(source="store.store_id", read_only=True)
    redeemed_store_id = serializers.IntegerField(
        source="redeemed_store.store_id", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Coupon
        fields = [
            "serial",
            "coupon_type",
            "status",
            "store_id",
            "issued_at",
            "issue_receipt_no",
            "issue_amount",
            "valid_until",
            "redeemed_at",
            "redeemed_store_id",
            "redeem_receipt_no",
            "redeem_amount",
            "redeem_regular_amount",
        ]


class CouponIssueSerializer(serializers.Serializer):
    coupon_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CouponType.objects.all(),
        error_messages={"does_not_exist": "券种编码 {value} 不存在。", "required": "请填写券种。"},
    )
    receipt_no = serializers.CharField(max_length=40)
    purchase_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class CouponRedeemSerializer(serializers.Serializer):
    serial = serializers.CharField(max_length=20)
    receipt_no = serializers.CharField(max_length=40)
    receipt_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    special_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, default=0
    )


def _till_store(user) -> Store:
    scope = scope_of(user)
    if scope.level is not Level.STORE:
        raise PermissionDenied("只有门店员工可以在收银台发券、收券。")
    return scope.staff.store


class CouponTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The coupon types in use (rules.md §8)."""

    serializer_class = CouponTypeSerializer
    lookup_field = "code"

    def get_queryset(self):
        return coupon_types_active()


class CouponViewSet(viewsets.ReadOnlyModelViewSet):
    """Coupons issued by the caller's stores; issue and redeem at the caller's till. A
    refusal answers 400 (409 when the coupon or receipt is already used) with the Chinese
    `detail` the cashier sees on the page, and `field` naming the input at fault."""

    serializer_class = CouponSerializer
    lookup_field = "serial"
    filterset_fields = ["status"]

    def get_queryset(self):
        return coupons_visible(self.request.user)

    @extend_schema(request=CouponIssueSerializer, responses={201: CouponSerializer}, filters=False)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def issue(self, request):
        store = _till_store(request.user)
        serializer = CouponIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coupon = coupon_issue(store=store, **serializer.validated_data, user=request.user)
        return Response(CouponSerializer(coupon).data, status=201)

    @extend_schema(request=CouponRedeemSerializer, responses=CouponSerializer, filters=False)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def redeem(self, request):
        """Take a coupon back against a later receipt. A conditional coupon of any store is
        good here, so it is named by its serial in the body, not looked up in the list."""
        store = _till_store(request.user)
        serializer = CouponRedeemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coupon = coupon_redeem(store=store, **serializer.validated_data, user=request.user)
        return Response(CouponSerializer(coupon).data)


class CouponEntrySerializer(serializers.ModelSerializer):
    store_id = serializers.IntegerField(source="store.store_id", read_only=True)
    coupon_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    serial = serializers.CharField(
        source="coupon.serial", read_only=True, allow_null=True, default=None
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = CouponEntry
        fields = [
            "id",
            "store_id",
            "coupon_type",
            "kind",
            "at",
            "quantity",
            "face_value",
            "amount",
            "serial",
            "receipt_no",
            "purchase_amount",
            "signer",
            "reverses",
            "note",
        ]


class CouponEntryFilter(django_filters.FilterSet):
    store_id = django_filters.NumberFilter(field_name="store__store_id", label="门店ID")

    class Meta:
        model = CouponEntry
        fields = ["store_id", "kind"]


class CouponEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The coupon ledgers (进销存) of the caller's stores, oldest first; append-only."""

    serializer_class = CouponEntrySerializer
    filterset_class = CouponEntryFilter

    def get_queryset(self):
        return restrict(
            self.request.user,
            CouponEntry.objects.select_related("store", "coupon_type", "coupon"),
            store_path="store",
        ).order_by("at", "pk")

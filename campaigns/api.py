import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.models import Campaign, Target
from campaigns.selectors import (
    campaign_document,
    campaign_get,
    campaigns_visible,
    presale_goal,
    targets_visible,
)
from campaigns.services import campaign_load
from common.errors import PermissionDenied, ServiceError
from stores.access import is_operations


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = [
            "code",
            "name",
            "brand",
            "callbacks_start",
            "callbacks_end",
            "presale_start",
            "presale_end",
            "booking_start",
            "booking_end",
            "per_member_target",
            "presale_share",
            "daily_quota",
            "max_phone_attempts",
            "gift_tiers",
            "buy_one_get_one",
            "script",
            "active",
        ]


class TargetSerializer(serializers.ModelSerializer):
    campaign = serializers.CharField(source="campaign.code", read_only=True)
    region = serializers.CharField(source="region.name", read_only=True, default=None)
    store_id = serializers.IntegerField(source="store.store_id", read_only=True, default=None)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True, default=None)
    presale_goal = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "campaign",
            "level",
            "region",
            "store_id",
            "staff_no",
            "amount",
            "presale_goal",
            "members",
            "source",
        ]

    def get_presale_goal(self, target: Target) -> str:
        return f"{presale_goal(target)}"


DOCUMENT_SCHEMA = extend_schema(
    request=OpenApiTypes.OBJECT,
    responses={200: CampaignSerializer, 201: CampaignSerializer},
    description="请求体为活动文件（formats.md “Campaign document”）；仅营运部可用。",
)


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Campaigns, readable by everyone with a role; created and replaced by operations
    through the campaign document, so the document's checks apply."""

    serializer_class = CampaignSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return campaigns_visible(self.request.user).order_by("-presale_start", "code")

    def _load(self, data) -> Campaign:
        if not is_operations(self.request.user):
            raise PermissionDenied("只有营运部可以设置活动。")
        return campaign_load(data, user=self.request.user)

    @DOCUMENT_SCHEMA
    def create(self, request):
        if (
            isinstance(request.data, dict)
            and Campaign.objects.filter(code=request.data.get("code")).exists()
        ):
            raise ServiceError(
                "该活动编码已存在；修改请用 PUT /api/campaigns/<code>/。", field="code"
            )
        campaign = self._load(request.data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @DOCUMENT_SCHEMA
    def update(self, request, code: str):
        campaign_get(request.user, code)
        if not isinstance(request.data, dict) or request.data.get("code") != code:
            raise ServiceError("活动文件中的 code 应与网址中的活动编码一致。", field="code")
        return Response(CampaignSerializer(self._load(request.data)).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def document(self, request, code: str):
        """The campaign as its JSON document."""
        return Response(campaign_document(campaign_get(request.user, code)))


class TargetFilter(django_filters.FilterSet):
    campaign = django_filters.CharFilter(field_name="campaign__code", label="活动编码")

    class Meta:
        model = Target
        fields = ["campaign", "level"]


class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    """Targets of the regions, stores and staff the caller may see; others answer 404."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self):
        return targets_visible(self.request.user).order_by("campaign__code", "level", "pk")

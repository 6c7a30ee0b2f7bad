"""Leaderboards over the API: the nightly snapshots of regions, stores and staff for one
campaign and day, ranked, narrowed to what the caller may see, paginated."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from callbacks.selectors import active_campaign
from campaigns.selectors import campaign_get
from common.errors import NotFound, ServiceError
from reports.models import RegionDay, StaffDay, StoreDay
from reports.selectors import board_day, region_board, staff_board, store_board

FIGURES = [
    "day",
    "rank",
    "presale_amount",
    "presale_orders",
    "presale_to_date",
    "sales_to_date",
    "target",
    "completion",
    "presale_share",
    "callbacks_today",
    "callbacks_to_date",
    "reached_at",
    "previous_rank",
]
RATE = {"max_digits": 8, "decimal_places": 4, "read_only": True, "allow_null": True}


class _FiguresSerializer(serializers.ModelSerializer):
    completion = serializers.DecimalField(**RATE, help_text="累计销售 / 目标")
    presale_share = serializers.DecimalField(**RATE, help_text="累计预售 / 目标")
    previous_rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="前一日排名（片区内排名表示门店时同）"
    )


class RegionDaySerializer(_FiguresSerializer):
    region_id = serializers.IntegerField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    audience = serializers.IntegerField(read_only=True)
    zero_stores = serializers.IntegerField(read_only=True)
    callbacks_quota = serializers.IntegerField(read_only=True)

    class Meta:
        model = RegionDay
        fields = [
            "region_id",
            "region_name",
            *FIGURES,
            "audience",
            "zero_stores",
            "callbacks_quota",
        ]


class StoreDaySerializer(_FiguresSerializer):
    store_id = serializers.IntegerField(source="store.store_id", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    region_name = serializers.CharField(source="store.region.name", read_only=True)
    zero_days = serializers.IntegerField(read_only=True, help_text="截至当日的挂0天数")
    callbacks_quota = serializers.IntegerField(read_only=True, help_text="本店员工当日回访指标合计")

    class Meta:
        model = StoreDay
        fields = [
            "store_id",
            "store_name",
            "region_name",
            *FIGURES,
            "region_rank",
            "audience",
            "zero_store",
            "zero_days",
            "callbacks_quota",
        ]


class StaffDaySerializer(_FiguresSerializer):
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    store_id = serializers.IntegerField(source="store.store_id", read_only=True)

    class Meta:
        model = StaffDay
        fields = ["staff_no", "staff_name", "store_id", *FIGURES, "quota"]


BOARD_PARAMETERS = [
    OpenApiParameter("campaign", str, required=False, description="活动编码；默认进行中的活动"),
    OpenApiParameter("day", str, required=False, description="日期 YYYY-MM-DD；默认最新快照日"),
    OpenApiParameter(
        "sort",
        str,
        required=False,
        enum=["rank", "amount", "callbacks", "zero"],
        description="排序",
    ),
]


class _BoardViewSet(viewsets.GenericViewSet, viewsets.mixins.ListModelMixin):
    filterset_class = None
    filter_backends = []

    def campaign_and_day(self):
        code = self.request.query_params.get("campaign")
        campaign = campaign_get(self.request.user, code) if code else active_campaign()
        if campaign is None:
            raise NotFound("现在没有进行中的活动，请用 ?campaign=活动编码 指定。")
        day = board_day(campaign, self.request.query_params.get("day"))
        if day is None:
            raise ServiceError("该活动还没有日报快照。", field="day")
        return campaign, day


@extend_schema_view(list=extend_schema(parameters=BOARD_PARAMETERS))
class RegionBoardViewSet(_BoardViewSet):
    """Regions ranked for a day (片区排行): every region for operations, a 片长's own."""

    serializer_class = RegionDaySerializer
    queryset = RegionDay.objects.none()

    def get_queryset(self):
        campaign, day = self.campaign_and_day()
        sort = self.request.query_params.get("sort")
        return region_board(self.request.user, campaign, day, sort=sort)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *BOARD_PARAMETERS,
            OpenApiParameter("region", int, required=False, description="片区 id"),
        ]
    )
)
class StoreBoardViewSet(_BoardViewSet):
    """Stores ranked for a day (门店排行), within the caller's scope."""

    serializer_class = StoreDaySerializer
    queryset = StoreDay.objects.none()

    def get_queryset(self):
        campaign, day = self.campaign_and_day()
        rows = store_board(
            self.request.user, campaign, day, sort=self.request.query_params.get("sort")
        )
        region = self.request.query_params.get("region")
        if region:
            if not region.isdigit():
                raise ServiceError("片区 id 应为数字。", field="region")
            rows = rows.filter(store__region_id=int(region))
        return rows


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *BOARD_PARAMETERS,
            OpenApiParameter("store", int, required=False, description="门店ID"),
        ]
    )
)
class StaffBoardViewSet(_BoardViewSet):
    """Store staff ranked for a day (员工排行), within the caller's scope."""

    serializer_class = StaffDaySerializer
    queryset = StaffDay.objects.none()

    def get_queryset(self):
        campaign, day = self.campaign_and_day()
        rows = staff_board(
            self.request.user, campaign, day, sort=self.request.query_params.get("sort")
        )
        store = self.request.query_params.get("store")
        if store:
            if not store.isdigit():
                raise ServiceError("门店ID应为数字。", field="store")
            rows = rows.filter(store__store_id=int(store))
        return rows

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from callbacks.models import REASON_KEYWORDS, CallbackAttempt, CallbackTask, Channel, Outcome
from callbacks.selectors import attempts_of
from callbacks.services import attempt_log
from common.errors import PermissionDenied
from common.phones import mask_phone
from stores.access import Level, restrict, scope_of


class CallbackTaskSerializer(serializers.ModelSerializer):
    member_card_no = serializers.CharField(source="member.card_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    phone_masked = serializers.SerializerMethodField()
    store_id = serializers.IntegerField(source="store.store_id", read_only=True)
    assigned_to = serializers.CharField(
        source="assigned_to.staff_no", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = CallbackTask
        fields = [
            "id",
            "campaign",
            "member_card_no",
            "member_name",
            "phone_masked",
            "store_id",
            "assigned_to",
            "status",
            "phone_attempts",
            "last_outcome",
            "follow_up_on",
            "last_purchase_on",
            "spend_last_year",
            "reached_hour",
            "done_at",
        ]

    def get_phone_masked(self, task: CallbackTask) -> str:
        return mask_phone(task.phone)


class CallbackAttemptSerializer(serializers.ModelSerializer):
    staff = serializers.CharField(source="staff.staff_no", read_only=True)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        error_messages={"invalid_choice": "请选择回访方式：电话、短信或微信。"},
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, error_messages={"invalid_choice": "请选择有效的回访结果。"}
    )
    reasons = serializers.ListField(
        child=serializers.ChoiceField(
            choices=REASON_KEYWORDS, error_messages={"invalid_choice": "未知的原因：{input}"}
        ),
        required=False,
        default=list,
    )

    class Meta:
        model = CallbackAttempt
        fields = [
            "id",
            "task",
            "staff",
            "at",
            "channel",
            "outcome",
            "reasons",
            "note",
            "follow_up_on",
        ]
        read_only_fields = ["id", "task", "staff", "at"]
        extra_kwargs = {"note": {"required": False}, "follow_up_on": {"required": False}}


class CallbackTaskFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(label="活动")
    mine = django_filters.BooleanFilter(method="filter_mine", label="只看分配给我的")
    unassigned = django_filters.BooleanFilter(field_name="assigned_to", lookup_expr="isnull")

    class Meta:
        model = CallbackTask
        fields = ["campaign", "status", "store__store_id", "follow_up_on"]

    def filter_mine(self, queryset, name, value):
        staff = scope_of(self.request.user).staff
        return queryset.filter(assigned_to=staff) if value else queryset


class CallbackTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Callback tasks the caller may see (their store, region or the chain); the list needs
    `campaign`. Phones are masked; another store's task answers 404."""

    serializer_class = CallbackTaskSerializer
    filterset_class = CallbackTaskFilter

    def list(self, request, *args, **kwargs):
        if not request.query_params.get("campaign"):
            raise serializers.ValidationError({"campaign": ["请指定活动（campaign）。"]})
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        tasks = CallbackTask.objects.select_related("member", "store", "assigned_to")
        return restrict(self.request.user, tasks, store_path="store").order_by(
            "-spend_last_year", "pk"
        )

    @extend_schema(methods=["GET"], responses=CallbackAttemptSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request=CallbackAttemptSerializer,
        responses={status.HTTP_201_CREATED: CallbackAttemptSerializer},
        filters=False,
        description="Log one contact through the same rules as the page: only a phone call "
        "with a terminal outcome completes the task; refusals answer 400/409 with a Chinese "
        "`detail` (and `field` when one input is at fault).",
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def attempts(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            return Response(CallbackAttemptSerializer(attempts_of(task), many=True).data)
        scope = scope_of(request.user)
        if scope.level is not Level.STORE:
            raise PermissionDenied("只有门店员工可以登记回访。")
        serializer = CallbackAttemptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = attempt_log(task=task, staff=scope.staff, **serializer.validated_data)
        return Response(CallbackAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)

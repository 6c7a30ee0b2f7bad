import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.errors import NotFound, PermissionDenied
from common.jobs import job_enqueue
from rewards.jobs import SETTLEMENT_WORKBOOK
from rewards.models import SettlementLine, SettlementRun
from rewards.selectors import line_get, lines_visible, run_get, runs_visible
from rewards.services import settlement_approve, settlement_discard
from stores.access import Level, restrict_to_holders, scope_of


class SettlementRunSerializer(serializers.ModelSerializer):
    campaign = serializers.CharField(source="campaign.code", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.staff_no", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = SettlementRun
        fields = [
            "id",
            "campaign",
            "version",
            "status",
            "computed_at",
            "line_count",
            "pay_total",
            "owe_total",
            "approved_at",
            "approved_by",
        ]


class SettlementLineSerializer(serializers.ModelSerializer):
    run = serializers.IntegerField(source="run_id", read_only=True)
    region = serializers.CharField(source="region.name", read_only=True)
    store_id = serializers.IntegerField(
        source="store.store_id", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = SettlementLine
        fields = [
            "id",
            "run",
            "position",
            "kind",
            "rule_number",
            "recipient_type",
            "recipient",
            "region",
            "store_id",
            "direction",
            "amount",
            "facts",
        ]


JOB_STARTED = inline_serializer(
    "SettlementWorkbookJob",
    {"job": serializers.IntegerField(), "status_url": serializers.CharField()},
)


class SettlementRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Settlement versions. Anyone with a role lists them; their lines are narrowed to the
    caller. Only 财务 approve (POST …/approve/) or delete a draft (DELETE); an approved
    version is locked and both answer 409 with the reason."""

    serializer_class = SettlementRunSerializer
    filterset_fields = ["status", "version"]

    def get_queryset(self):
        return runs_visible(self.request.user).order_by("campaign_id", "-version")

    def get_object(self):
        return run_get(self.request.user, self.kwargs["pk"])

    def perform_destroy(self, instance):
        settlement_discard(run=instance, user=self.request.user)

    @extend_schema(request=None, responses=SettlementRunSerializer, filters=False)
    @action(detail=True, methods=["post"], filterset_fields=None, pagination_class=None)
    def approve(self, request, pk=None):
        run = settlement_approve(run=self.get_object(), user=request.user)
        return Response(SettlementRunSerializer(run).data)

    @extend_schema(request=None, responses={202: JOB_STARTED}, filters=False)
    @action(detail=True, methods=["post"], filterset_fields=None, pagination_class=None)
    def workbook(self, request, pk=None):
        """Write the version's workbook in the worker; the job's page offers the download."""
        run = self.get_object()
        if scope_of(request.user).level is not Level.CHAIN:
            raise PermissionDenied("结算表只供财务和营运部下载。")
        job = job_enqueue(kind=SETTLEMENT_WORKBOOK, params={"run": run.pk}, user=request.user)
        return Response(
            {"job": job.pk, "status_url": reverse("job-detail", args=[job.pk])},
            status=status.HTTP_202_ACCEPTED,
        )


class SettlementLineFilter(django_filters.FilterSet):
    run = django_filters.NumberFilter(field_name="run_id", label="结算版本 ID")

    class Meta:
        model = SettlementLine
        fields = ["run", "kind", "recipient_type", "direction"]


class SettlementLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Settlement lines the caller may see: 财务/营运部 every line, a 片长 their regions',
    a 店长 their store's, a 店员 their own; another store's line answers 404."""

    serializer_class = SettlementLineSerializer
    filterset_class = SettlementLineFilter

    def get_queryset(self):
        run_pk = self.request.query_params.get("run")
        if run_pk and run_pk.isdigit():
            return lines_visible(self.request.user, run_get(self.request.user, int(run_pk)))
        lines = SettlementLine.objects.select_related("region", "store")
        return restrict_to_holders(self.request.user, lines).order_by("run_id", "position")

    def get_object(self):
        try:
            return line_get(self.request.user, int(self.kwargs["pk"]))
        except ValueError as error:
            raise NotFound("找不到该结算明细。") from error

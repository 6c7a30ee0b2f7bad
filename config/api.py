from rest_framework.routers import DefaultRouter

from callbacks.api import CallbackTaskViewSet
from campaigns.api import CampaignViewSet, TargetViewSet
from coupons.api import CouponEntryViewSet, CouponTypeViewSet, CouponViewSet
from presale.api import BookingReconciliationViewSet, PenaltyViewSet, PresaleOrderViewSet
from reports.api import RegionBoardViewSet, StaffBoardViewSet, StoreBoardViewSet
from reports.api_assessment import (
    CallbackEffectViewSet,
    CallHoursViewSet,
    DailySalesViewSet,
    PromotionViewSet,
)
from rewards.api import SettlementLineViewSet, SettlementRunViewSet
from stores.api import RegionViewSet, StoreViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("stores", StoreViewSet, basename="store")
router.register("callback-tasks", CallbackTaskViewSet, basename="callback-task")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("targets", TargetViewSet, basename="target")
router.register("presale-orders", PresaleOrderViewSet, basename="presale-order")
router.register("presale-penalties", PenaltyViewSet, basename="presale-penalty")
router.register(
    "booking-reconciliation", BookingReconciliationViewSet, basename="booking-reconciliation"
)
router.register("leaderboard-regions", RegionBoardViewSet, basename="leaderboard-region")
router.register("leaderboard-stores", StoreBoardViewSet, basename="leaderboard-store")
router.register("leaderboard-staff", StaffBoardViewSet, basename="leaderboard-staff")
router.register("coupon-types", CouponTypeViewSet, basename="coupon-type")
router.register("coupons", CouponViewSet, basename="coupon")
router.register("coupon-entries", CouponEntryViewSet, basename="coupon-entry")
router.register("assessment-promotion", PromotionViewSet, basename="assessment-promotion")
router.register("assessment-daily-sales", DailySalesViewSet, basename="assessment-daily-sales")
router.register(
    "assessment-callback-effect", CallbackEffectViewSet, basename="assessment-callback-effect"
)
router.register("assessment-call-hours", CallHoursViewSet, basename="assessment-call-hours")

router.register("settlement-runs", SettlementRunViewSet, basename="settlement-run")
router.register("settlement-lines", SettlementLineViewSet, basename="settlement-line")

urlpatterns = router.urls

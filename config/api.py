from rest_framework.routers import DefaultRouter

from callbacks.api import CallbackTaskViewSet
from campaigns.api import CampaignViewSet, TargetViewSet
from stores.api import RegionViewSet, StoreViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("stores", StoreViewSet, basename="store")
router.register("callback-tasks", CallbackTaskViewSet, basename="callback-task")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("targets", TargetViewSet, basename="target")

urlpatterns = router.urls

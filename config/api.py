from rest_framework.routers import DefaultRouter

from stores.api import RegionViewSet, StoreViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("stores", StoreViewSet, basename="store")

urlpatterns = router.urls

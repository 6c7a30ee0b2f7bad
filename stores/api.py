from rest_framework import serializers, viewsets

from stores.access import regions_visible, stores_visible
from stores.models import Region, Store


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name"]


class StoreSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Store
        fields = ["store_id", "name", "region", "public_phone", "mailbox", "active"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer

    def get_queryset(self):
        return regions_visible(self.request.user).order_by("name")


class StoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Stores the caller may see; another store's ID answers 404."""

    serializer_class = StoreSerializer
    lookup_field = "store_id"
    lookup_value_regex = r"\d+"
    filterset_fields = ["region", "active"]

    def get_queryset(self):
        return stores_visible(self.request.user).order_by("store_id")

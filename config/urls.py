from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "门店活动运营系统 · 管理后台"
admin.site.site_title = "活动运营管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("config.api")),
    path("jobs/", include("common.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("callbacks/", include("callbacks.urls")),
    path("presale/orders/", include("presale.urls_registration")),
    path("presale/daily/", include("presale.urls_daily")),
    path("presale/", include("presale.urls")),
    path("presale/booking/", include("presale.urls_booking")),
    path("reports/", include("reports.urls")),
    path("reports/nightly/", include("reports.urls_nightly")),
    path("coupons/", include("coupons.urls")),
    path("reports/assessment/", include("reports.urls_assessment")),
    path("settlements/", include("rewards.urls")),
    path("", include("stores.urls")),
]

from django.urls import path

from coupons import views

app_name = "coupons"

urlpatterns = [
    path("", views.coupon_home, name="home"),
    path("till/", views.till, name="till"),
    path("stores/<int:store_id>/", views.ledger, name="ledger"),
    path(
        "stores/<int:store_id>/entries/<int:entry_pk>/reverse/",
        views.entry_reverse,
        name="reverse",
    ),
    path("stores/<int:store_id>/gifts/", views.gifts, name="gifts"),
    path("stores/<int:store_id>/reports/<slug:kind>/", views.report, name="report"),
    path("monthly/<int:report_pk>/", views.monthly_download, name="monthly"),
]

from django.urls import path

from presale import views

urlpatterns = [
    path("", views.booking_list, name="booking-list"),
    path("<slug:code>/", views.booking_detail, name="booking-detail"),
    path("<slug:code>/generate/", views.booking_sheets_generate, name="booking-generate"),
    path(
        "<slug:code>/reconciliation/",
        views.booking_reconciliation_page,
        name="booking-reconciliation",
    ),
]

from django.urls import path

from presale import views

app_name = "presale_orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<int:order_pk>/register/", views.order_register_view, name="register"),
]

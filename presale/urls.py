from django.urls import path

from presale import views

app_name = "presale"

urlpatterns = [
    path("unattributed/", views.unattributed_orders, name="unattributed"),
]

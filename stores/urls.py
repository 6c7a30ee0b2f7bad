from django.urls import path

from stores import views

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<int:region_pk>/", views.region_detail, name="region-detail"),
    path("roster/export/", views.roster_export, name="roster-export"),
    path("stores/<int:store_id>/", views.store_detail, name="store-detail"),
]

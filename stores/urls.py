from django.urls import path

from stores import views

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<int:region_pk>/", views.region_detail, name="region-detail"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:import_pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:import_pk>/errors/", views.import_errors, name="import-errors"),
    path("roster/export/", views.roster_export, name="roster-export"),
    path("stores/<int:store_id>/", views.store_detail, name="store-detail"),
]

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("leaderboard/me/", views.mine, name="mine"),
    path("leaderboard/regions/<int:region_pk>/", views.region_page, name="region"),
    path("leaderboard/stores/<int:store_id>/", views.store_page, name="store"),
]

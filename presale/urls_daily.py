from django.urls import path

from presale import views_daily

urlpatterns = [
    path("", views_daily.daily, name="presale-daily"),
    path("report/", views_daily.report, name="presale-report"),
    path("penalties/", views_daily.my_penalties, name="presale-my-penalties"),
    path("penalties/<int:penalty_pk>/settle/", views_daily.settle, name="presale-settle"),
    path("penalties/<int:penalty_pk>/check/", views_daily.check, name="presale-check"),
]

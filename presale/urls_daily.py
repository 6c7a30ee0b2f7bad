from django.urls import path

from presale import views

urlpatterns = [
    path("", views.daily, name="presale-daily"),
    path("report/", views.report, name="presale-report"),
    path("penalties/", views.my_penalties, name="presale-my-penalties"),
    path("penalties/<int:penalty_pk>/settle/", views.settle, name="presale-settle"),
    path("penalties/<int:penalty_pk>/check/", views.check, name="presale-check"),
    path(
        "penalties/<int:penalty_pk>/evidence/",
        views.penalty_evidence,
        name="presale-penalty-evidence",
    ),
]

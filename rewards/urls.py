from django.urls import path

from rewards import views

app_name = "rewards"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("campaigns/<slug:code>/compute/", views.run_compute, name="compute"),
    path("<int:run_pk>/", views.run_detail, name="detail"),
    path("<int:run_pk>/approve/", views.run_approve, name="approve"),
    path("<int:run_pk>/discard/", views.run_discard, name="discard"),
    path("<int:run_pk>/workbook/", views.run_workbook, name="workbook"),
    path("<int:run_pk>/compare/<int:other_pk>/", views.run_compare, name="compare"),
    path("lines/<int:line_pk>/", views.line_detail, name="line"),
]

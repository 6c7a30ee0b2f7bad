from django.urls import path

from reports import views_nightly

urlpatterns = [
    path("", views_nightly.report_list, name="nightly-report-list"),
    path(
        "<int:report_pk>/download/", views_nightly.report_download, name="nightly-report-download"
    ),
    path(
        "<int:report_pk>/regions/<int:region_pk>/download/",
        views_nightly.report_region_download,
        name="nightly-report-region-download",
    ),
    path("robot-failures/", views_nightly.robot_failures, name="nightly-robot-failures"),
]

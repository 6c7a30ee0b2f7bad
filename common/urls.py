from django.urls import path

from common import views

urlpatterns = [
    path("<int:job_pk>/", views.job_detail, name="job-detail"),
    path("<int:job_pk>/download/", views.job_download, name="job-download"),
]

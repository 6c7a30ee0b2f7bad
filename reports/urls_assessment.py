from django.urls import path

from reports import views_assessment

urlpatterns = [
    path("", views_assessment.dashboard, name="assessment"),
    path("best-hours/", views_assessment.best_hours_hint, name="assessment-best-hours"),
]

from django.urls import path

from callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("", views.callback_list, name="list"),
    path("tasks/<int:task_pk>/reveal/", views.phone_reveal_view, name="reveal"),
    path("tasks/<int:task_pk>/attempts/", views.attempt_create, name="attempt"),
    path("tasks/<int:task_pk>/take/", views.task_take_view, name="take"),
    path("assign/", views.assign, name="assign"),
    path("assign/evenly/", views.distribute_evenly, name="distribute"),
    path("compliance/", views.compliance, name="compliance"),
    path("campaigns/<slug:code>/tasks/", views.tasks_generate, name="generate"),
    path("staff/<int:staff_pk>/chase/", views.chase, name="chase"),
]

from django.urls import path

from campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("new/", views.campaign_new, name="campaign-new"),
    path("upload/", views.campaign_upload, name="campaign-upload"),
    path("<slug:code>/", views.campaign_detail, name="campaign-detail"),
    path("<slug:code>/edit/", views.campaign_edit, name="campaign-edit"),
    path("<slug:code>/document/", views.campaign_download, name="campaign-download"),
    path("<slug:code>/targets/<int:target_pk>/", views.target_detail, name="target-detail"),
    path(
        "<slug:code>/targets/<int:target_pk>/even/",
        views.target_split_even,
        name="target-split-even",
    ),
]

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.my_training, name="my_training"),
    path("attestations/<slug:slug>/", views.attestation, name="attestation"),
    path("checklists/<int:pk>/", views.checklist, name="checklist"),
    path("manage/", views.manage, name="manage"),
    path("manage/assignments/<int:pk>/exempt/", views.exempt, name="exempt"),
    path("manage/assignments/<int:pk>/reset/", views.reset_attempts, name="reset_attempts"),
    path("manage/attestations/<slug:slug>/", views.attestation_report, name="attestation_report"),
    path("manage/attestations/<slug:slug>/publish/", views.attestation_publish, name="attestation_publish"),
]

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("<int:pk>/download/", views.certificate_download, name="download"),
    path("verify/", views.certificate_verify, name="verify_form"),
    path("verify/<str:code>/", views.certificate_verify, name="verify"),
]

from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("attempts/<uuid:public_id>/", views.attempt, name="attempt"),
    path("attempts/<uuid:public_id>/retake/", views.attempt_retake, name="attempt_retake"),
]

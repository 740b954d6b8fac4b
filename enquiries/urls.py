from django.urls import path

from . import views

app_name = "enquiries"

urlpatterns = [
    path("", views.my_enquiries, name="mine"),
    path("new/", views.ask, name="ask"),
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/ask-back/", views.ask_back, name="ask_back"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
]

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/<str:unit_code>/", views.dashboard, name="unit"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("people/<str:employee_number>/", views.person_results, name="person"),
    path("export/<str:table>.<str:fmt>", views.export, name="export"),
    path("exports/", views.export_jobs, name="export_jobs"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
    path("xapi.json", views.xapi_export, name="xapi"),
    path("xapi/push/", views.xapi_push, name="xapi_push"),
    path("regulator/", views.regulator, name="regulator"),
    path("regulator/<int:pk>/", views.regulator_detail, name="regulator_detail"),
    path("regulator/<int:pk>/download/", views.regulator_download, name="regulator_download"),
]

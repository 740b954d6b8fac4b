from django.urls import path

from . import views

app_name = "monitoring"

# Compliance auditors only (see views); everyone else gets 404.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/update/", views.finding_update, name="finding_update"),
    path("findings/<int:pk>/notes/", views.finding_note, name="finding_note"),
    path("findings/<int:pk>/training/", views.finding_training, name="finding_training"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/sources/", views.source_list, name="source_list"),
    path("imports/sources/new/", views.source_edit, name="source_add"),
    path("imports/sources/<int:pk>/", views.source_edit, name="source_edit"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:pk>/", views.rule_update, name="rule_update"),
    path("register/", views.register, name="register"),
    path("terminals/", views.terminal_list, name="terminal_list"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_edit, name="contract_add"),
    path("contracts/<int:pk>/", views.contract_edit, name="contract_edit"),
]

from django.urls import path

from . import assets, views

app_name = "whistleblowing"

urlpatterns = [
    # Public, anonymous: see whistleblowing.middleware.
    path("", views.intake, name="intake"),
    path("followup/", views.followup, name="followup"),
    path("followup/case/", views.followup_case, name="followup_case"),
    path("language/", views.language, name="language"),
    # Its static files too, so no request of a hotline page leaves /hotline/ (see assets).
    path("static/<path:name>", assets.asset, name="asset"),
    # Designated handlers only.
    path("cases/", views.case_list, name="case_list"),
    path("cases/key/", views.key_setup, name="key_setup"),
    path("cases/key/unlock/", views.unlock, name="unlock"),
    path("cases/key/lock/", views.lock, name="lock"),
    path("cases/key/recover/", views.recover, name="recover"),
    path("cases/register/", views.register, name="register"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/conflict/", views.case_conflict, name="case_conflict"),
    path("cases/<uuid:public_id>/status/", views.case_status, name="case_status"),
    path("cases/<uuid:public_id>/entries/", views.case_entry, name="case_entry"),
    path("cases/<uuid:public_id>/grant/", views.case_grant, name="case_grant"),
    path("cases/<uuid:public_id>/measures/", views.case_measure, name="case_measure"),
    path("cases/<uuid:public_id>/identity/", views.case_identity, name="case_identity"),
    path("cases/<uuid:public_id>/files/<uuid:file_id>/", views.case_file, name="case_file"),
]

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from people import views as people_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.liveness, name="liveness"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/2fa/totp/new-secret/", people_views.totp_secret_renew, name="mfa_totp_secret_renew"),
    path("accounts/", include("allauth.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", views.search, name="search"),
    path("people/", include("people.urls")),
    path("enquiries/", include("enquiries.urls")),
    path("training/", include("training.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("certificates/", include("training.certificate_urls")),
    path("reports/", include("reports.urls")),
    path("hotline/", include("whistleblowing.urls")),
    path("monitoring/", include("monitoring.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

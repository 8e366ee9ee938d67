from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from api.api import urls as api_urls
from dashboards import views as dashboards_views
from feedback import views_lessons as lessons_views
from people import views as people_views
from portal import people_views as portal_people_views
from portal import views as portal_views
from socialbiz import converters  # noqa: F401  (registers <uslug:...> before the apps' URLs load)

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", people_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    # Before the admin's own URLs: its login goes through allauth (rate limits, lockout, SSO).
    path("admin/login/", people_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
    path("", include("api.urls")),
    path("", include("integrations.urls")),
    path("movements/<uslug:slug>/analytics/", dashboards_views.movement_analytics, name="movement_analytics"),
    path("", include("conversation.urls")),
    path("movements/lessons/", lessons_views.lessons_library, name="lessons"),
    path("movements/", include("movements.urls")),
    path("feedback/", include("feedback.urls")),
    path("", include("sponsors.urls")),
    path("", include("pilots.urls")),
    path("organisation/", dashboards_views.organisation, name="organisation"),
    path("organisation/<int:person_id>/", dashboards_views.organisation_of, name="organisation_of"),
    path("people/", portal_people_views.people_directory, name="people_directory"),
    path("people/<int:person_id>/", portal_people_views.person_detail, name="person"),
    path("", include("nudges.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("", include("people.urls")),
]

if settings.BENCHMARK_HELLO:
    # The framework floor for `make bench`: same server, settings and middleware, no work.
    urlpatterns.append(path("bench/hello", lambda request: HttpResponse("hello"), name="bench_hello"))

handler500 = "socialbiz.errors.server_error"

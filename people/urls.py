from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("settings/privacy/", views.privacy, name="privacy"),
    path("settings/privacy/my-data.json", views.privacy_export, name="privacy_export"),
    path("settings/privacy/erasure/", views.privacy_erasure_request, name="privacy_erasure_request"),
]

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("settings/language/", views.locale_settings, name="locale_settings"),
    path("language/", views.switch_language, name="switch_language"),
    path("settings/privacy/", views.privacy, name="privacy"),
    path("settings/privacy/my-data.json", views.privacy_export, name="privacy_export"),
    path("settings/picture/", views.avatar_settings, name="avatar_settings"),
    path("people/<int:pk>/picture-<int:version>.jpg", views.avatar_image, name="avatar"),
    path("settings/privacy/erasure/", views.privacy_erasure_request, name="privacy_erasure_request"),
]

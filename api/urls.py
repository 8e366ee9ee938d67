from django.urls import path

from . import views

app_name = "api_tokens"
urlpatterns = [
    path("settings/api-tokens/", views.tokens, name="list"),
    path("settings/api-tokens/<int:pk>/revoke/", views.token_revoke, name="revoke"),
]

from django.urls import path

from . import views

app_name = "conversation"
urlpatterns = [
    path("feedback/<int:pk>/watch/", views.watch_feedback, name="watch_feedback"),
    path("movements/<slug:slug>/watch/", views.watch_movement, name="watch_movement"),
    path("people/mention-suggestions/", views.mention_suggestions, name="mention_suggestions"),
]

from django.urls import path

from . import views

app_name = "conversation"
urlpatterns = [
    path("feedback/<int:pk>/watch/", views.watch_feedback, name="watch_feedback"),
    path("movements/<uslug:slug>/watch/", views.watch_movement, name="watch_movement"),
    path("movements/<uslug:slug>/updates/<int:pk>/replies/", views.reply_add, name="reply_add"),
    path("replies/<int:pk>/delete/", views.reply_delete, name="reply_delete"),
    path("replies/<int:pk>/moderate/", views.reply_moderate, name="reply_moderate"),
    path("people/mention-suggestions/", views.mention_suggestions, name="mention_suggestions"),
]

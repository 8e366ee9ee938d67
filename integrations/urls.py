from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("integrations/webhooks/", views.endpoints, name="endpoints"),
    path("integrations/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("integrations/webhooks/<int:pk>/toggle/", views.endpoint_toggle, name="endpoint_toggle"),
    path("integrations/webhooks/<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("integrations/webhooks/<int:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("integrations/deliveries/<int:pk>/resend/", views.delivery_resend, name="delivery_resend"),
    path("settings/feeds/", views.feeds_settings, name="feeds"),
    path("settings/feeds/revoke/", views.feeds_revoke, name="feeds_revoke"),
    path("settings/chat/", views.chat_settings, name="chat"),
    path("movements/<uslug:slug>/chat/", views.movement_chat, name="movement_chat"),
    path("feeds/<str:token>/movements/<uslug:slug>.atom", views.feed_movement, name="feed_movement"),
    path("feeds/<str:token>/feedback.atom", views.feed_feedback, name="feed_feedback"),
    path("feeds/<str:token>/pilots.ics", views.feed_pilots, name="feed_pilots"),
]

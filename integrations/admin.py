from django.contrib import admin

from .models import ChatChannel, Delivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "disabled_at", "consecutive_failures", "created_at")
    exclude = ("secret", "previous_secret")


@admin.register(ChatChannel)
class ChatChannelAdmin(admin.ModelAdmin):
    list_display = ("kind", "person", "movement", "disabled_at")
    raw_id_fields = ("person", "movement", "connected_by")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("message_id", "event_type", "endpoint", "channel", "delivered_at", "failed_at", "attempts")
    raw_id_fields = ("endpoint", "channel", "event", "nudge")

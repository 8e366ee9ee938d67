from django.contrib import admin

from .models import NotificationPreference, Nudge


@admin.register(Nudge)
class NudgeAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "movement", "due_at", "sent_at", "read_at", "acted_on_at", "attempts"]
    list_filter = ["kind"]
    search_fields = ["dedupe_key", "recipient__email"]
    raw_id_fields = ["recipient", "movement", "feedback", "subject_person"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "email", "in_app"]
    raw_id_fields = ["person"]

from django.contrib import admin

from .models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "movement", "feedback"]
    list_filter = ["verb"]
    raw_id_fields = ["actor", "movement", "feedback", "subject_person"]

from django.contrib import admin

from .models import RollupDay


@admin.register(RollupDay)
class RollupDayAdmin(admin.ModelAdmin):
    list_display = ["day", "rolled_up_at"]
    date_hierarchy = "day"

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "path"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "job_title", "department", "is_active", "is_staff", "is_moderator"]
    list_filter = ["is_active", "is_staff", "is_moderator", "department"]
    search_fields = ["email", "display_name"]
    autocomplete_fields = ["department", "manager"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "job_title", "department", "manager", "location", "time_zone", "employee_id")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_moderator", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

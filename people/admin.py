from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import AuditEvent, Department, ErasureRequest, User


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
        (
            _("Profile"),
            {"fields": ("display_name", "job_title", "department", "manager", "location", "time_zone", "employee_id")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_moderator", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.action(description=_("Deactivate (leaver): sign out, keep what they wrote"))
def deactivate_people(modeladmin, request, queryset):
    count = sum(services.person_deactivate(person=p, by=request.user, reason="admin") for p in queryset)
    modeladmin.message_user(
        request,
        ngettext("%(count)d person deactivated.", "%(count)d people deactivated.", count) % {"count": count},
        messages.SUCCESS,
    )


def _confirm_erasure(modeladmin, request, queryset, people, action: str):
    """Erasure cannot be undone: the admin sees who will be erased and confirms, like Django's delete."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Erase these people?"),
        "people": people,
        "queryset": queryset,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "erased_name": services.ERASED_NAME,
    }
    return TemplateResponse(request, "admin/people/erase_confirmation.html", context)


@admin.action(description=_('Erase: name becomes "former colleague", email and profile removed'))
def erase_people(modeladmin, request, queryset):
    people = list(queryset.exclude(pk=request.user.pk))
    if request.POST.get("confirm_erasure") != "yes":
        return _confirm_erasure(modeladmin, request, queryset, people, "erase_people")
    for person in people:
        services.person_erase(person=person, by=request.user)
    modeladmin.message_user(
        request,
        ngettext("%(count)d person erased.", "%(count)d people erased.", len(people)) % {"count": len(people)},
        messages.SUCCESS,
    )


UserAdmin.actions = [deactivate_people, erase_people]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Readable by admins, written only by the code: no adding, editing or deleting here."""

    list_display = ["created_at", "action", "actor", "target_repr", "ip_address"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["target_repr", "actor__email", "actor__display_name"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description=_("Carry out the erasure"))
def carry_out_erasure(modeladmin, request, queryset):
    open_requests = list(
        queryset.filter(completed_at__isnull=True).exclude(person=request.user).select_related("person")
    )
    if request.POST.get("confirm_erasure") != "yes":
        return _confirm_erasure(modeladmin, request, queryset, [r.person for r in open_requests], "carry_out_erasure")
    done = 0
    for erasure in open_requests:
        services.person_erase(person=erasure.person, by=request.user)
        done += 1
    modeladmin.message_user(
        request,
        ngettext("%(count)d person erased.", "%(count)d people erased.", done) % {"count": done},
        messages.SUCCESS,
    )


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["person", "created_at", "completed_at"]
    list_filter = [("completed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["person"]
    readonly_fields = ["person", "reason", "created_at", "completed_at"]
    actions = [carry_out_erasure]

    def has_add_permission(self, request) -> bool:
        return False

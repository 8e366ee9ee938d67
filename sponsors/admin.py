"""Read-only admin: sponsorships, requests for help and sanctions change only through the services (each
records its event and its nudges), so the admin lists them for support staff and changes nothing."""

from django.contrib import admin

from .models import Sanction, Sponsorship, SupportRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Sponsorship)
class SponsorshipAdmin(ReadOnlyAdmin):
    list_display = ("movement", "sponsor", "status", "created_at", "answered_at")
    list_filter = ("status",)
    list_select_related = ("movement", "sponsor")
    search_fields = ("movement__title", "sponsor__display_name", "sponsor__email")


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    list_display = ("movement", "kind", "what", "needed_by", "status", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("movement",)


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ("movement", "sanctioned_on", "sanctioned_by", "withdrawn_at")
    list_select_related = ("movement", "sanctioned_by")

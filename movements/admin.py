"""Read-mostly admin: counts and join order are kept by the services, so the admin shows them read-only."""

from django.contrib import admin

from .models import Invitation, Membership, Movement, Role, StageChange, Update


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "movement"
    extra = 0
    fields = ["position", "person", "is_lead", "recruited_by", "joined_at", "left_at", "welcomed_at"]
    readonly_fields = ["position", "person", "recruited_by", "joined_at", "left_at", "welcomed_at"]
    can_delete = False


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    fields = ["name", "seats", "seats_filled"]
    readonly_fields = ["seats_filled"]


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    list_display = ["title", "stage", "founder", "department", "follower_count", "open_seats", "created_at"]
    list_filter = ["stage"]
    search_fields = ["title", "pitch", "tool"]
    readonly_fields = ["follower_count", "open_seats", "stage", "created_at", "last_activity_at"]
    raw_id_fields = ["founder"]
    inlines = [RoleInline, MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["movement", "inviter", "invitee", "email", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["token"]
    raw_id_fields = ["inviter", "invitee"]


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    list_display = ["movement", "author", "is_welcome", "created_at"]
    raw_id_fields = ["author", "welcomed"]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["movement", "from_stage", "to_stage", "decision", "changed_by", "created_at"]
    list_filter = ["to_stage", "decision"]

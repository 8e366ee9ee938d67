"""Read-mostly admin: counts, join order and people_version are kept by the services, so the admin
shows them read-only, saves only the fields its form changed, and recounts after every save."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Invitation, Membership, Movement, Role, StageChange, Update


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        leads = [
            form.cleaned_data.get("is_lead")
            for form in self.forms
            if form.cleaned_data and form.instance.left_at is None and form.instance.person.is_active
        ]
        if self.forms and not any(leads):
            raise ValidationError(_("A movement always keeps at least one active lead."))


class MembershipInlineForm(forms.ModelForm):
    def clean_is_lead(self):
        if self.cleaned_data["is_lead"] and self.instance.left_at is not None:
            raise ValidationError(_("Someone who left cannot lead."))
        return self.cleaned_data["is_lead"]


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    formset = MembershipInlineFormSet
    fk_name = "movement"
    extra = 0
    fields = ["position", "person", "is_lead", "recruited_by", "joined_at", "left_at", "welcomed_at"]
    readonly_fields = ["position", "person", "recruited_by", "joined_at", "left_at", "welcomed_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # people join through the page, which keeps the join order


class RoleInlineForm(forms.ModelForm):
    def clean_seats(self):
        seats = self.cleaned_data["seats"]
        if seats is not None and seats < self.instance.seats_filled:
            raise ValidationError(
                ngettext(
                    "%(count)s person holds this role: free a seat before you lower the seats below that.",
                    "%(count)s people hold this role: free a seat before you lower the seats below that.",
                    self.instance.seats_filled,
                )
                % {"count": self.instance.seats_filled}
            )
        return seats


class RoleInline(admin.TabularInline):
    model = Role
    form = RoleInlineForm
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

    def has_add_permission(self, request):
        return False  # a movement starts on the site: founder as member 1, roles, stage history

    def save_model(self, request, obj, form, change):
        # Only what this form changed: a full save would write back counters read before a concurrent join.
        if form.changed_data:
            obj.save(update_fields=[name for name in form.changed_data if name in form.base_fields])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.movement_recount(movement=form.instance)


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

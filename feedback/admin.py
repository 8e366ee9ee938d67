"""The feedback models in the Django admin, for staff: read-mostly.

Counters (vote_count, comment_count), votes, answers, reports, merges and the moderation log are kept by the
services (each records its event), so the admin shows them and changes nothing. Staff may correct the words
of a post or a comment; nothing is added or deleted here (withdrawing and hiding are on the site).
The anonymous publication queue is not registered: nothing in it may be looked at before it is published.
"""

from django.contrib import admin

from .models import (
    Comment,
    Feedback,
    FeedbackMerge,
    FeedbackRevision,
    ModerationAction,
    Report,
    StatusChange,
    Tag,
    Vote,
)
from .rendering import render_markdown


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WordsOnlyAdmin(admin.ModelAdmin):
    """Only the fields in `editable` change; the save writes just those (never a stale counter back)."""

    editable: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields if f.name not in self.editable and f.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in self.editable]
        if changed:
            obj.save(update_fields=changed + self.derived_fields(obj, changed))

    def derived_fields(self, obj, changed: list[str]) -> list[str]:
        return []


@admin.register(Feedback)
class FeedbackAdmin(WordsOnlyAdmin):
    editable = ("title", "body")
    list_display = ("title", "kind", "status", "vote_count", "comment_count", "is_anonymous", "created_at")
    list_filter = ("kind", "status", "is_anonymous")
    list_select_related = ("author",)
    search_fields = ("title",)
    exclude = ("tags",)

    def derived_fields(self, obj, changed):
        if "body" in changed:
            obj.body_html = render_markdown(obj.body)
            return ["body_html"]
        return []


@admin.register(Comment)
class CommentAdmin(WordsOnlyAdmin):
    editable = ("body",)
    list_display = ("feedback", "author", "created_at", "hidden_at")
    list_select_related = ("feedback", "author")


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    """Approving, renaming, merging and retiring happen on the topics page (/feedback/topics/), with events."""

    list_display = ("name", "slug", "created_by", "approved_at", "retired_at", "merged_into")
    list_select_related = ("created_by", "merged_into")
    search_fields = ("name", "slug")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("feedback", "comment", "reporter", "created_at", "resolved_at")
    list_select_related = ("feedback", "comment", "reporter")


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("feedback", "person", "created_at")
    list_select_related = ("feedback", "person")


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("feedback", "from_status", "to_status", "answered_by", "created_at")
    list_select_related = ("feedback", "answered_by")


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("action", "feedback", "comment", "moderator", "created_at")
    list_select_related = ("feedback", "comment", "moderator")


@admin.register(FeedbackMerge)
class FeedbackMergeAdmin(ReadOnlyAdmin):
    list_display = ("source", "target", "merged_by", "created_at", "undone_at")
    list_select_related = ("source", "target", "merged_by")


@admin.register(FeedbackRevision)
class FeedbackRevisionAdmin(ReadOnlyAdmin):
    list_display = ("feedback", "written_at", "replaced_at")
    list_select_related = ("feedback",)

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movements.models import Movement
from people.models import User

from .rendering import markdown_to_text


class Kind(models.TextChoices):
    WORKS = "works", _("What Works")
    DOESNT = "doesnt", _("What Doesn't")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    WONT_FIX = "wont_fix", _("Won't fix")


UNRESOLVED_STATUSES = [Status.NEW, Status.ACKNOWLEDGED, Status.PLANNED, Status.IN_PROGRESS]


class TagQuerySet(models.QuerySet):
    def visible_to(self, user) -> TagQuerySet:
        """Topics a person may see: approved ones, and the ones they proposed while they wait. Never retired ones."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(retired_at__isnull=True).filter(Q(approved_at__isnull=False) | Q(created_by=user))

    def in_use(self) -> TagQuerySet:
        return self.filter(retired_at__isnull=True)


class Tag(models.Model):
    """A topic. One proposed by an employee waits for a moderator (approved_at is null) and is shown to its
    creator alone until then; a retired topic is shown to nobody but stays on its posts as history."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    # Unicode slugs: a topic in Arabic or Japanese keeps a readable slug (never an empty one).
    slug = models.SlugField(max_length=60, unique=True, allow_unicode=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Topics created by moderators, the seed and before moderation existed count as approved.
    approved_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    # A topic merged into another is retired and points there: its name typed again gives the other one.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_topics"
    )

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="tag_slug_not_empty"),
            models.CheckConstraint(condition=~Q(name=""), name="tag_name_not_empty"),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="tag_not_merged_into_itself"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(retired_at__isnull=False), name="tag_merged_is_retired"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user) -> FeedbackQuerySet:
        """Not hidden (moderators still see hidden posts) and not about a movement the person cannot see."""

        if not user.is_authenticated:
            return self.none()
        qs = self if user.can_moderate else self.filter(hidden_at__isnull=True)
        qs = qs.filter(merged_into__isnull=True)  # a merged duplicate lives on in the post it went into
        return qs.filter(Q(movement__isnull=True) | Q(movement__in=Movement.objects.visible_to(user)))


class Feedback(models.Model):
    """A What Works / What Doesn't post. An anonymous post has no author and stores nothing that points to one."""

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    body_html = models.TextField(blank=True, editable=False)
    # What Works: what drove the success; What Doesn't: what got in the way. Searchable (lessons library).
    # db_default too: the large seed streams posts with COPY and names only the columns it fills.
    cause = models.TextField(
        _("what drove it or got in the way"), blank=True, default="", db_default="", max_length=2000
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback_posts"
    )
    is_anonymous = models.BooleanField(_("post anonymously"), default=False)
    movement = models.ForeignKey(
        "movements.Movement", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    # The movement that was started from this post ("turn into a movement").
    resulting_movement = models.ForeignKey(
        "movements.Movement", null=True, blank=True, on_delete=models.SET_NULL, related_name="source_feedback"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="feedback")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    vote_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # For anonymous posts this is rounded to the day before it is stored.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Set by feedback_edit / feedback_withdraw; only named posts can be edited or withdrawn.
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # A duplicate merged into another post (feedback/merging.py): its URL redirects there, lists leave it out.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_posts"
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(author__isnull=True), name="feedback_anonymous_has_no_author"
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(edited_at__isnull=True, withdrawn_at__isnull=True),
                name="feedback_anonymous_never_edited",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="feedback_not_merged_into_itself"),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "-vote_count"], name="feedback_kind_status_votes"),
            # The list's two columns, read in sort order and stopped after one page (checked with EXPLAIN on
            # the large seed): "top" and "newest" per kind.
            models.Index(fields=["kind", "-vote_count", "-created_at", "-id"], name="feedback_kind_top"),
            models.Index(fields=["kind", "-created_at", "-id"], name="feedback_kind_newest"),
            # The tab counts: an index-only scan over the visible posts' kind and movement.
            models.Index(
                fields=["kind", "movement"], name="feedback_visible_count", condition=models.Q(hidden_at__isnull=True)
            ),
            # PostgreSQL only: the full-text GIN index "feedback_search" is added by migration 0003 (rebuilt with `cause` by 0007).
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("feedback:detail", kwargs={"pk": self.pk})

    # As a movement's origin (movements/origins.py): what the start form prefills and whom it may invite.
    def body_as_text(self) -> str:
        return markdown_to_text(self.body)

    def voters(self) -> models.QuerySet:
        return User.objects.filter(feedback_votes__feedback=self, is_active=True)


class FeedbackRevision(models.Model):
    """A version of a named post as it was before an edit: the history shown to everyone who sees the post.
    A withdrawal deletes them (the author took the words back)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    body_html = models.TextField(blank=True, editable=False)
    written_at = models.DateTimeField()  # when this version was posted or last edited
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        indexes = [models.Index(fields=["feedback", "-replaced_at"], name="feedback_revision_by_post")]


class Vote(models.Model):
    """A "me too". One per person and post, enforced by the database."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_votes")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feedback", "person"], name="vote_once_per_person")]


class Comment(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_comments")
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class StatusChange(models.Model):
    """An official answer: a status with a written response, by a moderator or a lead of the linked movement."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    response = models.TextField(_("official response"), max_length=5000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(response=""), name="status_change_has_response")]


class Report(models.Model):
    """Someone reported a post or a comment. The reporter is kept so moderators can follow up."""

    feedback = models.ForeignKey(Feedback, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(feedback__isnull=False) & Q(comment__isnull=True))
                | (Q(feedback__isnull=True) & Q(comment__isnull=False)),
                name="report_exactly_one_target",
            ),
        ]


class ModerationAction(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide", _("Hide")
        RESTORE = "restore", _("Restore")
        DISMISS = "dismiss", _("Dismiss report")
        MERGE = "merge", _("Merge into another post")
        UNMERGE = "unmerge", _("Undo a merge")

    feedback = models.ForeignKey(Feedback, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)


class FeedbackMerge(models.Model):
    """A duplicate post merged into another: what moved, so it can be undone within MERGE_UNDO_DAYS.

    Votes name their voters anyway (a "me too" is never anonymous), so keeping their ids here reveals nothing new;
    an anonymous post's author is never known, so a merge cannot reveal it either."""

    source = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="merges_in")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("why"), blank=True, max_length=2000)
    # Vote rows moved to the target; people who had voted on both (their vote on the source was dropped);
    # comments moved to the target. Read back by the undo.
    moved_vote_ids = models.JSONField(default=list, blank=True)
    dropped_voter_ids = models.JSONField(default=list, blank=True)
    moved_comment_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="feedback_merge_not_into_itself"),
            # One merge in force per post: undone merges stay as history.
            models.UniqueConstraint(
                fields=["source"], condition=Q(undone_at__isnull=True), name="feedback_merge_once_in_force"
            ),
        ]


class AnonymousQueueEntry(models.Model):
    """An anonymous post waiting for its batch (feedback/publication.py).

    Nothing here points to the writer or to the moment of writing: no author, no time, a random id, tags by
    id and new topic names as text (their rows are created at publication). The periodic tick rewrites the
    rows and VACUUMs the table, so not even the row's transaction id dates the post for long.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    cause = models.TextField(max_length=2000, blank=True, default="")
    movement = models.ForeignKey(
        "movements.Movement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tag_ids = models.JSONField(default=list, blank=True)
    new_tag_names = models.JSONField(default=list, blank=True)
    # Rewritten by every tick (a new random value), which gives the row a new transaction id.
    restamp = models.UUIDField(default=uuid.uuid4)


class AnonymousBatch(models.Model):
    """When queued anonymous posts were last published: the next batch waits ANONYMOUS_PUBLISH_MINUTES."""

    published_at = models.DateTimeField()

    class Meta:
        get_latest_by = "published_at"

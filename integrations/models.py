"""Reaching people outside the portal: staff's webhook endpoints, chat channels (Slack, Teams) for a
person's nudges or a movement's news, one delivery outbox for both, and secret feed links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """What an endpoint may subscribe to (the event channel's verbs under stable public names)."""

    MOVEMENT_STARTED = "movement.started", _("movement started")
    MEMBER_JOINED = "movement.member_joined", _("member joined")
    MEMBER_LEFT = "movement.member_left", _("member left")
    UPDATE_POSTED = "movement.update_posted", _("update posted")
    FOLLOWERS_WELCOMED = "movement.followers_welcomed", _("followers welcomed")
    STAGE_CHANGED = "movement.stage_changed", _("stage changed")
    DECISION_RECORDED = "movement.decision_recorded", _("decision recorded")
    FEEDBACK_POSTED = "feedback.posted", _("feedback posted")
    FEEDBACK_ANSWERED = "feedback.answered", _("feedback answered")
    FEEDBACK_COMMENTED = "feedback.commented", _("comment added")


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Standard Webhooks secret: "whsec_" + base64 of 32 random bytes; the receiver verifies with it.
    secret = models.CharField(max_length=100)
    # After a rotation the old secret still signs (a second signature) until this time, so receivers can
    # switch without dropping deliveries (Standard Webhooks' zero-downtime rotation).
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the previous one in its overlap."""
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > timezone.now():
            return [self.secret, self.previous_secret]
        return [self.secret]


class ChatKind(models.TextChoices):
    SLACK = "slack", _("Slack (incoming webhook)")
    TEAMS = "teams", _("Microsoft Teams (Workflows webhook)")


class ChatChannel(models.Model):
    """A Slack incoming webhook or a Teams Workflows URL: a person's (their nudges) or a movement's (its news)."""

    kind = models.CharField(_("kind"), max_length=8, choices=ChatKind.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_channel"
    )
    movement = models.OneToOneField(
        "movements.Movement", null=True, blank=True, on_delete=models.CASCADE, related_name="chat_channel"
    )
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # A person's channel only: their nudges come here and not by email (in the portal as they chose).
    instead_of_email = models.BooleanField(_("instead of email"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(instead_of_email=False) | Q(person__isnull=False), name="chat_instead_of_email_personal"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True, movement__isnull=False)
                | Q(person__isnull=False, movement__isnull=True),
                name="chat_channel_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person_id and 'person' or 'movement'}"


class Delivery(models.Model):
    """One outgoing HTTP message: an event to a webhook endpoint or chat channel, or a nudge to a person's
    chat channel. Written in the transaction of what caused it; unique per (target, cause), so an
    event can never be delivered twice to one place. Life as nudges: due -> queued -> claimed -> delivered
    (or failed for good)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(ChatChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("activity.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    nudge = models.ForeignKey("nudges.Nudge", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The Standard Webhooks message id, the same on every attempt: receivers drop duplicates with it.
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_endpoint_event"),
            models.UniqueConstraint(fields=["channel", "event"], name="delivery_once_per_channel_event"),
            models.UniqueConstraint(fields=["channel", "nudge"], name="delivery_once_per_channel_nudge"),
            models.CheckConstraint(
                condition=Q(endpoint__isnull=True, channel__isnull=False)
                | Q(endpoint__isnull=False, channel__isnull=True),
                name="delivery_one_target",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="delivery_pending",
                condition=Q(delivered_at__isnull=True, failed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.message_id


class Attempt(models.Model):
    """Each try to send a delivery: when, how long, what the receiver answered (or the error)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]


class FeedToken(models.Model):
    """The secret in a person's feed URLs (Atom, iCalendar). Kept hashed; a new one revokes the old."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

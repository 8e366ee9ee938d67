"""The nudge outbox and each person's notification preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    FIRST_FOLLOWER_WELCOME = "first_follower_welcome", _("Welcome as a first follower")
    WELCOME_YOUR_FOLLOWER = "welcome_your_follower", _("Welcome your new follower")
    FIRST_FOLLOWER_CHECKIN = "first_follower_checkin", _("First-follower check-in")
    FIND_FIRST_FOLLOWER = "find_first_follower", _("Find your first follower")
    OPEN_ROLES = "open_roles", _("Open roles")
    DECISION_DUE = "decision_due", _("Pilot decision due")
    INVITATION = "invitation", _("Invitations")
    # To an email address without an account (nudges.Nudge.to_address): the invitation and its sign-up link.
    INVITATION_EMAIL = "invitation_email", _("Invitation by email")
    FEEDBACK_ANSWERED = "feedback_answered", _("Feedback answered")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")
    SPONSOR_REQUEST = "sponsor_request", _("Asked to sponsor a movement")
    SUPPORT_REQUESTED = "support_requested", _("A movement you sponsor asks for help")
    SPONSOR_MONTHLY = "sponsor_monthly", _("Monthly summary of the movements you sponsor")
    FIND_A_SPONSOR = "find_a_sponsor", _("Find a sponsor for your pilot")
    # Pilots (pilots app): a pulse opened, to the members.
    PULSE_DUE = "pulse_due", _("A pilot's pulse: a few anonymous questions")
    PROPOSAL_OPENED = "proposal_opened", _("A pilot decision is proposed: consent or object")
    OBJECTION_RAISED = "objection_raised", _("A member objects to your proposal")
    PROPOSAL_CLOSING = "proposal_closing", _("A proposal closes in 24 hours")
    # To the holders of a hand-recorded measure's role (or the leads): no value for two weeks (pilots/reminders.py).
    MEASURE_STALE = "measure_stale", _("A pilot's measure has not been updated for two weeks")
    # To the named authors and the voters of a post merged into another (feedback/merging.py).
    FEEDBACK_MERGED = "feedback_merged", _("A post was merged into another")
    # To staff: an outgoing webhook or chat channel kept failing and was turned off (integrations app).
    INTEGRATION_DISABLED = "integration_disabled", _("Integration disabled")
    # Conversation (nudges/conversation.py): what you watch, a first follower at once, a mention of you.
    WATCHED_ACTIVITY = "watched_activity", _("News on posts and movements you watch")
    FOLLOWER_JOINED = "follower_joined", _("A first follower joined your movement")
    MENTIONED = "mentioned", _("Someone mentioned you")
    # To moderators: a post or comment was reported (never says who wrote an anonymous post).
    REPORT_RECEIVED = "report_received", _("A post or comment was reported")


# These reach the person in the portal whatever they choose: somebody is waiting for them.
ALWAYS_IN_APP = frozenset({Kind.INVITATION, Kind.FEEDBACK_ANSWERED})
# Sent to an address without an account: no person to choose, so no preference to offer.
ADDRESS_ONLY = frozenset({Kind.INVITATION_EMAIL})
PERSON_KINDS = [kind for kind in Kind if kind not in ADDRESS_ONLY]


class NudgeQuerySet(models.QuerySet):
    def in_app_for(self, person) -> NudgeQuerySet:
        """Delivered notifications the person sees in the portal."""
        return self.filter(recipient=person, in_app=True, sent_at__isnull=False, cancelled_at__isnull=True)

    def unread(self) -> NudgeQuerySet:
        return self.filter(read_at__isnull=True)


class Nudge(models.Model):
    """One nudge to one person: a row of the outbox, written in the transaction of the event that causes it.

    Life: due_at passes -> the relay queues it (queued_at) -> a worker claims it (claimed_at, a conditional
    UPDATE) -> sends the email outside any transaction -> sent_at. In-app notifications are the sent rows.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="nudges"
    )
    # Instead of a recipient: an address without an account (an emailed invitation). Email only, no preferences.
    to_address = models.EmailField(blank=True, default="", db_default="")
    movement = models.ForeignKey(
        "movements.Movement", null=True, blank=True, on_delete=models.CASCADE, related_name="nudges"
    )
    feedback = models.ForeignKey(
        "feedback.Feedback", null=True, blank=True, on_delete=models.CASCADE, related_name="nudges"
    )
    # The other person the nudge is about: the new follower to welcome, the colleague who invited.
    subject_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Small extra facts for the text (invitation token, official response id); never personal data beyond that.
    context = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    email = models.BooleanField(_("by email"), default=True)
    in_app = models.BooleanField(_("in the portal"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acted_on_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = NudgeQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-pk"]
        indexes = [
            # The relay's scan: unsent rows by due time.
            models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="nudge_unsent_due"),
            models.Index(fields=["recipient", "-sent_at"], name="nudge_recipient_sent"),
            models.Index(fields=["kind", "sent_at"], name="nudge_kind_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(email=True) | Q(in_app=True) | Q(cancelled_at__isnull=False), name="nudge_has_a_channel"
            ),
            models.CheckConstraint(
                condition=Q(emailed_at__isnull=True) | Q(sent_at__isnull=False), name="nudge_emailed_only_when_sent"
            ),
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(to_address=""))
                | (Q(recipient__isnull=True) & ~Q(to_address="") & Q(in_app=False)),
                name="nudge_to_a_person_or_an_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} ({self.dedupe_key})"


class NotificationPreference(models.Model):
    """A person's choice for one kind. No row means both channels are on."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    email = models.BooleanField(_("email"), default=True)
    in_app = models.BooleanField(_("in the portal"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=Q(in_app=True) | ~Q(kind__in=[Kind.INVITATION, Kind.FEEDBACK_ANSWERED]),
                name="notification_preference_always_in_app",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}: email={self.email} in_app={self.in_app}"


class SweepPart(models.Model):
    """One share of an hourly time-based sweep (nudges.services.nudges_sweep_plan): the memberships (and,
    for the sweeps over movements, the movements) whose ids fall in its ranges. One row per (run, part), so two beats plan it once; a worker claims it with a
    conditional UPDATE, so one worker sweeps it."""

    run_key = models.CharField(max_length=64)
    part = models.PositiveSmallIntegerField()
    parts = models.PositiveSmallIntegerField()
    planned_for = models.DateTimeField()
    # The part's id ranges [from, to), fixed when planned; a null end is open (the last part).
    membership_from = models.BigIntegerField(default=0)
    membership_to = models.BigIntegerField(null=True, blank=True)
    movement_from = models.BigIntegerField(default=0)
    movement_to = models.BigIntegerField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run_key", "part"], name="sweep_part_once"),
            models.CheckConstraint(condition=Q(part__lt=models.F("parts")), name="sweep_part_in_range"),
        ]
        indexes = [models.Index(fields=["done_at"], condition=Q(done_at__isnull=True), name="sweep_part_open")]

    def __str__(self) -> str:
        return f"{self.run_key} part {self.part + 1}/{self.parts}"

"""A pilot's success measures and their values.

A measure is recorded by hand (leads and the holders of one role enter values) or computed from the portal
itself (pilots/selectors.py reads the activity log, the memberships and the updates)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    UP = "up", _("Up: higher is better")
    DOWN = "down", _("Down: lower is better")


class Source(models.TextChoices):
    BY_HAND = "by_hand", _("Recorded by hand")
    ACTIVE_MEMBERS = "active_members", _("Active members in the last 7 days")
    FOLLOWERS = "followers", _("Followers")
    UPDATES_PER_WEEK = "updates_per_week", _("Updates in the last 7 days")
    SHARE_BY_OTHERS = "share_by_others", _("Share of activity by others than the founder (last 7 days)")


# Computed measures have a fixed unit; their values are counts (never negative) or a share in percent.
COMPUTED_UNITS = {
    Source.ACTIVE_MEMBERS: _("people"),
    Source.FOLLOWERS: _("people"),
    Source.UPDATES_PER_WEEK: _("updates"),
    Source.SHARE_BY_OTHERS: "%",
}
PERCENT_SOURCES = {Source.SHARE_BY_OTHERS}


class Measure(models.Model):
    movement = models.ForeignKey("movements.Movement", on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=40)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    source = models.CharField(_("how it is measured"), max_length=32, choices=Source.choices)
    # Values are counts: whole numbers, never negative (computed counts always are).
    is_count = models.BooleanField(_("values are counts"), default=False)
    # By hand: the leads and the holders of this role record values (no role: the leads only).
    recorder_role = models.ForeignKey(
        "movements.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["movement", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "name"], name="measure_unique_name_per_movement"),
            # A target equal to the baseline measures nothing; the direction says which side is better.
            models.CheckConstraint(
                condition=(Q(direction=Direction.UP) & Q(target__gt=F("baseline")))
                | (Q(direction=Direction.DOWN) & Q(target__lt=F("baseline"))),
                name="measure_target_beyond_baseline",
            ),
            models.CheckConstraint(
                condition=Q(is_count=False) | (Q(baseline__gte=0) & Q(target__gte=0)),
                name="measure_counts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(source=Source.SHARE_BY_OTHERS)
                | (Q(baseline__gte=0) & Q(baseline__lte=100) & Q(target__gte=0) & Q(target__lte=100)),
                name="measure_share_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(source=Source.BY_HAND) | Q(recorder_role__isnull=True), name="measure_role_only_by_hand"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def by_hand(self) -> bool:
        return self.source == Source.BY_HAND


class MeasureValue(models.Model):
    """One value of a hand-recorded measure, for one day."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measure", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "measured_on"], name="measure_value_one_per_day"),
            # Nobody measures tomorrow: the day is at most the day the value was written.
            models.CheckConstraint(
                condition=Q(measured_on__lte=models.functions.TruncDate("recorded_at")),
                name="measure_value_not_in_future",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.measured_on}: {self.value}"


# --- pulses ----------------------------------------------------------------------------------------

DEFAULT_PULSE_QUESTIONS = [
    "Is this making your work easier?",
    "Would you miss it if the pilot stopped?",
]


class Pulse(models.Model):
    """A few questions to a pilot's members, opened every PULSE_EVERY_DAYS while the pilot runs.

    The answers are anonymous: who answered (PulseRespondent) and what was answered (PulseQueuedAnswer, then
    PulseAnswer) are kept apart with nothing that links them (pilots/pulses.py)."""

    movement = models.ForeignKey("movements.Movement", on_delete=models.CASCADE, related_name="pulses")
    number = models.PositiveSmallIntegerField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    questions = models.JSONField(default=list)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Answers shown (published in batches of at least ANONYMITY_MIN_CROWD) and answers dropped at closing
    # because they were fewer than that.
    published_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["movement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "number"], name="pulse_number_once"),
            models.UniqueConstraint(fields=["movement", "opens_on"], name="pulse_one_per_day"),
            models.CheckConstraint(condition=Q(closes_on__gt=F("opens_on")), name="pulse_closes_after_it_opens"),
        ]

    def __str__(self) -> str:
        return f"pulse {self.number} of {self.movement_id}"


class PulseRespondent(models.Model):
    """Who answered a pulse: one row per person and pulse, with no time, no order and nothing about the answer.
    The id is random (no sequence), so the row's place among the others says nothing either."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="respondents")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pulse", "person"], name="pulse_answered_once")]


class PulseQueuedAnswer(models.Model):
    """An answer waiting for its batch: no person, no time, a random id. The tick rewrites it (restamp) and
    VACUUMs the table, so no row version keeps the answering transaction's id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="+")
    scores = models.JSONField()
    works = models.TextField(blank=True, max_length=2000)
    doesnt = models.TextField(blank=True, max_length=2000)
    restamp = models.UUIDField(default=uuid.uuid4)


class PulseAnswer(models.Model):
    """A published answer: written in a shuffled batch of at least ANONYMITY_MIN_CROWD, with no person and no
    time (the pulse's dates are the only dates)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="answers")
    scores = models.JSONField()
    works = models.TextField(blank=True)
    doesnt = models.TextField(blank=True)


# --- shared decisions ------------------------------------------------------------------------------


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RECORDED = "recorded", _("Recorded")


class Proposal(models.Model):
    """A lead proposes adopt, extend or retire; the members consent, abstain or object (pilots/decisions.py)."""

    movement = models.ForeignKey("movements.Movement", on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(
        _("decision"), max_length=16, choices=[("adopt", _("Adopt")), ("extend", _("Extend")), ("retire", _("Retire"))]
    )
    new_end = models.DateField(_("new end date"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), max_length=5000)
    # The measures' results when proposed (and again when recorded): name, latest value, target, status.
    measures = models.JSONField(default=list, blank=True)
    revision = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The record: counts and each objection with its answer, as they stood when the decision was recorded.
    record = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["movement", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["movement"], condition=Q(status="open"), name="proposal_one_open_per_movement"
            ),
            models.CheckConstraint(
                condition=(Q(decision="extend") & Q(new_end__isnull=False))
                | (~Q(decision="extend") & Q(new_end__isnull=True)),
                name="proposal_extend_has_a_new_end",
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="proposal_has_a_rationale"),
            models.CheckConstraint(
                condition=Q(status="recorded", recorded_at__isnull=False)
                | (~Q(status="recorded") & Q(recorded_at__isnull=True)),
                name="proposal_recorded_has_a_time",
            ),
        ]


class ResponseKind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    ABSTAIN = "abstain", _("Abstain")
    OBJECT = "object", _("Object")


class ProposalResponse(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("your response"), max_length=8, choices=ResponseKind.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    answer = models.TextField(_("answer"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["responded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="proposal_response_once"),
            models.CheckConstraint(condition=~Q(kind="object") | ~Q(reason=""), name="objection_has_a_reason"),
            models.CheckConstraint(condition=Q(kind="object") | Q(answer=""), name="only_objections_are_answered"),
        ]

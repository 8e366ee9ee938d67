"""Leadership's support for a movement: sponsors (asked by the leads), requests for help, the official sanction.

A sponsor is not a lead: nothing here changes a movement's roles, stage or decisions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SponsorshipStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked")
    ACCEPTED = "accepted", _("Sponsor")
    DECLINED = "declined", _("Declined")


class SponsorshipQuerySet(models.QuerySet):
    def accepted(self) -> SponsorshipQuerySet:
        """The movement's sponsors now."""
        return self.filter(status=SponsorshipStatus.ACCEPTED)

    def open_or_accepted(self) -> SponsorshipQuerySet:
        """What a new request would duplicate: one still waiting for an answer, or a sponsor already."""
        return self.filter(status__in=[SponsorshipStatus.REQUESTED, SponsorshipStatus.ACCEPTED])


class Sponsorship(models.Model):
    """A lead asked a person to sponsor a movement; the person accepts (with an endorsement line) or declines."""

    movement = models.ForeignKey("movements.Movement", on_delete=models.CASCADE, related_name="sponsorships")
    sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sponsorships")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("asked by")
    )
    request_note = models.TextField(_("why you ask them"), blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=SponsorshipStatus.choices, default=SponsorshipStatus.REQUESTED)
    # On acceptance: the endorsement line the movement page shows; on a decline: an optional note to the leads.
    answer_note = models.CharField(_("note"), blank=True, max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = SponsorshipQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at", "created_at", "pk"]
        constraints = [
            # A request waiting for an answer, or an accepted sponsorship, exists once per person and movement.
            models.UniqueConstraint(
                fields=["movement", "sponsor"],
                condition=Q(status__in=["requested", "accepted"]),
                name="sponsorship_once_per_person",
            ),
        ]
        indexes = [models.Index(fields=["sponsor", "status"], name="sponsorship_sponsor_status")]

    def __str__(self) -> str:
        return f"{self.sponsor_id} sponsors {self.movement_id} ({self.status})"


class SupportKind(models.TextChoices):
    TIME = "time", _("Time")
    BUDGET = "budget", _("Budget")
    DECISION = "decision", _("A decision")
    BLOCKER = "blocker", _("Removing a blocker")


class SupportStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    GRANTED = "granted", _("Granted")
    NOT_NOW = "not_now", _("Not now")
    DECLINED = "declined", _("Declined")


class SupportRequest(models.Model):
    """The leads ask the sponsors for help: what is needed, by when, why; a sponsor answers with a note."""

    movement = models.ForeignKey("movements.Movement", on_delete=models.CASCADE, related_name="support_requests")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("what is needed"), max_length=16, choices=SupportKind.choices)
    what = models.CharField(_("in one line"), max_length=200)
    needed_by = models.DateField(_("needed by"))
    why = models.TextField(_("why"), max_length=2000)
    status = models.CharField(max_length=16, choices=SupportStatus.choices, default=SupportStatus.OPEN)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answer_note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", answered_at__isnull=True) | (~Q(status="open") & ~Q(answer_note="")),
                name="support_answer_has_a_note",
            ),
        ]
        indexes = [models.Index(fields=["movement", "-created_at"], name="support_movement_newest")]

    def __str__(self) -> str:
        return self.what


class Sanction(models.Model):
    """A sponsor marks the movement "officially sanctioned" (the permission to officially explore).

    Withdrawing keeps the row; a movement has at most one sanction in force."""

    movement = models.ForeignKey("movements.Movement", on_delete=models.CASCADE, related_name="sanctions")
    sanctioned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sanctioned_on = models.DateField(_("sanctioned on"), default=timezone.localdate)
    note = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    withdraw_note = models.TextField(_("why it is withdrawn"), blank=True, max_length=2000)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["movement"], condition=Q(withdrawn_at__isnull=True), name="sanction_one_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"sanction of {self.movement_id} on {self.sanctioned_on}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


def sanctioned_now() -> models.Exists:
    """The "officially sanctioned" rule, for a Movement query: a sanction in force."""
    return models.Exists(Sanction.objects.filter(movement=models.OuterRef("pk"), withdrawn_at__isnull=True))

"""Who watches what: a feedback post or a movement.

A row with `watching=False` is a person who stopped: the automatic watch (voting, commenting, joining)
never turns it back on; only the person's own "Watch" button does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WatchQuerySet(models.QuerySet):
    def active(self) -> WatchQuerySet:
        return self.filter(watching=True, person__is_active=True)

    def of_item(self, item) -> WatchQuerySet:
        return self.filter(**item_filter(item))


def item_filter(item) -> dict:
    """{"feedback": post} or {"movement": movement}: the one item a watch is about."""
    if item._meta.label == "feedback.Feedback":
        return {"feedback_id": item.pk}
    if item._meta.label == "movements.Movement":
        return {"movement_id": item.pk}
    raise TypeError(f"cannot watch {item!r}")


class Watch(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    feedback = models.ForeignKey(
        "feedback.Feedback", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    movement = models.ForeignKey(
        "movements.Movement", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    watching = models.BooleanField(_("watching"), default=True)
    # True when an action started it (posting, voting, commenting, joining), False when the person pressed Watch.
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = WatchQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(feedback__isnull=True) & Q(movement__isnull=False))
                | (Q(feedback__isnull=False) & Q(movement__isnull=True)),
                name="watch_one_item",
            ),
            models.UniqueConstraint(
                fields=["person", "feedback"], condition=Q(feedback__isnull=False), name="watch_feedback_once"
            ),
            models.UniqueConstraint(
                fields=["person", "movement"], condition=Q(movement__isnull=False), name="watch_movement_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["feedback"], condition=Q(watching=True, feedback__isnull=False), name="watch_feedback"
            ),
            models.Index(
                fields=["movement"], condition=Q(watching=True, movement__isnull=False), name="watch_movement"
            ),
        ]

    def __str__(self) -> str:
        item = f"f{self.feedback_id}" if self.feedback_id else f"m{self.movement_id}"
        return f"{self.person_id} {'watches' if self.watching else 'stopped watching'} {item}"


class ReplyQuerySet(models.QuerySet):
    def shown_to(self, person) -> ReplyQuerySet:
        """Replies on updates of movements the person can see; hidden ones only for moderators."""
        from movements.models import Movement

        qs = self.filter(update__movement__in=Movement.objects.visible_to(person))
        return qs if person.is_authenticated and person.can_moderate else qs.filter(hidden_at__isnull=True)


class Reply(models.Model):
    """A comment on a movement update: by name, plain text with @mentions, like a comment on feedback."""

    update = models.ForeignKey("movements.Update", on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="update_replies")
    body = models.TextField(_("reply"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "replies"
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="reply_not_empty")]
        indexes = [models.Index(fields=["update", "created_at"], name="reply_update_time")]

    def __str__(self) -> str:
        return f"reply {self.pk} on update {self.update_id}"

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Verb(models.TextChoices):
    JOINED = "joined", _("joined")
    LEFT = "left", _("left")
    CLAIMED_ROLE = "claimed_role", _("claimed a role")
    RELEASED_ROLE = "released_role", _("released a role")
    INVITED = "invited", _("invited")
    ACCEPTED_INVITATION = "accepted_invitation", _("accepted an invitation")
    POSTED_UPDATE = "posted_update", _("posted an update")
    REPLIED = "replied", _("replied to an update")
    WELCOMED = "welcomed", _("welcomed new followers")
    STARTED_MOVEMENT = "started_movement", _("started a movement")
    EDITED_MOVEMENT = "edited_movement", _("edited a movement")
    EDITED_ROLES = "edited_roles", _("edited roles")
    POSTED_FEEDBACK = "posted_feedback", _("posted feedback")
    VOTED = "voted", _("voted")
    COMMENTED = "commented", _("commented")
    ANSWERED_FEEDBACK = "answered_feedback", _("answered feedback")
    CHANGED_STAGE = "changed_stage", _("changed the stage")
    RECORDED_DECISION = "recorded_decision", _("recorded a decision")
    BECAME_LEAD = "became_lead", _("became lead")
    STEPPED_DOWN = "stepped_down", _("stepped down")
    MODERATED = "moderated", _("moderated")
    REPORTED = "reported", _("reported")
    # Editing what one wrote (feedback/services.py, movements/services.py).
    FEEDBACK_EDITED = "feedback_edited", _("edited a feedback post")
    FEEDBACK_WITHDRAWN = "feedback_withdrawn", _("withdrew a feedback post")
    UPDATE_EDITED = "update_edited", _("edited an update")
    COMMENT_EDITED = "comment_edited", _("edited a comment")
    # An invitation sent again, or taken back, by its inviter (movements/services.py).
    RESENT_INVITATION = "resent_invitation", _("sent an invitation again")
    CANCELLED_INVITATION = "cancelled_invitation", _("cancelled an invitation")
    # A duplicate post merged into another, and taken back (feedback/merging.py).
    MERGED_FEEDBACK = "merged_feedback", _("merged a duplicate post")
    UNMERGED_FEEDBACK = "unmerged_feedback", _("undid a merge")
    # Topics under a moderator's control (feedback/topics.py).
    PROPOSED_TOPIC = "proposed_topic", _("proposed a topic")
    APPROVED_TOPIC = "approved_topic", _("approved a topic")
    RENAMED_TOPIC = "renamed_topic", _("renamed a topic")
    MERGED_TOPIC = "merged_topic", _("merged a topic into another")
    RETIRED_TOPIC = "retired_topic", _("retired a topic")
    SUPERSEDED_MOVEMENT = "superseded_movement", _("dropped a movement for a better one")
    # Sponsors and support (sponsors/services.py).
    ASKED_SPONSOR = "asked_sponsor", _("asked someone to sponsor")
    ANSWERED_SPONSORSHIP = "answered_sponsorship", _("answered a sponsor request")
    ASKED_SUPPORT = "asked_support", _("asked the sponsors for help")
    ANSWERED_SUPPORT = "answered_support", _("answered a request for help")
    SANCTIONED = "sanctioned", _("officially sanctioned")
    WITHDREW_SANCTION = "withdrew_sanction", _("withdrew the official sanction")
    # Pilots: measures, pulses and shared decisions (pilots/services.py).
    DEFINED_MEASURE = "defined_measure", _("defined a pilot measure")
    RECORDED_MEASURE = "recorded_measure", _("recorded a measure's value")
    OPENED_PULSE = "opened_pulse", _("opened a pulse")  # no actor: the beat opens it
    PROPOSED_DECISION = "proposed_decision", _("proposed a pilot decision")
    RESPONDED_TO_PROPOSAL = "responded_to_proposal", _("responded to a proposal")
    ANSWERED_OBJECTION = "answered_objection", _("answered an objection")
    WITHDREW_PROPOSAL = "withdrew_proposal", _("withdrew a proposal")
    # Events about a person's account: no actor (the audit log keeps who), the person as subject.
    DEACTIVATED = "deactivated", _("was deactivated")
    ERASED = "erased", _("was erased")


class Activity(models.Model):
    """Append-only log of what people do, and the event channel's carrier (activity/events.py).

    Anonymous feedback writes a row with no actor."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    verb = models.CharField(max_length=32, choices=Verb.choices)
    movement = models.ForeignKey(
        "movements.Movement", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    feedback = models.ForeignKey(
        "feedback.Feedback", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    # The other person an action is about (the invitee, the new co-lead, the welcomed follower).
    subject_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What subscribers need beyond the columns (ids, a status change); never a name or an address.
    payload = models.JSONField(default=dict, db_default=models.Value({}, output_field=models.JSONField()), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "activities"
        indexes = [
            # actor included: the movement page's ownership figure counts a popular movement's 28 days
            # (thousands of rows) from the index alone, 2 ms instead of 17 ms at the large scale.
            models.Index(fields=["movement", "created_at"], include=["actor"], name="activity_movement_time"),
            models.Index(fields=["actor", "created_at"], name="activity_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id or 'anonymous'} {self.verb} @ {self.created_at:%Y-%m-%d}"

"""The nudges' side of the event channel (activity/events.py): outbox rows written in the event's
transaction, so a nudge exists exactly when the change does (never lost when the broker is down,
never sent for a change that rolled back); the rows reach the workers after commit (nudges_write
schedules the hand-over with transaction.on_commit, and the beat relay catches what it misses).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from activity.events import ANY_VERB, subscribe
from activity.models import Activity, Verb
from conversation.models import Watch
from feedback.models import FeedbackMerge, Report, StatusChange, Vote
from movements.models import Invitation, Membership, Movement
from people.models import User
from sponsors.models import Sponsorship, SupportRequest

from .models import Kind, Nudge
from .services import Draft, nudges_mark_acted_on, nudges_write


@subscribe(ANY_VERB)
def mark_acted_on(event: Activity) -> None:
    """The actor did something a nudge may have suggested. Anonymous events have no actor: nothing to mark."""
    if event.actor_id is None:
        return
    # A role a lead assigned was still taken up by its holder (the nudge asked the holder to take one).
    person = event.subject_person if event.verb == Verb.CLAIMED_ROLE and event.subject_person_id else event.actor
    nudges_mark_acted_on(person=person, verb=event.verb, movement=event.movement)


@subscribe(Verb.JOINED)
def welcome_first_followers(event: Activity) -> None:
    """A first follower joined: welcome them, and ask the leads to welcome them in public."""
    membership = Membership.objects.get(pk=event.payload["membership_id"])
    if not membership.is_first_follower or membership.left_at is not None:
        return
    movement_id, person_id = membership.movement_id, membership.person_id
    drafts = [
        Draft(
            Kind.FIRST_FOLLOWER_WELCOME,
            person_id,
            f"first_follower_welcome:m{movement_id}:u{person_id}",
            movement_id=movement_id,
        )
    ]
    lead_ids = (
        Membership.objects.active_leads()
        .filter(movement_id=movement_id)
        .exclude(person_id=person_id)
        .values_list("person_id", flat=True)
    )
    due = membership.joined_at + dt.timedelta(hours=settings.NUDGES_WELCOME_YOUR_FOLLOWER_AFTER_HOURS)
    drafts += [
        Draft(
            Kind.WELCOME_YOUR_FOLLOWER,
            lead_id,
            f"welcome_your_follower:m{movement_id}:f{person_id}:u{lead_id}",
            movement_id=movement_id,
            subject_person_id=person_id,
            due_at=due,
        )
        for lead_id in lead_ids
    ]
    nudges_write(drafts=drafts)


@subscribe(Verb.INVITED, Verb.RESENT_INVITATION)
def tell_the_invitee(event: Activity) -> None:
    """A member invited a colleague (only colleagues with an account can be nudged here)."""
    invitation = Invitation.objects.get(pk=event.payload["invitation_id"])
    invitee_id = invitation.invitee_id
    if invitee_id is None and invitation.email:
        invitee_id = User.objects.filter(email__iexact=invitation.email).values_list("pk", flat=True).first()
    if invitee_id == invitation.inviter_id:
        return
    # A second sending (resend) gets its own key: each sending is delivered exactly once.
    key = f"invitation:i{invitation.pk}" + (":resent" if event.verb == Verb.RESENT_INVITATION else "")
    context = {"invitation_id": invitation.pk, "note": (invitation.note or "")[:500]}
    if invitee_id is None:
        if invitation.email:  # no account yet: one email to the address, with a link to sign in or sign up
            draft = Draft(
                Kind.INVITATION_EMAIL,
                None,
                key,
                movement_id=invitation.movement_id,
                subject_person_id=invitation.inviter_id,
                context=context,
                to_address=invitation.email,
            )
            nudges_write(drafts=[draft])
        return
    nudges_write(
        drafts=[
            Draft(
                Kind.INVITATION,
                invitee_id,
                key,
                movement_id=invitation.movement_id,
                subject_person_id=invitation.inviter_id,
                context=context,
            )
        ]
    )


@subscribe(Verb.ANSWERED_FEEDBACK)
def tell_author_and_voters(event: Activity) -> None:
    """A champion or moderator changed a post's status with an official response: tell the named author and voters."""
    status_change = StatusChange.objects.select_related("feedback").get(pk=event.payload["status_change_id"])
    feedback = status_change.feedback
    recipients = set(Vote.objects.filter(feedback=feedback).values_list("person_id", flat=True))
    if feedback.author_id and not feedback.is_anonymous:
        recipients.add(feedback.author_id)
    recipients.discard(status_change.answered_by_id)
    context = {
        "status_change_id": status_change.pk,
        "status_label": str(status_change.get_to_status_display()),
        "response": status_change.response[:1000],
    }
    nudges_write(
        drafts=[
            Draft(
                Kind.FEEDBACK_ANSWERED,
                person_id,
                f"feedback_answered:s{status_change.pk}:u{person_id}",
                feedback_id=feedback.pk,
                movement_id=feedback.movement_id,
                context=context,
            )
            for person_id in sorted(recipients)
        ]
    )


@subscribe(Verb.MERGED_FEEDBACK)
def tell_authors_and_voters_of_a_merge(event: Activity) -> None:
    """A duplicate went into another post: its named author, the target's named author, the duplicate's voters
    (now counted on the target) and the people watching the duplicate are told where the conversation
    continues. An anonymous post has no author to tell; delivery checks each can see the target."""
    merge = FeedbackMerge.objects.select_related("source", "target").get(pk=event.payload["merge_id"])
    recipients = set(merge.dropped_voter_ids) | set(
        Vote.objects.filter(pk__in=merge.moved_vote_ids).values_list("person_id", flat=True)
    )
    recipients |= set(Watch.objects.filter(feedback_id=merge.source_id).active().values_list("person_id", flat=True))
    for post in (merge.source, merge.target):
        if post.author_id and not post.is_anonymous:
            recipients.add(post.author_id)
    recipients.discard(merge.merged_by_id)
    nudges_write(
        drafts=[
            Draft(
                Kind.FEEDBACK_MERGED,
                person_id,
                f"feedback_merged:m{merge.pk}:u{person_id}",
                feedback_id=merge.target_id,
                movement_id=merge.target.movement_id,
                context={"source_title": merge.source.title[:200]},
            )
            for person_id in sorted(recipients)
        ]
    )


@subscribe(Verb.LEFT, Verb.STEPPED_DOWN)
def ask_members_to_lead_after_a_lead_went(event: Activity) -> None:
    if event.verb == Verb.LEFT and not event.payload.get("was_lead"):
        return
    if Movement.objects.filter(pk=event.movement_id).needing_a_lead().exists():
        _ask_members_to_lead(event.movement_id)


@subscribe(Verb.DEACTIVATED)
def ask_members_to_lead_after_a_leaver(event: Activity) -> None:
    """A person left the company: the movements they were the last active lead of need a lead."""
    led = Membership.objects.active_leads().filter(person_id=event.subject_person_id).values("movement_id")
    for movement_id in Movement.objects.filter(pk__in=led).needing_a_lead().values_list("pk", flat=True):
        _ask_members_to_lead(movement_id)


@subscribe(Verb.ERASED)
def forget_the_erased_persons_notifications(event: Activity) -> None:
    Nudge.objects.filter(recipient_id=event.subject_person_id).delete()


@subscribe(Verb.ASKED_SPONSOR)
def tell_the_person_asked_to_sponsor(event: Activity) -> None:
    """A lead asked someone to sponsor the movement: the nudge carries the pitch and the figures (messages.py)."""
    sponsorship = Sponsorship.objects.get(pk=event.payload["sponsorship_id"])
    nudges_write(
        drafts=[
            Draft(
                Kind.SPONSOR_REQUEST,
                sponsorship.sponsor_id,
                f"sponsor_request:s{sponsorship.pk}",
                movement_id=sponsorship.movement_id,
                subject_person_id=sponsorship.requested_by_id,
                context={"sponsorship_id": sponsorship.pk, "note": sponsorship.request_note[:500]},
            )
        ]
    )


@subscribe(Verb.ASKED_SUPPORT)
def tell_the_sponsors_about_a_request_for_help(event: Activity) -> None:
    support = SupportRequest.objects.get(pk=event.payload["support_request_id"])
    sponsor_ids = (
        Sponsorship.objects.accepted()
        .filter(movement_id=support.movement_id, sponsor__is_active=True)
        .exclude(sponsor_id=support.asked_by_id)
        .values_list("sponsor_id", flat=True)
    )
    context = {"support_request_id": support.pk, "kind": str(support.get_kind_display()), "what": support.what}
    nudges_write(
        drafts=[
            Draft(
                Kind.SUPPORT_REQUESTED,
                sponsor_id,
                f"support_requested:r{support.pk}:u{sponsor_id}",
                movement_id=support.movement_id,
                subject_person_id=support.asked_by_id,
                context=context,
            )
            for sponsor_id in sponsor_ids
        ]
    )


@subscribe(Verb.REPORTED)
def tell_the_moderators_about_a_report(event: Activity) -> None:
    """A post or comment was reported: every active moderator but the reporter hears of it (preferences and
    the daily cap apply). One nudge per reported item and moderator a day, however many reports pile up.
    The nudge names the post and the reason, never its author (an anonymous post has none stored)."""
    report = Report.objects.select_related("comment").get(pk=event.payload["report_id"])
    feedback_id = report.feedback_id or report.comment.feedback_id
    target = f"c{report.comment_id}" if report.comment_id else f"f{report.feedback_id}"
    day = timezone.now().date().isoformat()
    moderators = (
        User.objects.filter(is_active=True)
        .filter(Q(is_moderator=True) | Q(is_staff=True))
        .exclude(pk=report.reporter_id)
        .values_list("pk", flat=True)
    )
    context = {"report_id": report.pk, "on_comment": report.comment_id is not None, "reason": report.reason[:300]}
    nudges_write(
        drafts=[
            Draft(
                Kind.REPORT_RECEIVED,
                moderator_id,
                f"report_received:{target}:d{day}:u{moderator_id}",
                feedback_id=feedback_id,
                context=context,
            )
            for moderator_id in moderators
        ]
    )


def _ask_members_to_lead(movement_id: int) -> None:
    """The co-lead seat is an open role in all but name, so members get an open-roles nudge now
    (at most one per person and movement per period, like the weekly sweep)."""
    period = timezone.now().date().toordinal() // max(settings.NUDGES_OPEN_ROLES_EVERY_DAYS, 1)
    members = (
        Membership.objects.current()
        .filter(movement_id=movement_id, person__is_active=True)
        .values_list("person_id", flat=True)
    )
    nudges_write(
        drafts=[
            Draft(
                Kind.OPEN_ROLES,
                person_id,
                f"open_roles:m{movement_id}:u{person_id}:p{period}",
                movement_id=movement_id,
                context={"needs_lead": True},
            )
            for person_id in members
        ]
    )

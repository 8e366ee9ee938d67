"""Each kind's rule: the event or the passage of time makes exactly the right nudges for the right people,
and none for people who opted out or already acted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from activity.models import Activity, Verb
from feedback.models import Status, StatusChange
from movements.models import Invitation, Membership, RoleAssignment, Stage, StageChange
from nudges import services
from nudges.models import Kind, NotificationPreference, Nudge
from people.services import person_deactivate
from tests import events
from tests.factories import FeedbackFactory, MovementFactory, RoleFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def join(movement, person, **extra) -> Membership:
    membership = Membership.objects.create(
        movement=movement, person=person, position=Membership.objects.filter(movement=movement).count() + 1, **extra
    )
    events.member_joined(membership=membership)
    return membership


def nudges(kind) -> set[tuple[int, int | None]]:
    return set(Nudge.objects.filter(kind=kind).values_list("recipient_id", "movement_id"))


def test_first_three_followers_get_a_welcome_and_the_fourth_does_not():
    movement = MovementFactory()
    people = UserFactory.create_batch(4)
    for person in people:
        join(movement, person)
    assert nudges(Kind.FIRST_FOLLOWER_WELCOME) == {(p.pk, movement.pk) for p in people[:3]}


def test_welcome_nudge_respects_preferences_and_is_written_once():
    movement = MovementFactory()
    silent, email_off = UserFactory(), UserFactory()
    NotificationPreference.objects.create(person=silent, kind=Kind.FIRST_FOLLOWER_WELCOME, email=False, in_app=False)
    NotificationPreference.objects.create(person=email_off, kind=Kind.FIRST_FOLLOWER_WELCOME, email=False)
    join(movement, silent)
    membership = join(movement, email_off)
    events.member_joined(membership=membership)  # a retried hook writes nothing new

    rows = Nudge.objects.filter(kind=Kind.FIRST_FOLLOWER_WELCOME)
    assert [(n.recipient_id, n.email, n.in_app) for n in rows] == [(email_off.pk, False, True)]


def test_leads_are_asked_to_welcome_a_first_follower_a_day_later_unless_someone_did():
    movement = MovementFactory()
    co_lead = UserFactory()
    Membership.objects.create(movement=movement, person=co_lead, position=2, is_lead=True)
    follower = UserFactory()
    with time_machine.travel(START, tick=False):
        join(movement, follower)
    rows = Nudge.objects.filter(kind=Kind.WELCOME_YOUR_FOLLOWER)
    assert {(n.recipient_id, n.subject_person_id) for n in rows} == {
        (movement.founder_id, follower.pk),
        (co_lead.pk, follower.pk),
    }
    assert {n.due_at for n in rows} == {START + dt.timedelta(hours=24)}

    founder_nudge = rows.get(recipient=movement.founder)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        assert services.nudge_deliver(nudge_id=founder_nudge.pk) == services.Outcome.SKIPPED  # not due yet
    Membership.objects.filter(person=follower).update(welcomed_at=START + dt.timedelta(hours=2))
    with time_machine.travel(START + dt.timedelta(hours=25), tick=False):
        assert services.nudge_deliver(nudge_id=founder_nudge.pk) == services.Outcome.CANCELLED
    founder_nudge.refresh_from_db()
    assert founder_nudge.cancelled_at is not None and founder_nudge.sent_at is None


def test_quiet_first_follower_gets_a_checkin_after_three_days_and_an_active_one_does_not(mailoutbox):
    movement = MovementFactory()
    quiet, busy, late = UserFactory.create_batch(3)
    with time_machine.travel(START, tick=False):
        join(movement, quiet)
        join(movement, busy)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        join(movement, late)
    Activity.objects.create(
        actor=busy, verb=Verb.CLAIMED_ROLE, movement=movement, created_at=START + dt.timedelta(days=1)
    )

    with time_machine.travel(START + dt.timedelta(days=2, hours=23), tick=False):
        services.nudges_sweep_checkins()
    assert nudges(Kind.FIRST_FOLLOWER_CHECKIN) == set()
    with time_machine.travel(START + dt.timedelta(days=3, hours=1), tick=False):
        services.nudges_sweep_checkins()
        services.nudges_sweep_checkins()
    assert nudges(Kind.FIRST_FOLLOWER_CHECKIN) == {(quiet.pk, movement.pk)}
    assert Nudge.objects.filter(kind=Kind.FIRST_FOLLOWER_CHECKIN).count() == 1


def test_founder_alone_for_seven_days_is_asked_to_find_a_first_follower():
    with time_machine.travel(START, tick=False):
        alone = MovementFactory()
        followed = MovementFactory()
    join(followed, UserFactory())
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        services.nudges_sweep_find_first_follower()
    assert nudges(Kind.FIND_FIRST_FOLLOWER) == set()
    with time_machine.travel(START + dt.timedelta(days=7, hours=1), tick=False):
        services.nudges_sweep_find_first_follower()
    assert nudges(Kind.FIND_FIRST_FOLLOWER) == {(alone.founder_id, alone.pk)}


def test_members_without_a_role_hear_about_open_roles_at_most_weekly():
    movement = MovementFactory()
    role = RoleFactory(movement=movement, seats=2)
    without, holder = UserFactory(), UserFactory()
    join(movement, without)
    join(movement, holder)
    RoleAssignment.objects.create(role=role, person=holder)
    full = MovementFactory()
    RoleFactory(movement=full, seats=1, seats_filled=1)
    join(full, UserFactory())

    with time_machine.travel(START, tick=False):
        services.nudges_sweep_open_roles()
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        services.nudges_sweep_open_roles()
    assert Nudge.objects.filter(kind=Kind.OPEN_ROLES).count() == 1
    assert nudges(Kind.OPEN_ROLES) == {
        (without.pk, movement.pk)
    }  # not the founder (a lead), the holder, or the full one
    with time_machine.travel(START + dt.timedelta(days=7, hours=1), tick=False):
        services.nudges_sweep_open_roles()
    assert Nudge.objects.filter(kind=Kind.OPEN_ROLES, recipient=without).count() == 2


def test_leads_of_an_ended_pilot_without_a_decision_are_told_a_decision_is_due():
    ended = MovementFactory(stage=Stage.PILOTING, pilot_start=dt.date(2026, 1, 1), pilot_end=dt.date(2026, 3, 1))
    running = MovementFactory(stage=Stage.PILOTING, pilot_start=dt.date(2026, 1, 1), pilot_end=dt.date(2026, 3, 10))
    decided = MovementFactory(stage=Stage.ADOPTED, pilot_start=dt.date(2026, 1, 1), pilot_end=dt.date(2026, 3, 1))
    co_lead = UserFactory()
    Membership.objects.create(movement=ended, person=co_lead, position=2, is_lead=True)
    with time_machine.travel(START, tick=False):
        services.nudges_sweep_decision_due()
        services.nudges_sweep_decision_due()
    assert nudges(Kind.DECISION_DUE) == {(ended.founder_id, ended.pk), (co_lead.pk, ended.pk)}
    assert not {running.pk, decided.pk} & {m for _, m in nudges(Kind.DECISION_DUE)}

    # Extended with a new end date: a new decision is due only after that date.
    StageChange.objects.create(
        movement=ended,
        from_stage=Stage.PILOTING,
        to_stage=Stage.PILOTING,
        decision="extend",
        rationale="More data.",
        new_pilot_end=dt.date(2026, 4, 1),
    )
    type(ended).objects.filter(pk=ended.pk).update(pilot_end=dt.date(2026, 4, 1))
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        services.nudges_sweep_decision_due()
    assert Nudge.objects.filter(kind=Kind.DECISION_DUE).count() == 2


def test_invitee_with_an_account_gets_an_invitation_nudge_that_email_opt_out_keeps_in_app():
    movement = MovementFactory()
    invitee, outsider_email = UserFactory(), "not-yet@example.com"
    NotificationPreference.objects.create(person=invitee, kind=Kind.INVITATION, email=False, in_app=True)
    invitation = Invitation.objects.create(
        movement=movement, inviter=movement.founder, invitee=invitee, token="t1", note="Join us!"
    )
    by_email = Invitation.objects.create(movement=movement, inviter=movement.founder, email=outsider_email, token="t2")
    events.invitation_created(invitation=invitation)
    events.invitation_created(invitation=by_email)
    nudge = Nudge.objects.get(kind=Kind.INVITATION)
    assert (nudge.recipient, nudge.subject_person, nudge.email, nudge.in_app) == (
        invitee,
        movement.founder,
        False,
        True,
    )
    assert nudge.context["note"] == "Join us!"


def test_feedback_answer_reaches_the_named_author_and_voters_but_not_the_answerer_or_an_anonymous_author():
    author, voter, moderator = UserFactory(), UserFactory(), UserFactory(is_moderator=True)
    named = FeedbackFactory(author=author)
    anonymous = FeedbackFactory(author=None, is_anonymous=True)
    for post in (named, anonymous):
        VoteFactory(feedback=post, person=voter)
        VoteFactory(feedback=post, person=moderator)
        change = StatusChange.objects.create(
            feedback=post,
            from_status=Status.NEW,
            to_status=Status.PLANNED,
            response="We will do it in May.",
            answered_by=moderator,
        )
        events.feedback_answered(status_change=change)
    assert set(Nudge.objects.filter(kind=Kind.FEEDBACK_ANSWERED).values_list("recipient_id", "feedback_id")) == {
        (author.pk, named.pk),
        (voter.pk, named.pk),
        (voter.pk, anonymous.pk),
    }


def test_weekly_digest_reaches_everyone_once_a_week_except_who_opted_out():
    people = UserFactory.create_batch(3)
    opted_out = people[0]
    NotificationPreference.objects.create(person=opted_out, kind=Kind.WEEKLY_DIGEST, email=False, in_app=False)
    UserFactory(is_active=False)
    with time_machine.travel(START, tick=False):
        services.nudges_sweep_weekly_digest()
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        services.nudges_sweep_weekly_digest()
    assert {r for r, _ in nudges(Kind.WEEKLY_DIGEST)} == {p.pk for p in people[1:]}
    with time_machine.travel(START + dt.timedelta(days=7), tick=False):
        services.nudges_sweep_weekly_digest()
    assert Nudge.objects.filter(kind=Kind.WEEKLY_DIGEST).count() == 4


def test_movement_that_needs_a_lead_tells_its_members():
    movement = MovementFactory()
    members = UserFactory.create_batch(2)
    for member in members:
        join(movement, member)
    person_deactivate(person=movement.founder)  # its only lead leaves the company
    assert {p.pk for p in members} <= {r for r, _ in nudges(Kind.OPEN_ROLES)}


def test_acting_within_seven_days_marks_the_sent_nudge_acted_on(mailoutbox):
    movement, other = MovementFactory(), MovementFactory()
    follower = UserFactory()
    with time_machine.travel(START, tick=False):
        join(movement, follower)
        nudge = Nudge.objects.get(kind=Kind.FIRST_FOLLOWER_WELCOME)
        assert services.nudge_deliver(nudge_id=nudge.pk) == services.Outcome.SENT
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        events.person_acted(person=follower, verb=Verb.CLAIMED_ROLE, movement=other)
        events.person_acted(person=follower, verb=Verb.VOTED, movement=movement)
    nudge.refresh_from_db()
    assert nudge.acted_on_at is None
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        events.person_acted(person=follower, verb=Verb.INVITED, movement=movement)
    nudge.refresh_from_db()
    assert nudge.acted_on_at == START + dt.timedelta(days=6)


def test_acting_after_seven_days_does_not_count(mailoutbox):
    movement = MovementFactory()
    follower = UserFactory()
    with time_machine.travel(START, tick=False):
        join(movement, follower)
        services.nudge_deliver(nudge_id=Nudge.objects.get(kind=Kind.FIRST_FOLLOWER_WELCOME).pk)
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        events.person_acted(person=follower, verb=Verb.CLAIMED_ROLE, movement=movement)
    assert Nudge.objects.get(kind=Kind.FIRST_FOLLOWER_WELCOME).acted_on_at is None


def test_daily_email_cap_sends_three_and_the_rest_waits_for_the_next_day(mailoutbox, settings):
    settings.NUDGES_DAILY_EMAIL_CAP = 3
    person = UserFactory()
    movements = MovementFactory.create_batch(4)
    with time_machine.travel(START, tick=False):
        for movement in movements:
            join(movement, person)
        outcomes = [
            services.nudge_deliver(nudge_id=n.pk) for n in Nudge.objects.filter(recipient=person).order_by("pk")
        ]
    assert outcomes == ["sent", "sent", "sent", "deferred"]
    assert len(mailoutbox) == 3
    waiting = Nudge.objects.get(recipient=person, sent_at__isnull=True)
    assert waiting.due_at == dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert services.nudge_deliver(nudge_id=waiting.pk) == "sent"
    assert len(mailoutbox) == 4


def test_a_sent_nudge_is_never_sent_again_by_a_second_delivery(mailoutbox):
    movement = MovementFactory()
    join(movement, UserFactory())
    nudge = Nudge.objects.get(kind=Kind.FIRST_FOLLOWER_WELCOME)
    assert services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    assert services.nudge_deliver(nudge_id=nudge.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_only_a_stale_claim_can_be_taken_over(mailoutbox, settings):
    settings.NUDGES_STUCK_CLAIM_SECONDS = 600
    movement = MovementFactory()
    join(movement, UserFactory())
    nudge = Nudge.objects.get(kind=Kind.FIRST_FOLLOWER_WELCOME)
    Nudge.objects.filter(pk=nudge.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=60))
    assert services.nudge_deliver(nudge_id=nudge.pk) == "skipped"  # another worker is sending it
    Nudge.objects.filter(pk=nudge.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=601))
    assert services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    assert len(mailoutbox) == 1


def test_a_choice_changed_after_the_nudge_was_written_decides_at_delivery(mailoutbox):
    movement = MovementFactory()
    silenced, portal_only = UserFactory(), UserFactory()
    join(movement, silenced)
    join(movement, portal_only)
    NotificationPreference.objects.create(person=silenced, kind=Kind.FIRST_FOLLOWER_WELCOME, email=False, in_app=False)
    NotificationPreference.objects.create(person=portal_only, kind=Kind.FIRST_FOLLOWER_WELCOME, email=False)
    outcomes = {
        n.recipient_id: services.nudge_deliver(nudge_id=n.pk)
        for n in Nudge.objects.filter(kind=Kind.FIRST_FOLLOWER_WELCOME)
    }
    assert outcomes == {silenced.pk: "cancelled", portal_only.pk: "in_app_only"}
    assert mailoutbox == []
    assert list(Nudge.objects.in_app_for(portal_only).values_list("kind", flat=True)) == [Kind.FIRST_FOLLOWER_WELCOME]
    assert not Nudge.objects.in_app_for(silenced).exists()


def test_an_invitation_that_was_answered_before_delivery_is_not_sent(mailoutbox):
    movement = MovementFactory()
    invitee = UserFactory()
    invitation = Invitation.objects.create(movement=movement, inviter=movement.founder, invitee=invitee, token="t3")
    events.invitation_created(invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(status="accepted")
    assert services.nudge_deliver(nudge_id=Nudge.objects.get(kind=Kind.INVITATION).pk) == "cancelled"
    assert mailoutbox == []


def test_the_weekly_digest_email_lists_followed_movements_and_open_roles(mailoutbox):
    person = UserFactory()
    movement = MovementFactory(title="Brown-bag Fridays")
    join(movement, person)
    RoleFactory(movement=movement, name="Note-taker", seats=1)
    services.nudges_sweep_weekly_digest()
    nudge = Nudge.objects.get(kind=Kind.WEEKLY_DIGEST, recipient=person)
    assert services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    (email,) = mailoutbox
    assert "Brown-bag Fridays" in email.body and "Open role: Note-taker in Brown-bag Fridays" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.alternatives[0][1] == "text/html"


def test_open_roles_and_find_a_follower_nudges_are_dropped_when_no_longer_true(mailoutbox):
    with time_machine.travel(START, tick=False):
        alone = MovementFactory()
        busy = MovementFactory()
        role = RoleFactory(movement=busy, seats=1)
        member = UserFactory()
        join(busy, member)
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        services.nudges_sweep_find_first_follower()
        services.nudges_sweep_open_roles()
        join(alone, UserFactory())  # the first follower arrived before the nudge went out
        type(role).objects.filter(pk=role.pk).update(seats_filled=1)  # and the last seat was taken
        outcomes = {
            n.kind: services.nudge_deliver(nudge_id=n.pk)
            for n in Nudge.objects.filter(kind__in=[Kind.FIND_FIRST_FOLLOWER, Kind.OPEN_ROLES])
        }
    assert outcomes == {Kind.FIND_FIRST_FOLLOWER: "cancelled", Kind.OPEN_ROLES: "cancelled"}
    assert mailoutbox == []

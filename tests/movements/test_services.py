from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activity.models import Activity, Verb
from feedback.models import Feedback
from movements import services
from movements.models import (
    Decision,
    Invitation,
    InvitationStatus,
    Membership,
    Movement,
    Role,
    RoleAssignment,
    Stage,
    StageChange,
)
from movements.services import RoleSpec
from tests import events
from tests.factories import FeedbackFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db


def assert_counts_right(movement: Movement) -> None:
    movement.refresh_from_db()
    active_others = movement.memberships.filter(left_at__isnull=True).exclude(person=movement.founder).count()
    assert movement.follower_count == active_others
    for role in movement.roles.all():
        assert role.seats_filled == role.assignments.count() <= role.seats
    assert movement.open_seats == sum(r.seats - r.seats_filled for r in movement.roles.all())


def test_starting_makes_the_founder_member_number_one_and_first_lead(movement, founder):
    membership = Membership.objects.get(movement=movement)
    assert (membership.person, membership.position, membership.is_lead) == (founder, 1, True)
    assert movement.stage == Stage.RECRUITING
    assert list(movement.roles.values_list("name", "seats")) == [("Evangelist", 2), ("Note-taker", 1)]
    assert movement.open_seats == 3 and movement.follower_count == 0
    assert StageChange.objects.filter(movement=movement, to_stage=Stage.RECRUITING, changed_by=founder).count() == 1
    assert Activity.objects.filter(movement=movement, actor=founder, verb=Verb.STARTED_MOVEMENT).count() == 1


def test_start_refuses_an_empty_title_and_changes_nothing(founder):
    with pytest.raises(ValidationError):
        services.movement_start(founder=founder, title="   ", pitch="Why")
    assert Movement.objects.count() == 0


def test_start_refuses_duplicate_role_names_and_zero_seats(founder):
    with pytest.raises(ValidationError, match="already a role"):
        services.movement_start(
            founder=founder, title="T", pitch="P", roles=[RoleSpec("Trainer", 1), RoleSpec("trainer", 2)]
        )
    with pytest.raises(ValidationError, match="at least one seat"):
        services.movement_start(founder=founder, title="T", pitch="P", roles=[RoleSpec("Trainer", 0)])
    assert Movement.objects.count() == 0 and Role.objects.count() == 0


def test_start_gives_each_movement_its_own_slug_and_avoids_reserved_words(start_movement):
    first, second, reserved = start_movement(title="Same"), start_movement(title="Same"), start_movement(title="New")
    assert (first.slug, second.slug, reserved.slug) == ("same", "same-2", "new-movement")


def test_start_from_feedback_links_the_post_and_invites_its_voters(start_movement, founder):
    post = FeedbackFactory(title="Meetings without agenda")
    voters = [VoteFactory(feedback=post).person for _ in range(3)]
    VoteFactory(feedback=post, person=founder)
    movement = start_movement(from_feedback=post, invite_voters=True)
    post.refresh_from_db()
    assert post.resulting_movement == movement
    invited = set(Invitation.objects.filter(movement=movement).values_list("invitee", flat=True))
    assert invited == {v.pk for v in voters}


def test_join_order_is_sequential_and_the_second_member_is_a_first_follower(movement, join):
    memberships = [join() for _ in range(5)]
    assert [m.position for m in memberships] == [2, 3, 4, 5, 6]
    assert [m.is_first_follower for m in memberships] == [True, True, True, False, False]
    assert Activity.objects.filter(movement=movement, verb=Verb.JOINED).count() == 5
    assert_counts_right(movement)


def test_joining_twice_is_refused(movement, join, member):
    with pytest.raises(ValidationError, match="already follow"):
        join(member)
    assert Membership.objects.filter(movement=movement, person=member).count() == 1


def test_leaving_keeps_the_row_frees_seats_and_rejoining_keeps_the_place(movement, member):
    role = movement.roles.get(name="Evangelist")
    services.role_claim(role=role, person=member)
    services.membership_leave(movement=movement, person=member)
    membership = Membership.objects.get(movement=movement, person=member)
    assert membership.left_at is not None and membership.position == 2
    assert not RoleAssignment.objects.filter(person=member).exists()
    assert_counts_right(movement)
    again = services.membership_join(movement=movement, person=member)
    assert again.position == 2 and again.left_at is None
    assert_counts_right(movement)


def test_the_last_lead_must_hand_over_before_leaving(movement, founder, member):
    with pytest.raises(ValidationError, match="last lead"):
        services.membership_leave(movement=movement, person=founder)
    assert Membership.objects.get(movement=movement, person=founder).left_at is None
    services.lead_add(
        movement=movement, actor=founder, membership=Membership.objects.get(person=member, movement=movement)
    )
    services.membership_leave(movement=movement, person=founder)
    assert list(Membership.objects.filter(movement=movement, is_lead=True).values_list("person", flat=True)) == [
        member.pk
    ]
    assert_counts_right(movement)


def test_stepping_down_keeps_at_least_one_lead(movement, founder, member):
    with pytest.raises(ValidationError, match="last lead"):
        services.lead_step_down(movement=movement, person=founder)
    services.lead_add(
        movement=movement, actor=founder, membership=Membership.objects.get(person=member, movement=movement)
    )
    services.lead_step_down(movement=movement, person=founder)
    with pytest.raises(ValidationError, match="last lead"):
        services.lead_step_down(movement=movement, person=member)
    assert Membership.objects.filter(movement=movement, is_lead=True, left_at__isnull=True).count() == 1
    verbs = list(
        Activity.objects.filter(movement=movement, verb__in=[Verb.BECAME_LEAD, Verb.STEPPED_DOWN]).values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == sorted([Verb.BECAME_LEAD, Verb.STEPPED_DOWN])


def test_a_deactivated_co_lead_does_not_count_when_handing_over(movement, founder, member):
    services.lead_add(
        movement=movement, actor=founder, membership=Membership.objects.get(person=member, movement=movement)
    )
    member.is_active = False
    member.save()
    with pytest.raises(ValidationError, match="last lead"):
        services.lead_step_down(movement=movement, person=founder)


def test_only_leads_add_co_leads(movement, member, join):
    other = join()
    with pytest.raises(PermissionDenied):
        services.lead_add(movement=movement, actor=member, membership=other)
    assert not Membership.objects.get(pk=other.pk).is_lead


def test_claiming_takes_a_seat_and_the_last_seat_is_guarded(movement, member, join):
    role = movement.roles.get(name="Note-taker")
    services.role_claim(role=role, person=member)
    with pytest.raises(ValidationError, match="taken"):
        services.role_claim(role=role, person=join().person)
    role.refresh_from_db()
    assert role.seats_filled == 1
    assert Activity.objects.filter(movement=movement, verb=Verb.CLAIMED_ROLE, actor=member).count() == 1
    assert_counts_right(movement)


def test_only_members_claim_seats(movement):
    with pytest.raises(PermissionDenied):
        services.role_claim(role=movement.roles.first(), person=UserFactory())
    assert RoleAssignment.objects.count() == 0


def test_holding_a_role_twice_is_refused(movement, member):
    role = movement.roles.get(name="Evangelist")
    services.role_claim(role=role, person=member)
    with pytest.raises(ValidationError, match="already holds"):
        services.role_claim(role=role, person=member)
    assert_counts_right(movement)


def test_a_lead_assigns_and_releases_a_member(movement, founder, member):
    role = movement.roles.get(name="Evangelist")
    services.role_claim(role=role, person=member, assigned_by=founder)
    assert RoleAssignment.objects.get(role=role).assigned_by == founder
    services.role_release(role=role, person=member, actor=founder)
    assert not RoleAssignment.objects.exists()
    assert_counts_right(movement)


def test_a_member_cannot_release_someone_else(movement, founder, member):
    role = movement.roles.get(name="Evangelist")
    services.role_claim(role=role, person=founder)
    with pytest.raises(PermissionDenied):
        services.role_release(role=role, person=founder, actor=member)
    assert RoleAssignment.objects.count() == 1


def test_role_edits_keep_open_seats_right_and_refuse_bad_input(movement, founder, member):
    role = services.role_create(movement=movement, actor=founder, name="Trainer", seats=3)
    assert_counts_right(movement)
    with pytest.raises(ValidationError, match="already a role"):
        services.role_create(movement=movement, actor=founder, name="trainer", seats=1)
    with pytest.raises(ValidationError, match="at least one seat"):
        services.role_update(role=role, actor=founder, name="Trainer", seats=-1)
    services.role_claim(role=role, person=member)
    services.role_claim(role=role, person=founder)
    with pytest.raises(ValidationError, match="free a seat"):
        services.role_update(role=role, actor=founder, name="Trainer", seats=1)
    services.role_update(role=role, actor=founder, name="Trainer", seats=5)
    assert_counts_right(movement)
    services.role_delete(role=role, actor=founder)
    assert_counts_right(movement)
    with pytest.raises(PermissionDenied):
        services.role_create(movement=movement, actor=member, name="Other", seats=1)


def test_an_invitation_accepted_joins_with_recruited_by(movement, member):
    invitee = UserFactory()
    invitation = services.invitation_create(movement=movement, inviter=member, invitee=invitee, note="You'd love it")
    services.invitation_respond(invitation=invitation, person=invitee, accept=True)
    membership = Membership.objects.get(movement=movement, person=invitee)
    assert membership.recruited_by == member and membership.position == 3
    with pytest.raises(ValidationError, match="already been answered"):
        services.invitation_respond(invitation=invitation, person=invitee, accept=False)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED
    assert Activity.objects.filter(verb=Verb.ACCEPTED_INVITATION, actor=invitee).count() == 1


def test_an_invitation_can_be_declined_once(movement, member):
    invitee = UserFactory()
    invitation = services.invitation_create(movement=movement, inviter=member, invitee=invitee)
    services.invitation_respond(invitation=invitation, person=invitee, accept=False)
    with pytest.raises(ValidationError):
        services.invitation_respond(invitation=invitation, person=invitee, accept=True)
    assert not Membership.objects.filter(person=invitee).exists()


def test_invitations_to_people_who_already_follow_are_refused(movement, founder, member):
    with pytest.raises(ValidationError, match="already follows"):
        services.invitation_create(movement=movement, inviter=founder, invitee=member)
    with pytest.raises(ValidationError, match="already follows"):
        services.invitation_create(movement=movement, inviter=founder, email=member.email.upper())
    assert Invitation.objects.count() == 0


def test_an_email_invitation_is_answered_by_whoever_signs_in_with_that_email(movement, founder):
    invitation = services.invitation_create(movement=movement, inviter=founder, email="New.Person@Example.com")
    newcomer = UserFactory(email="new.person@example.com")
    with pytest.raises(PermissionDenied):
        services.invitation_respond(invitation=invitation, person=UserFactory(), accept=True)
    services.invitation_respond(invitation=invitation, person=newcomer, accept=True)
    assert Membership.objects.get(person=newcomer).recruited_by == founder


def test_outsiders_cannot_invite(movement):
    with pytest.raises(PermissionDenied):
        services.invitation_create(movement=movement, inviter=UserFactory(), invitee=UserFactory())
    assert Invitation.objects.count() == 0


def test_a_public_welcome_marks_the_welcomed_memberships(movement, founder, join):
    first, second = join(), join()
    services.welcome_post(movement=movement, author=founder, body="Welcome both!", memberships=[first, second])
    assert all(m.welcomed_at for m in Membership.objects.filter(pk__in=[first.pk, second.pk]))
    assert Activity.objects.filter(verb=Verb.WELCOMED, actor=founder).count() == 1


def test_only_leads_post_welcomes(movement, member, join):
    with pytest.raises(PermissionDenied):
        services.welcome_post(movement=movement, author=member, body="Hi", memberships=[join()])


def pilot(movement, actor, **overrides):
    values = dict(
        hypothesis="If we share, we save time",
        success_measure="Half keep it",
        start=date(2026, 1, 1),
        end=date(2026, 2, 1),
        rationale="Enough people",
    )
    values.update(overrides)
    return services.pilot_start(movement=movement, actor=actor, **values)


def test_stage_transitions_recruiting_piloting_adopted(movement, founder):
    pilot(movement, founder)
    services.decision_record(movement=movement, actor=founder, decision=Decision.ADOPT, rationale="It worked")
    movement.refresh_from_db()
    assert movement.stage == Stage.ADOPTED
    assert list(movement.stage_changes.values_list("to_stage", flat=True)) == [
        Stage.RECRUITING,
        Stage.PILOTING,
        Stage.ADOPTED,
    ]


def test_extending_a_pilot_moves_the_end_and_keeps_piloting(movement, founder):
    pilot(movement, founder)
    services.decision_record(
        movement=movement, actor=founder, decision=Decision.EXTEND, rationale="Need more data", new_end=date(2026, 3, 1)
    )
    movement.refresh_from_db()
    assert (movement.stage, movement.pilot_end) == (Stage.PILOTING, date(2026, 3, 1))
    assert StageChange.objects.filter(
        movement=movement, decision=Decision.EXTEND, new_pilot_end=date(2026, 3, 1)
    ).exists()


def test_refused_transitions_change_nothing(movement, founder, member):
    with pytest.raises(ValidationError, match="only be recorded while"):
        services.decision_record(movement=movement, actor=founder, decision=Decision.ADOPT, rationale="Why not")
    with pytest.raises(ValidationError, match="end before"):
        pilot(movement, founder, end=date(2025, 12, 1))
    with pytest.raises(PermissionDenied):
        pilot(movement, member)
    pilot(movement, founder)
    with pytest.raises(ValidationError, match="rationale"):
        services.decision_record(movement=movement, actor=founder, decision=Decision.RETIRE, rationale="  ")
    services.decision_record(movement=movement, actor=founder, decision=Decision.RETIRE, rationale="Nobody used it")
    with pytest.raises(ValidationError):
        pilot(movement, founder)
    movement.refresh_from_db()
    assert movement.stage == Stage.RETIRED
    assert movement.stage_changes.count() == 3


def test_nudge_hooks_are_called_inside_the_services(movement, founder):
    """The services record the events the nudges subscribe to (JOINED, INVITED, CLAIMED_ROLE), in order."""
    person = UserFactory()
    with events.watching() as seen:
        services.membership_join(movement=movement, person=person)
        invitation = services.invitation_create(movement=movement, inviter=person, invitee=UserFactory())
        services.role_claim(role=movement.roles.first(), person=person)
    calls = []
    for event in seen:
        if event.verb == Verb.JOINED:
            calls.append(("joined", Membership.objects.get(pk=event.payload["membership_id"]).position))
        if event.verb == Verb.INVITED:
            calls.append(("invited", event.payload["invitation_id"]))
        calls.append(("acted", event.verb))
    assert calls == [
        ("joined", 2),
        ("acted", Verb.JOINED),
        ("invited", invitation.pk),
        ("acted", Verb.INVITED),
        ("acted", Verb.CLAIMED_ROLE),
    ]


def test_feedback_start_ignores_voters_when_not_asked(start_movement):
    post = FeedbackFactory()
    VoteFactory(feedback=post)
    start_movement(from_feedback=post, invite_voters=False)
    assert Invitation.objects.count() == 0
    assert Feedback.objects.get(pk=post.pk).resulting_movement is not None


def test_following_directly_while_invited_credits_the_inviter(movement, member):
    invitee = UserFactory()
    invitation = services.invitation_create(movement=movement, inviter=member, invitee=invitee)
    membership = services.membership_join(movement=movement, person=invitee)
    assert membership.recruited_by == member
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED

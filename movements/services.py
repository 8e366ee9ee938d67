"""Every write on movements. Each service is atomic and records one event (activity/events.py) in its
transaction; the nudges, the audit log and the feedback app react to it as subscribers.

Lock order, to stay free of deadlocks: lead memberships, then roles, then the movement row.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb
from people.models import Department, User

from .models import (
    Decision,
    Invitation,
    InvitationStatus,
    Membership,
    Movement,
    Role,
    RoleAssignment,
    Stage,
    StageChange,
    Update,
    UpdateRevision,
)

# Slugs that would shadow the fixed URLs under /movements/.
RESERVED_SLUGS = {"new", "invitations", "similar", "lessons"}


@dataclass(frozen=True)
class RoleSpec:
    name: str
    seats: int
    description: str = ""


# --- helpers -------------------------------------------------------------------------------------


def _record(
    *, actor: User | None, verb: Verb, movement: Movement, subject_person: User | None = None, **payload
) -> None:
    """The service's one event, and the movement's last activity moved with it."""
    now = timezone.now()
    event_record(actor=actor, verb=verb, movement=movement, subject_person=subject_person, payload=payload, at=now)
    Movement.objects.filter(pk=movement.pk).update(last_activity_at=now)


def active_membership(*, movement: Movement, person: User) -> Membership | None:
    if not person.is_authenticated:
        return None
    return Membership.objects.current().filter(movement=movement, person=person).first()


def require_member(*, movement: Movement, person: User) -> Membership:
    membership = active_membership(movement=movement, person=person)
    if membership is None:
        raise PermissionDenied(_("Only members of this movement can do that."))
    return membership


def require_lead(*, movement: Movement, person: User) -> Membership:
    membership = active_membership(movement=movement, person=person)
    if membership is None or not membership.is_lead:
        raise PermissionDenied(_("Only the leads of this movement can do that."))
    return membership


def _unique_slug(title: str) -> str:
    base = slugify(title, allow_unicode=True)[:200] or "movement"
    if base in RESERVED_SLUGS:
        base = f"{base}-movement"
    slug, n = base, 2
    while Movement.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_role_names(specs: list[RoleSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        key = spec.name.strip().casefold()
        if not key:
            raise ValidationError(_("Every role needs a name."), code="role_name")
        if key in seen:
            raise ValidationError(
                _("There is already a role named “%(name)s”.") % {"name": spec.name}, code="duplicate_role"
            )
        if spec.seats < 1:
            raise ValidationError(_("A role needs at least one seat."), code="seats")
        seen.add(key)


# --- starting ------------------------------------------------------------------------------------


@transaction.atomic
def movement_start(
    *,
    founder: User,
    title: str,
    pitch: str,
    problem: str = "",
    use_cases: str = "",
    tool: str = "",
    department: Department | None = None,
    roles: list[RoleSpec] | None = None,
    from_feedback=None,
    invite_voters: bool = False,
    voter_ids: Collection[int] | None = None,
) -> Movement:
    """The founder is member number 1 and the first lead; the suggested roles open at once.

    `from_feedback` is the post it was started from (any object with a pk); with `invite_voters` its
    voters are invited as the first followers (only those in `voter_ids` when it is given).
    """
    title, pitch = title.strip(), pitch.strip()
    if not title:
        raise ValidationError(_("Give the movement a title."), code="title")
    if not pitch:
        raise ValidationError(_("Say why it matters."), code="pitch")
    if department is not None and (not founder.department_id or department.pk not in founder.department.ancestor_ids):
        raise ValidationError(_("You can only limit a movement to your own department."), code="department")
    roles = roles or []
    _check_role_names(roles)
    now = timezone.now()
    movement = Movement.objects.create(
        title=title,
        slug=_unique_slug(title),
        pitch=pitch,
        problem=problem.strip(),
        use_cases=use_cases.strip(),
        tool=tool.strip(),
        founder=founder,
        department=department,
        created_at=now,
        last_activity_at=now,
        open_seats=sum(spec.seats for spec in roles),
    )
    Membership.objects.create(movement=movement, person=founder, position=1, is_lead=True, joined_at=now)
    Role.objects.bulk_create(
        [Role(movement=movement, name=s.name.strip(), description=s.description.strip(), seats=s.seats) for s in roles]
    )
    StageChange.objects.create(
        movement=movement,
        to_stage=Stage.RECRUITING,
        changed_by=founder,
        rationale="",  # the page says "Started the movement." in the reader's language
        created_at=now,
    )
    # Started from a feedback post: the feedback app links the post and invites its voters (a subscriber),
    # all of them or the ones the founder picked (voter_ids).
    origin = {}
    if from_feedback is not None:
        picked = sorted(voter_ids) if voter_ids is not None else None
        origin = {"from_feedback": from_feedback.pk, "invite_voters": invite_voters, "voter_ids": picked}
    _record(actor=founder, verb=Verb.STARTED_MOVEMENT, movement=movement, **origin)
    return movement


@transaction.atomic
def movement_recount(*, movement: Movement) -> Movement:
    """Count again what the services keep in step, after a change made outside them (the Django admin):
    followers, open seats, and a new people_version so nothing cached under the old one is read again."""
    _lock_movement(movement)
    founder_id = Movement.objects.values_list("founder_id", flat=True).get(pk=movement.pk)
    followers = Membership.objects.current().filter(movement=movement).exclude(person_id=founder_id).count()
    free = Role.objects.filter(movement=movement).aggregate(free=Sum(F("seats") - F("seats_filled")))["free"] or 0
    Movement.objects.filter(pk=movement.pk).update(follower_count=followers, open_seats=free)
    movement.refresh_from_db(fields=["follower_count", "open_seats", "people_version"])
    return movement


# --- following -----------------------------------------------------------------------------------


@transaction.atomic
def membership_join(*, movement: Movement, person: User, recruited_by: User | None = None) -> Membership:
    """Join (or re-join) a movement. The movement row is locked so join order has no gaps or duplicates."""
    _lock_movement(movement)
    existing = Membership.objects.filter(movement=movement, person=person).first()
    if existing is not None and existing.left_at is None:
        raise ValidationError(_("You already follow this movement."), code="already_member")
    now = timezone.now()
    if recruited_by is None:
        # Following directly while an invitation waits: the invitation did the recruiting, so credit it.
        invitation = (
            Invitation.objects.select_for_update()
            .filter(movement=movement, invitee=person, status=InvitationStatus.PENDING)
            .select_related("inviter")
            .order_by("created_at", "pk")
            .first()
        )
        if invitation is not None:
            invitation.status, invitation.responded_at = InvitationStatus.ACCEPTED, now
            invitation.save(update_fields=["status", "responded_at"])
            recruited_by = invitation.inviter
    if recruited_by is not None and (recruited_by.pk == person.pk or not recruited_by.is_active):
        recruited_by = None
    if existing is not None:
        # Re-joining keeps the original place in the join order: history is never rewritten.
        existing.left_at, existing.joined_at = None, now
        existing.recruited_by = existing.recruited_by or recruited_by
        existing.save(update_fields=["left_at", "joined_at", "recruited_by"])
        membership = existing
    else:
        last = Membership.objects.filter(movement=movement).aggregate(last=Max("position"))["last"] or 0
        membership = Membership.objects.create(
            movement=movement, person=person, position=last + 1, joined_at=now, recruited_by=recruited_by
        )
    if person.pk != movement.founder_id:
        Movement.objects.filter(pk=movement.pk).update(follower_count=F("follower_count") + 1)
    _record(actor=person, verb=Verb.JOINED, movement=movement, subject_person=recruited_by, membership_id=membership.pk)
    return membership


def _release_all_roles(*, movement: Movement, person: User) -> int:
    released = 0
    for assignment in RoleAssignment.objects.filter(role__movement=movement, person=person).order_by("role_id"):
        Role.objects.filter(pk=assignment.role_id).update(seats_filled=F("seats_filled") - 1)
        assignment.delete()
        released += 1
    if released:
        Movement.objects.filter(pk=movement.pk).update(open_seats=F("open_seats") + released)
    return released


def _lock_movement(movement: Movement) -> None:
    """Every write that changes a movement's counters, seats or leads locks its row first.

    One lock order (movement, then memberships and roles) for all of them: without it a leave (roles
    then movement) and a claim or join (movement then rows) deadlock under load, as the soak test showed.
    The lock is an UPDATE that bumps people_version, so what is cached under the old version (the
    movement page's invitation chain) is never read again once the change commits.
    """
    Movement.objects.filter(pk=movement.pk).update(people_version=F("people_version") + 1)


def _active_leads_for_update(movement: Movement) -> list[Membership]:
    return list(
        Membership.objects.select_for_update()
        .active_leads()
        .filter(movement=movement)
        .select_related("person")
        .order_by("position")
    )


@transaction.atomic
def membership_leave(*, movement: Movement, person: User) -> Membership:
    """Leave: the row (and join order) stays, seats are freed; the last lead must hand over first."""
    _lock_movement(movement)
    leads = _active_leads_for_update(movement)
    membership = Membership.objects.select_for_update().current().filter(movement=movement, person=person).first()
    if membership is None:
        raise ValidationError(_("You do not follow this movement."), code="not_member")
    if membership.is_lead and not [lead for lead in leads if lead.pk != membership.pk and lead.person.is_active]:
        raise ValidationError(
            _("You are the last lead. Make another member co-lead before you leave."), code="last_lead"
        )
    _release_all_roles(movement=movement, person=person)
    was_lead = membership.is_lead
    membership.left_at, membership.is_lead = timezone.now(), False
    membership.save(update_fields=["left_at", "is_lead"])
    if person.pk != movement.founder_id:
        Movement.objects.filter(pk=movement.pk).update(follower_count=F("follower_count") - 1)
    _record(actor=person, verb=Verb.LEFT, movement=movement, was_lead=was_lead)
    return membership


# --- leads ---------------------------------------------------------------------------------------


@transaction.atomic
def lead_add(*, movement: Movement, actor: User, membership: Membership) -> Membership:
    _lock_movement(movement)
    require_lead(movement=movement, person=actor)
    membership = Membership.objects.select_for_update().get(pk=membership.pk, movement=movement)
    if membership.left_at is not None:
        raise ValidationError(_("Only current members can become co-lead."), code="not_member")
    if membership.is_lead:
        raise ValidationError(
            _("%(name)s already leads this movement.") % {"name": membership.person.name}, code="already_lead"
        )
    membership.is_lead = True
    membership.save(update_fields=["is_lead"])
    _record(actor=actor, verb=Verb.BECAME_LEAD, movement=movement, subject_person=membership.person)
    return membership


@transaction.atomic
def lead_step_down(*, movement: Movement, person: User) -> Membership:
    """Hand over: allowed only while another active lead remains, so a movement always keeps one."""
    _lock_movement(movement)
    leads = _active_leads_for_update(movement)
    mine = next((lead for lead in leads if lead.person_id == person.pk), None)
    if mine is None:
        raise PermissionDenied(_("Only the leads of this movement can do that."))
    if not [lead for lead in leads if lead.pk != mine.pk and lead.person.is_active]:
        raise ValidationError(_("You are the last lead. Make another member co-lead first."), code="last_lead")
    mine.is_lead = False
    mine.save(update_fields=["is_lead"])
    _record(actor=person, verb=Verb.STEPPED_DOWN, movement=movement)
    return mine


# --- roles ---------------------------------------------------------------------------------------


def _role_name_taken(*, movement: Movement, name: str, exclude_pk: int | None = None) -> bool:
    qs = Role.objects.filter(movement=movement, name__iexact=name.strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def role_create(*, movement: Movement, actor: User, name: str, seats: int, description: str = "") -> Role:
    _lock_movement(movement)
    require_lead(movement=movement, person=actor)
    _check_role_names([RoleSpec(name=name, seats=seats)])
    if _role_name_taken(movement=movement, name=name):
        raise ValidationError(
            _("There is already a role named “%(name)s”.") % {"name": name.strip()}, code="duplicate_role"
        )
    try:
        with transaction.atomic():
            role = Role.objects.create(
                movement=movement, name=name.strip(), description=description.strip(), seats=seats
            )
    except IntegrityError:
        raise ValidationError(
            _("There is already a role named “%(name)s”.") % {"name": name.strip()}, code="duplicate_role"
        )
    Movement.objects.filter(pk=movement.pk).update(open_seats=F("open_seats") + seats)
    _record(actor=actor, verb=Verb.EDITED_ROLES, movement=movement)
    return role


@transaction.atomic
def role_update(*, role: Role, actor: User, name: str, seats: int, description: str = "") -> Role:
    _lock_movement(role.movement)
    movement = role.movement
    require_lead(movement=movement, person=actor)
    _check_role_names([RoleSpec(name=name, seats=seats)])
    role = Role.objects.select_for_update().get(pk=role.pk)
    if _role_name_taken(movement=movement, name=name, exclude_pk=role.pk):
        raise ValidationError(
            _("There is already a role named “%(name)s”.") % {"name": name.strip()}, code="duplicate_role"
        )
    if seats < role.seats_filled:
        raise ValidationError(
            _("%(count)s people hold this role: free a seat before you lower the seats below that.")
            % {"count": role.seats_filled},
            code="seats_below_filled",
        )
    delta = seats - role.seats
    role.name, role.description, role.seats = name.strip(), description.strip(), seats
    role.save(update_fields=["name", "description", "seats"])
    if delta:
        Movement.objects.filter(pk=movement.pk).update(open_seats=F("open_seats") + delta)
    _record(actor=actor, verb=Verb.EDITED_ROLES, movement=movement)
    return role


@transaction.atomic
def role_delete(*, role: Role, actor: User) -> None:
    _lock_movement(role.movement)
    movement = role.movement
    require_lead(movement=movement, person=actor)
    role = Role.objects.select_for_update().get(pk=role.pk)
    free = role.seats - role.seats_filled
    role.delete()
    Movement.objects.filter(pk=movement.pk).update(open_seats=F("open_seats") - free)
    _record(actor=actor, verb=Verb.EDITED_ROLES, movement=movement)


@transaction.atomic
def role_claim(*, role: Role, person: User, assigned_by: User | None = None) -> RoleAssignment:
    """Take a free seat. The conditional UPDATE is the guard: under concurrent claims PostgreSQL re-checks
    `seats_filled < seats` after each winner commits, and the check constraint role_never_overfilled backs it."""
    _lock_movement(role.movement)
    movement = role.movement
    if assigned_by is not None and assigned_by.pk != person.pk:
        require_lead(movement=movement, person=assigned_by)
        if active_membership(movement=movement, person=person) is None:
            raise ValidationError(_("Only members can take a role."), code="not_member")
    else:
        assigned_by = None
        require_member(movement=movement, person=person)
    if RoleAssignment.objects.filter(role=role, person=person).exists():
        raise ValidationError(_("%(name)s already holds this role.") % {"name": person.name}, code="already_holds")
    taken = Role.objects.filter(pk=role.pk, seats_filled__lt=F("seats")).update(seats_filled=F("seats_filled") + 1)
    if not taken:
        raise ValidationError(_("All seats of “%(role)s” are taken.") % {"role": role.name}, code="role_full")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(role=role, person=person, assigned_by=assigned_by)
    except IntegrityError:
        raise ValidationError(_("%(name)s already holds this role.") % {"name": person.name}, code="already_holds")
    Movement.objects.filter(pk=movement.pk).update(open_seats=F("open_seats") - 1)
    _record(
        actor=assigned_by or person,
        verb=Verb.CLAIMED_ROLE,
        movement=movement,
        subject_person=person if assigned_by else None,
    )
    return assignment


@transaction.atomic
def role_release(*, role: Role, person: User, actor: User) -> None:
    """A holder frees their own seat; a lead can free anyone's."""
    _lock_movement(role.movement)
    movement = role.movement
    if actor.pk != person.pk:
        require_lead(movement=movement, person=actor)
    deleted, _detail = RoleAssignment.objects.filter(role=role, person=person).delete()
    if not deleted:
        raise ValidationError(_("%(name)s does not hold this role.") % {"name": person.name}, code="not_holder")
    Role.objects.filter(pk=role.pk).update(seats_filled=F("seats_filled") - 1)
    Movement.objects.filter(pk=movement.pk).update(open_seats=F("open_seats") + 1)
    _record(
        actor=actor,
        verb=Verb.RELEASED_ROLE,
        movement=movement,
        subject_person=person if actor.pk != person.pk else None,
    )


# --- invitations ---------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, movement: Movement, inviter: User, invitee: User | None = None, email: str = "", note: str = ""
) -> Invitation:
    """Any member invites a colleague from the directory or by email. People who already follow are refused."""
    require_member(movement=movement, person=inviter)
    email = email.strip().lower()
    if invitee is None and not email:
        raise ValidationError(_("Pick a colleague or type an email address."), code="no_recipient")
    if invitee is None:
        invitee = User.objects.filter(email__iexact=email).first()
    if invitee is not None:
        email = ""
        if invitee.pk == inviter.pk:
            raise ValidationError(_("You cannot invite yourself."), code="self")
        if Membership.objects.current().filter(movement=movement, person=invitee).exists():
            raise ValidationError(
                _("%(name)s already follows this movement.") % {"name": invitee.name}, code="already_member"
            )
        if (
            movement.department_id is not None
            and not Movement.objects.visible_to(invitee).filter(pk=movement.pk).exists()
        ):
            raise ValidationError(
                _("%(name)s cannot see this movement: it is limited to a department.") % {"name": invitee.name},
                code="not_visible",
            )
    pending = Invitation.objects.open().filter(movement=movement)
    if pending.filter(invitee=invitee).exists() if invitee else pending.filter(email__iexact=email).exists():
        raise ValidationError(_("There is already an open invitation for this person."), code="already_invited")
    invitation = Invitation.objects.create(
        movement=movement,
        inviter=inviter,
        invitee=invitee,
        email=email,
        note=note.strip(),
        token=secrets.token_urlsafe(32),
    )
    _record(actor=inviter, verb=Verb.INVITED, movement=movement, subject_person=invitee, invitation_id=invitation.pk)
    return invitation


def invitation_is_for(*, invitation: Invitation, person: User) -> bool:
    if invitation.invitee_id:
        return invitation.invitee_id == person.pk
    return bool(invitation.email) and invitation.email.lower() == person.email.lower()


@transaction.atomic
def invitation_respond(*, invitation: Invitation, person: User, accept: bool) -> Invitation:
    """Accept or decline, once. Accepting joins with `recruited_by` set to the inviter."""
    invitation = Invitation.objects.select_for_update().select_related("movement", "inviter").get(pk=invitation.pk)
    if not invitation_is_for(invitation=invitation, person=person):
        raise PermissionDenied(_("This invitation is for someone else."))
    if invitation.status == InvitationStatus.CANCELLED:
        raise ValidationError(
            _("%(name)s cancelled this invitation.") % {"name": invitation.inviter.name}, code="cancelled"
        )
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("This invitation has already been answered."), code="answered")
    if invitation.state == "expired":
        raise ValidationError(
            _("This invitation has expired. Ask %(name)s to send it again, or follow the movement yourself.")
            % {"name": invitation.inviter.name},
            code="expired",
        )
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.invitee = person
    invitation.save(update_fields=["status", "responded_at", "invitee"])
    if accept:
        movement = invitation.movement
        if active_membership(movement=movement, person=person) is None:
            membership_join(movement=movement, person=person, recruited_by=invitation.inviter)
        _record(actor=person, verb=Verb.ACCEPTED_INVITATION, movement=movement, subject_person=invitation.inviter)
    return invitation


# --- updates -------------------------------------------------------------------------------------


@transaction.atomic
def update_post(*, movement: Movement, author: User, body: str) -> Update:
    require_member(movement=movement, person=author)
    body = body.strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    update = Update.objects.create(movement=movement, author=author, body=body)
    _record(actor=author, verb=Verb.POSTED_UPDATE, movement=movement, update_id=update.pk)
    return update


@transaction.atomic
def welcome_post(*, movement: Movement, author: User, body: str, memberships: list[Membership]) -> Update:
    """A lead welcomes new followers in public; their memberships are marked welcomed."""
    _lock_movement(movement)
    require_lead(movement=movement, person=author)
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a few words of welcome."), code="empty")
    if not memberships:
        raise ValidationError(_("Pick at least one follower to welcome."), code="nobody")
    ids = [m.pk for m in memberships]
    valid = Membership.objects.current().filter(pk__in=ids, movement=movement)
    if valid.count() != len(set(ids)):
        raise ValidationError(_("You can only welcome current members."), code="not_member")
    now = timezone.now()
    update = Update.objects.create(movement=movement, author=author, body=body, is_welcome=True, created_at=now)
    update.welcomed.set([m.person_id for m in valid])
    valid.update(welcomed_at=now)
    _record(actor=author, verb=Verb.WELCOMED, movement=movement, update_id=update.pk)
    return update


# --- pilot and decision --------------------------------------------------------------------------

ALLOWED_TRANSITIONS = {
    Stage.RECRUITING: {Stage.PILOTING},
    Stage.PILOTING: {Stage.PILOTING, Stage.ADOPTED, Stage.RETIRED},
    Stage.ADOPTED: set(),
    Stage.RETIRED: set(),
}


def _lock_for_stage_change(*, movement: Movement, actor: User, to_stage: Stage) -> Movement:
    require_lead(movement=movement, person=actor)
    locked = Movement.objects.select_for_update().get(pk=movement.pk)
    if to_stage not in ALLOWED_TRANSITIONS[Stage(locked.stage)]:
        raise ValidationError(
            _("A movement cannot go from %(from)s to %(to)s.")
            % {"from": Stage(locked.stage).label, "to": Stage(to_stage).label},
            code="transition",
        )
    return locked


@transaction.atomic
def pilot_start(
    *, movement: Movement, actor: User, hypothesis: str, success_measure: str, start: date, end: date, rationale: str
) -> Movement:
    """recruiting → piloting, with a hypothesis, a success measure and a time box."""
    movement = _lock_for_stage_change(movement=movement, actor=actor, to_stage=Stage.PILOTING)
    hypothesis, success_measure, rationale = hypothesis.strip(), success_measure.strip(), rationale.strip()
    if not hypothesis or not success_measure:
        raise ValidationError(_("A pilot needs a hypothesis and a success measure."), code="pilot_fields")
    if not rationale:
        raise ValidationError(_("Say why the movement is ready for a pilot."), code="rationale")
    if end < start:
        raise ValidationError(_("The pilot cannot end before it starts."), code="end_before_start")
    from_stage = movement.stage
    movement.stage, movement.hypothesis, movement.success_measure = Stage.PILOTING, hypothesis, success_measure
    movement.pilot_start, movement.pilot_end = start, end
    movement.save(update_fields=["stage", "hypothesis", "success_measure", "pilot_start", "pilot_end"])
    StageChange.objects.create(
        movement=movement, from_stage=from_stage, to_stage=Stage.PILOTING, rationale=rationale, changed_by=actor
    )
    _record(actor=actor, verb=Verb.CHANGED_STAGE, movement=movement)
    return movement


@transaction.atomic
def decision_record(
    *, movement: Movement, actor: User, decision: Decision, rationale: str, new_end: date | None = None
) -> Movement:
    """At the end of a pilot: adopt (→ adopted), extend (new end date) or retire (→ retired), always with a rationale."""
    decision = Decision(decision)
    to_stage = {Decision.ADOPT: Stage.ADOPTED, Decision.EXTEND: Stage.PILOTING, Decision.RETIRE: Stage.RETIRED}[
        decision
    ]
    locked = Movement.objects.filter(pk=movement.pk).values_list("stage", flat=True).first()
    if locked != Stage.PILOTING:
        raise ValidationError(_("A decision can only be recorded while the movement is piloting."), code="transition")
    movement = _lock_for_stage_change(movement=movement, actor=actor, to_stage=to_stage)
    rationale = rationale.strip()
    if not rationale:
        raise ValidationError(_("Write down why: a decision needs a rationale."), code="rationale")
    update_fields = ["stage"]
    if decision == Decision.EXTEND:
        if new_end is None:
            raise ValidationError(_("An extension needs a new end date."), code="new_end")
        if (movement.pilot_start and new_end < movement.pilot_start) or (
            movement.pilot_end and new_end <= movement.pilot_end
        ):
            raise ValidationError(_("The new end date must be after the current end date."), code="end_before_start")
        movement.pilot_end = new_end
        update_fields.append("pilot_end")
    else:
        new_end = None
    from_stage = movement.stage
    movement.stage = to_stage
    movement.save(update_fields=update_fields)
    StageChange.objects.create(
        movement=movement,
        from_stage=from_stage,
        to_stage=to_stage,
        decision=decision,
        new_pilot_end=new_end,
        rationale=rationale,
        changed_by=actor,
    )
    _record(actor=actor, verb=Verb.RECORDED_DECISION, movement=movement)
    return movement


@transaction.atomic
def movement_update(
    *, movement: Movement, actor: User, title: str, pitch: str, problem: str = "", use_cases: str = "", tool: str = ""
) -> Movement:
    """Leads edit the words; the slug stays so links keep working."""
    require_lead(movement=movement, person=actor)
    title, pitch = title.strip(), pitch.strip()
    if not title:
        raise ValidationError(_("Give the movement a title."), code="title")
    if not pitch:
        raise ValidationError(_("Say why it matters."), code="pitch")
    movement = Movement.objects.select_for_update().get(pk=movement.pk)
    movement.title, movement.pitch, movement.problem = title, pitch, problem.strip()
    movement.use_cases, movement.tool = use_cases.strip(), tool.strip()
    movement.save(update_fields=["title", "pitch", "problem", "use_cases", "tool"])
    _record(actor=actor, verb=Verb.EDITED_MOVEMENT, movement=movement)
    return movement


# --- editing an update ---------------------------------------------------------------------------


def update_can_edit(*, update: Update, person: User) -> bool:
    return person.is_authenticated and update.author_id == person.pk


@transaction.atomic
def update_edit(*, update: Update, person: User, body: str) -> Update:
    """The author corrects an update (a welcome too). The text it replaces is kept as a revision, shown to
    everyone who sees the movement; the page marks the update "edited". No change, no revision."""
    update = Update.objects.select_for_update().get(pk=update.pk)
    if not update_can_edit(update=update, person=person):
        raise PermissionDenied(_("Only the author of an update can edit it."))
    body = body.strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if body == update.body:
        return update
    now = timezone.now()
    revision = UpdateRevision.objects.create(
        update=update, body=update.body, written_at=update.edited_at or update.created_at, replaced_at=now
    )
    update.body, update.edited_at = body, now
    update.save(update_fields=["body", "edited_at"])
    event_record(
        actor=person,
        verb=Verb.UPDATE_EDITED,
        movement=update.movement,
        at=now,
        payload={"update_id": update.pk, "revision_id": revision.pk},
    )
    return update


# --- the inviter's own invitations ---------------------------------------------------------------


def _lock_own_invitation(*, invitation: Invitation, person: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.inviter_id != person.pk:
        raise PermissionDenied(_("Only the person who sent an invitation can change it."))
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, person: User) -> Invitation:
    """Send a pending (or expired) invitation once more; the expiry counts again from now. Once only."""
    invitation = _lock_own_invitation(invitation=invitation, person=person)
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("Only an invitation still waiting for an answer can be sent again."), code="answered")
    if invitation.resent_at is not None:
        raise ValidationError(_("This invitation was already sent a second time."), code="resent")
    invitation.resent_at = timezone.now()
    invitation.save(update_fields=["resent_at"])
    _record(
        actor=person,
        verb=Verb.RESENT_INVITATION,
        movement=invitation.movement,
        subject_person=invitation.invitee,
        invitation_id=invitation.pk,
    )
    return invitation


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, person: User) -> Invitation:
    """Take back a pending invitation: its link stops working and an email not yet sent is dropped."""
    invitation = _lock_own_invitation(invitation=invitation, person=person)
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("Only an invitation still waiting for an answer can be cancelled."), code="answered")
    invitation.status = InvitationStatus.CANCELLED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    event_record(
        actor=person,
        verb=Verb.CANCELLED_INVITATION,
        movement=invitation.movement,
        subject_person=invitation.invitee,
        payload={"invitation_id": invitation.pk},
    )
    return invitation

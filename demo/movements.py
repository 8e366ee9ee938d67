"""Demo movements at every stage, with followers, roles, updates and stage history. Idempotent (keyed on slug)."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from activity.models import Activity, Verb
from movements.models import (
    Decision,
    Invitation,
    Membership,
    Movement,
    Role,
    RoleAssignment,
    Stage,
    StageChange,
    Update,
)

MOVEMENTS = [
    {
        "title": "Working out loud on Fridays",
        "pitch": "Share what you are working on every Friday so others can help before it is too late.",
        "problem": "Work stays invisible until it is finished; duplicate efforts are found months later.",
        "use_cases": "A weekly thread per team; a short note in the team channel; a demo slot.",
        "tool": "Team channels",
        "stage": Stage.PILOTING,
        "followers": 14,
        "age_days": 60,
        "past_end": False,
        "roles": [("Evangelist", 2), ("Note-taker", 1), ("Pilot tester", 5)],
    },
    {
        "title": "No-meeting Wednesday mornings",
        "pitch": "Protect one morning a week for focused work across the whole company.",
        "problem": "Calendars are full; deep work happens after hours.",
        "use_cases": "Block 9-12 on Wednesdays; move stand-ups to the afternoon.",
        "tool": "",
        "stage": Stage.ADOPTED,
        "followers": 22,
        "age_days": 200,
        "past_end": False,
        "roles": [("Co-lead", 1), ("Team liaison", 4)],
    },
    {
        "title": "Shared meeting notes in the wiki",
        "pitch": "Notes everyone can find beat notes in someone's inbox.",
        "problem": "Decisions are lost; people ask the same questions twice.",
        "use_cases": "One page per recurring meeting; decisions marked at the top.",
        "tool": "Wiki",
        "stage": Stage.RECRUITING,
        "followers": 2,
        "age_days": 10,
        "past_end": False,
        "roles": [("Trainer", 2), ("Feedback collector", 1)],
    },
    {
        "title": "Async stand-ups",
        "pitch": "Write your stand-up when it suits you; read everyone's in two minutes.",
        "problem": "Time zones make a daily call painful for half the team.",
        "use_cases": "A daily thread with three questions; a weekly live sync.",
        "tool": "Team channels",
        "stage": Stage.PILOTING,
        "followers": 6,
        "age_days": 90,
        "past_end": True,
        "roles": [("Pilot tester", 4), ("Co-lead", 1)],
    },
    {
        "title": "Internal podcast",
        "pitch": "Short audio episodes about how teams work.",
        "problem": "Long emails go unread.",
        "use_cases": "Monthly episode; interviews with teams.",
        "tool": "Podcast",
        "stage": Stage.RETIRED,
        "followers": 4,
        "age_days": 300,
        "past_end": False,
        "roles": [("Evangelist", 1)],
    },
    {
        "title": "Peer thank-you board",
        "pitch": "Say thank you in public so good work gets seen.",
        "problem": "Help across teams goes unnoticed.",
        "use_cases": "A board where anyone posts a thank-you; a monthly round-up.",
        "tool": "",
        "stage": Stage.RECRUITING,
        "followers": 0,
        "age_days": 9,
        "past_end": False,
        "roles": [("Evangelist", 2)],
    },
]


def _slugify(title: str) -> str:

    return slugify(title)[:200]


@transaction.atomic
def seed_movements(*, org: dict, rng: random.Random) -> int:
    """Create the demo movements that do not exist yet; return how many were created."""
    now = timezone.now()
    people = org["people"]
    created = 0
    for index, spec in enumerate(MOVEMENTS):
        slug = _slugify(spec["title"])
        if Movement.objects.filter(slug=slug).exists():
            continue
        founder = org["champion"] if index in (0, 2) else people[(index * 11) % len(people)]
        started = now - timedelta(days=spec["age_days"])
        movement = Movement.objects.create(
            title=spec["title"],
            slug=slug,
            pitch=spec["pitch"],
            problem=spec["problem"],
            use_cases=spec["use_cases"],
            tool=spec["tool"],
            founder=founder,
            stage=spec["stage"],
            created_at=started,
            last_activity_at=started,
        )
        created += 1
        Membership.objects.create(movement=movement, person=founder, position=1, joined_at=started, is_lead=True)
        StageChange.objects.create(
            movement=movement,
            to_stage=Stage.RECRUITING,
            changed_by=founder,
            rationale="",
            created_at=started,
        )
        Activity.objects.create(actor=founder, verb=Verb.STARTED_MOVEMENT, movement=movement, created_at=started)

        candidates = [p for p in people if p != founder]
        if index == 0:
            candidates.remove(org["employee"]) if org["employee"] in candidates else None
        rng.shuffle(candidates)
        members = [founder]
        joined_at = started
        for position, person in enumerate(candidates[: spec["followers"]], start=2):
            joined_at = joined_at + timedelta(hours=rng.randint(4, 72))
            recruiter = members[rng.randrange(len(members))] if position > 2 else founder
            Membership.objects.create(
                movement=movement,
                person=person,
                position=position,
                joined_at=min(joined_at, now),
                recruited_by=recruiter,
                is_lead=(position == 2 and spec["followers"] > 5),
                welcomed_at=min(joined_at, now) if position <= 4 else None,
            )
            Activity.objects.create(actor=person, verb=Verb.JOINED, movement=movement, created_at=min(joined_at, now))
            members.append(person)

        open_seats = 0
        for role_index, (name, seats) in enumerate(spec["roles"]):
            role = Role.objects.create(
                movement=movement, name=name, seats=seats, description=f"Help the movement as {name.lower()}."
            )
            holders = members[1 + role_index : 1 + role_index + min(seats, max(len(members) - 1, 0) // 2)]
            for holder in holders:
                RoleAssignment.objects.create(role=role, person=holder)
                Activity.objects.create(
                    actor=holder,
                    verb=Verb.CLAIMED_ROLE,
                    movement=movement,
                    created_at=now - timedelta(days=rng.randint(0, 20)),
                )
            role.seats_filled = len(holders)
            role.save(update_fields=["seats_filled"])
            open_seats += role.seats - role.seats_filled

        if len(members) > 1:
            update = Update.objects.create(
                movement=movement,
                author=founder,
                is_welcome=True,
                body=f"A warm welcome to {', '.join(m.name for m in members[1:4])}: thank you for joining early!",
                created_at=started + timedelta(days=3),
            )
            update.welcomed.set(members[1:4])
            Activity.objects.create(actor=founder, verb=Verb.WELCOMED, movement=movement, created_at=update.created_at)

        if spec["stage"] in (Stage.PILOTING, Stage.ADOPTED, Stage.RETIRED):
            pilot_start = (started + timedelta(days=14)).date()
            pilot_end = (
                (now - timedelta(days=5)).date()
                if spec["past_end"] or spec["stage"] != Stage.PILOTING
                else (now + timedelta(days=30)).date()
            )
            movement.hypothesis = "If teams try this for six weeks, they will spend less time chasing information."
            movement.success_measure = "Half of the pilot teams say they want to keep it."
            movement.pilot_start, movement.pilot_end = pilot_start, pilot_end
            StageChange.objects.create(
                movement=movement,
                from_stage=Stage.RECRUITING,
                to_stage=Stage.PILOTING,
                changed_by=founder,
                rationale="Enough people to run a fair pilot.",
                created_at=started + timedelta(days=14),
            )
            if spec["stage"] == Stage.ADOPTED:
                StageChange.objects.create(
                    movement=movement,
                    from_stage=Stage.PILOTING,
                    to_stage=Stage.ADOPTED,
                    decision=Decision.ADOPT,
                    changed_by=founder,
                    rationale="Four of five pilot teams kept it after the pilot.",
                    created_at=now - timedelta(days=4),
                )
            if spec["stage"] == Stage.RETIRED:
                StageChange.objects.create(
                    movement=movement,
                    from_stage=Stage.PILOTING,
                    to_stage=Stage.RETIRED,
                    decision=Decision.RETIRE,
                    changed_by=founder,
                    rationale="Few people listened past the first episode; written summaries worked better.",
                    created_at=now - timedelta(days=4),
                )

        movement.follower_count = len(members) - 1
        movement.open_seats = open_seats
        movement.last_activity_at = min(joined_at, now)
        movement.save()
    _seed_invitation(org=org)
    return created


def _seed_invitation(*, org: dict) -> None:
    """The demo employee has one open invitation from the champion, so the accept flow can be tried."""
    movement = Movement.objects.filter(slug=_slugify(MOVEMENTS[0]["title"])).first()
    employee = org["employee"]
    if movement is None or Membership.objects.filter(movement=movement, person=employee).exists():
        return
    if Invitation.objects.filter(movement=movement, invitee=employee).exists():
        return
    Invitation.objects.create(
        movement=movement,
        inviter=org["champion"],
        invitee=employee,
        token=secrets.token_urlsafe(32),
        note="You always share what you learn with the team. Join us on Fridays?",
    )
    Activity.objects.create(actor=org["champion"], verb=Verb.INVITED, movement=movement, subject_person=employee)

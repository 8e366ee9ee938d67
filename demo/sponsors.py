"""Demo sponsors: the admin (the executive the department heads report to) sponsors the champion's pilot,
granted one request for help and sanctioned it; a second request waits. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from activity.models import Activity, Verb
from movements.models import Movement
from sponsors.models import Sanction, Sponsorship, SponsorshipStatus, SupportKind, SupportRequest, SupportStatus

from .movements import MOVEMENTS, _slugify


def seed_sponsors(*, org: dict) -> int:
    """Returns how many sponsorships were created (0 when the demo already has them)."""
    movement = Movement.objects.filter(slug=_slugify(MOVEMENTS[0]["title"])).first()
    admin, champion = org["admin"], org["champion"]
    if movement is None or Sponsorship.objects.filter(movement=movement).exists():
        return 0
    now = timezone.now()
    asked, answered = now - timedelta(days=20), now - timedelta(days=19)
    Sponsorship.objects.create(
        movement=movement,
        sponsor=admin,
        requested_by=champion,
        request_note="You asked us to share more of what we learn.",
        status=SponsorshipStatus.ACCEPTED,
        answer_note="Sharing work early saves us weeks of rework.",
        created_at=asked,
        answered_at=answered,
    )
    granted = SupportRequest.objects.create(
        movement=movement,
        asked_by=champion,
        kind=SupportKind.TIME,
        what="One Friday hour a week for the pilot teams",
        needed_by=(now + timedelta(days=7)).date(),
        why="Without a protected hour the demos slip behind delivery work.",
        status=SupportStatus.GRANTED,
        answered_by=admin,
        answer_note="Granted until the pilot ends.",
        created_at=now - timedelta(days=15),
        answered_at=now - timedelta(days=14),
    )
    SupportRequest.objects.create(
        movement=movement,
        asked_by=champion,
        kind=SupportKind.BLOCKER,
        what="Allow screen recording on team laptops",
        needed_by=(now + timedelta(days=21)).date(),
        why="Short recorded demos reach the colleagues who cannot attend on Fridays.",
        created_at=now - timedelta(days=2),
    )
    Sanction.objects.create(
        movement=movement,
        sanctioned_by=admin,
        sanctioned_on=(now - timedelta(days=14)).date(),
        note="The Friday hour is part of the working week while the pilot runs.",
        created_at=now - timedelta(days=14),
    )
    for actor, verb, at in (
        (champion, Verb.ASKED_SPONSOR, asked),
        (admin, Verb.ANSWERED_SPONSORSHIP, answered),
        (champion, Verb.ASKED_SUPPORT, granted.created_at),
        (admin, Verb.ANSWERED_SUPPORT, granted.answered_at),
        (admin, Verb.SANCTIONED, now - timedelta(days=14)),
    ):
        Activity.objects.create(actor=actor, verb=verb, movement=movement, created_at=at)
    return 1

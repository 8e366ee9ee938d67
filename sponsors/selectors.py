"""Every read that feeds a sponsors page or the movement page's sponsor column. Each owns its joins, so a
page costs a fixed number of queries whatever the number of sponsors, requests or members."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activity.models import Activity
from movements.models import Membership, Movement
from movements.selectors import OwnershipShare, TippingPoint, ownership_share, tipping_point
from movements.timeline import TimelineEntry
from people.models import User

from .models import Sanction, Sponsorship, SponsorshipStatus, SupportRequest, SupportStatus, sanctioned_now

SUPPORT_SHOWN = 5
TIMELINE_SUPPORT_ROWS = 20


def movement_sponsors(*, movement: Movement, viewer: User, viewer_is_lead: bool) -> dict:
    """The movement page's sponsor column. Queries: sponsorships (+ people), the sanctions (+ who), the latest
    support requests (+ who asked and answered); the last two shared with the timeline on the same page."""
    sponsorships = list(
        Sponsorship.objects.filter(movement=movement)
        .exclude(status=SponsorshipStatus.DECLINED)
        .select_related("sponsor")
        .order_by("answered_at", "created_at", "pk")
    )
    # A sponsor who left the company backs nothing any more; the row stays (and the audit log keeps it).
    sponsors = [s for s in sponsorships if s.status == SponsorshipStatus.ACCEPTED and s.sponsor.is_active]
    viewer_is_sponsor = any(s.sponsor_id == viewer.pk for s in sponsors)
    sanction = next((s for s in _sanctions(movement) if s.withdrawn_at is None), None)
    support = _support_requests(movement)[:SUPPORT_SHOWN]
    return {
        "movement": movement,
        "sponsors": sponsors,
        "waiting": [s for s in sponsorships if s.status == SponsorshipStatus.REQUESTED] if viewer_is_lead else [],
        "viewer_request": next(
            (s for s in sponsorships if s.status == SponsorshipStatus.REQUESTED and s.sponsor_id == viewer.pk), None
        ),
        "viewer_is_sponsor": viewer_is_sponsor,
        "viewer_is_lead": viewer_is_lead,
        "sanction": sanction,
        "support_requests": support,
        # Everyone the column shows differently from other viewers: sponsors and the people asked.
        "asked_ids": {s.sponsor_id for s in sponsorships},
    }


def _support_requests(movement: Movement) -> list[SupportRequest]:
    """The latest requests for help, newest first: read once per page (the movement instance lives for one
    request) by the timeline and the sponsor column, which shows the first few."""
    if "_support_requests" not in movement.__dict__:
        movement.__dict__["_support_requests"] = list(
            SupportRequest.objects.filter(movement=movement)
            .select_related("asked_by", "answered_by")
            .order_by("-created_at", "-pk")[:TIMELINE_SUPPORT_ROWS]
        )
    return movement.__dict__["_support_requests"]


def _sanctions(movement: Movement) -> list[Sanction]:
    """Every sanction given to the movement, oldest first (at most one in force): read once per page, like
    _support_requests."""
    if "_sanctions" not in movement.__dict__:
        movement.__dict__["_sanctions"] = list(
            Sanction.objects.filter(movement=movement).select_related("sanctioned_by", "withdrawn_by").order_by("pk")
        )
    return movement.__dict__["_sanctions"]


def timeline_entries(*, movement: Movement) -> list[TimelineEntry]:
    """Requests for help and their answers, the sanction given and withdrawn, for the movement's timeline.
    Queries: support requests (+ people), sanctions (+ people)."""
    entries: list[TimelineEntry] = []
    for support in _support_requests(movement):
        entries.append(
            TimelineEntry(
                at=support.created_at,
                heading=_("Asked the sponsors for help (%(kind)s): %(what)s")
                % {"kind": support.get_kind_display(), "what": support.what},
                who=support.asked_by.name if support.asked_by_id else "",
                text=support.why,
                until=support.needed_by,
                kind="support",
            )
        )
        if support.status != SupportStatus.OPEN:
            entries.append(
                TimelineEntry(
                    at=support.answered_at,
                    heading=_("Sponsor's answer to “%(what)s”: %(status)s")
                    % {"what": support.what, "status": support.get_status_display()},
                    who=support.answered_by.name if support.answered_by_id else "",
                    text=support.answer_note,
                    kind="support",
                )
            )
    for sanction in _sanctions(movement):
        entries.append(
            TimelineEntry(
                at=sanction.created_at,
                heading=_("Officially sanctioned on %(date)s") % {"date": date_format(sanction.sanctioned_on)},
                who=sanction.sanctioned_by.name if sanction.sanctioned_by_id else "",
                text=sanction.note,
                kind="sanction",
            )
        )
        if sanction.withdrawn_at:
            entries.append(
                TimelineEntry(
                    at=sanction.withdrawn_at,
                    heading=_("Official sanction withdrawn"),
                    who=sanction.withdrawn_by.name if sanction.withdrawn_by_id else "",
                    text=sanction.withdraw_note,
                    kind="sanction",
                )
            )
    return entries


@dataclass(frozen=True)
class MovementFigures:
    """What a person asked to sponsor sees: the pitch and the movement's figures."""

    movement: Movement
    followers: int
    tipping: TippingPoint
    ownership: OwnershipShare


def movement_figures(*, movement: Movement) -> MovementFigures:
    """Queries: the tipping-point memberships, ownership (activity, seats, leads)."""
    return MovementFigures(
        movement=movement,
        followers=movement.follower_count,
        tipping=tipping_point(movement=movement),
        ownership=ownership_share(movement=movement),
    )


def sponsor_candidates(*, movement: Movement, words: str, exclude: User, limit: int = 10) -> list[User]:
    """Active colleagues matching a name or email who can see the movement and were not asked already."""
    words = words.strip()
    if len(words) < 2:
        return []
    asked = Sponsorship.objects.open_or_accepted().filter(movement=movement).values("sponsor_id")
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(display_name__icontains=words) | Q(email__icontains=words))
        .exclude(pk=exclude.pk)
        .exclude(pk__in=asked)
    )
    if movement.department_id:
        people = people.filter(department__path__startswith=movement.department.path)
    return list(people.select_related("department").order_by("display_name", "email")[:limit])


def sponsorship_for_answer(*, person: User, pk: int) -> Sponsorship:
    """A request addressed to this person (else Sponsorship.DoesNotExist), with its movement and who asked."""
    return Sponsorship.objects.select_related("movement", "requested_by").get(
        pk=pk, sponsor=person, movement__in=Movement.objects.visible_to(person)
    )


def support_for_answer(*, person: User, pk: int) -> SupportRequest:
    """A request for help on a movement the person can see (else SupportRequest.DoesNotExist)."""
    return SupportRequest.objects.select_related("movement", "asked_by").get(
        pk=pk, movement__in=Movement.objects.visible_to(person)
    )


def sanctioned(movements: QuerySet[Movement]) -> QuerySet[Movement]:
    """The movement list's "officially sanctioned" filter."""
    return movements.filter(sanctioned_now())


def sponsored_by(*, person: User) -> QuerySet[Sponsorship]:
    """The movements a person sponsors now (+ movements)."""
    return Sponsorship.objects.accepted().filter(sponsor=person).select_related("movement")


def leads_of(*, movement_id: int) -> QuerySet[Membership]:
    return Membership.objects.active_leads().filter(movement_id=movement_id, person__is_active=True)


@dataclass(frozen=True)
class MonthlySummary:
    movement: Movement
    followers: int
    joined_this_month: int
    activity_this_month: int
    open_requests: int
    sanctioned: bool


def monthly_summary(*, movement: Movement, since) -> MonthlySummary:
    """A sponsor's short monthly summary of one movement. Queries: joins, activity, open requests, sanction."""
    return MonthlySummary(
        movement=movement,
        followers=movement.follower_count,
        joined_this_month=Membership.objects.filter(movement=movement, joined_at__gte=since).count(),
        activity_this_month=Activity.objects.filter(movement=movement, created_at__gte=since).count(),
        open_requests=SupportRequest.objects.filter(movement=movement, status=SupportStatus.OPEN).count(),
        sanctioned=Sanction.objects.filter(movement=movement, withdrawn_at__isnull=True).exists(),
    )

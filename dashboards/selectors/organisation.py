"""A manager's "My organisation": how their part of the company takes part. Counts only, never who.

The people: everyone below the manager through `User.manager` (direct and indirect reports, as the
directory import keeps it), active accounts only. The manager is not one of their own people.

What is counted, per person: follows at least one movement now (a current membership), leads one now,
holds a role seat now. Per movement: how many of the people follow it now.

Privacy (dashboards/privacy.py's K): every count of people below K reads "fewer than K", zero
included (zero is a fact about every one of a few people). A sub-manager's page shows their own
subtree, so a figure is also hidden when, for any sub-manager below whose own figure could be shown
(K or more), the difference is below K: the manager's total minus a sub-manager's total would reveal
the few people outside that subtree. Anonymous posts are never read here; no list names who follows.
Leadership and sponsorship are public, so the movements the people lead or sponsor are named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from feedback.models import UNRESOLVED_STATUSES, Feedback, Kind
from movements.models import Membership, Movement
from people.models import User
from sponsors.models import Sponsorship

from ..privacy import K_ANONYMITY, SUPPRESSED

MOVEMENTS_SHOWN = 5
LED_SHOWN = 25
SUGGESTED_POSTS = 3

# Everyone below the manager: a path of the sub-managers between (`above`, the manager excluded), and a guard
# against a loop in the directory's manager links.
_TREE = """
WITH RECURSIVE tree(id, above) AS (
    SELECT u.id, ARRAY[]::bigint[] FROM people_user u WHERE u.manager_id = %s
    UNION ALL
    SELECT u.id, t.above || t.id FROM people_user u JOIN tree t ON u.manager_id = t.id
    WHERE u.id <> %s AND NOT (u.id = ANY(t.above || t.id))
)
"""

_COUNTS = (
    _TREE
    + """
, people AS (
    SELECT t.id, t.above,
           EXISTS (SELECT 1 FROM movements_membership m WHERE m.person_id = t.id AND m.left_at IS NULL) AS follows,
           EXISTS (SELECT 1 FROM movements_membership m
                   WHERE m.person_id = t.id AND m.left_at IS NULL AND m.is_lead) AS leads,
           EXISTS (SELECT 1 FROM movements_roleassignment ra WHERE ra.person_id = t.id) AS holds_role
    FROM tree t JOIN people_user u ON u.id = t.id
    WHERE u.is_active
)
SELECT g.manager_id, count(*), count(*) FILTER (WHERE follows), count(*) FILTER (WHERE leads),
       count(*) FILTER (WHERE holds_role)
FROM people p CROSS JOIN LATERAL unnest(p.above || %s::bigint) AS g(manager_id)
GROUP BY g.manager_id
"""
)

_MOVEMENT_COUNTS = (
    _TREE
    + """
, follows AS (
    SELECT DISTINCT m.movement_id, t.id, t.above
    FROM tree t
    JOIN people_user u ON u.id = t.id AND u.is_active
    JOIN movements_membership m ON m.person_id = t.id AND m.left_at IS NULL
    WHERE m.movement_id IN ({visible})
), top AS (
    SELECT movement_id, count(*) AS n FROM follows GROUP BY movement_id
    HAVING count(*) >= %s ORDER BY n DESC, movement_id LIMIT %s
)
SELECT f.movement_id, mv.title, mv.slug, g.manager_id, count(*)
FROM follows f JOIN top USING (movement_id) JOIN movements_movement mv ON mv.id = f.movement_id
CROSS JOIN LATERAL unnest(f.above || %s::bigint) AS g(manager_id)
GROUP BY f.movement_id, mv.title, mv.slug, g.manager_id
"""
)


def subtree_ids(manager: User) -> RawSQL:
    """Everyone below the manager, as a subquery for `pk__in`/`person_id__in` (never a list of ids in Python)."""
    return RawSQL(_TREE + "SELECT id FROM tree", (manager.pk, manager.pk))


def shown(value: int, below: list[int], *, k: int = K_ANONYMITY):
    """The figure, or SUPPRESSED: below K, or within K of a sub-manager's figure that could be shown."""
    if value < k:
        return SUPPRESSED
    if any(sub >= k and value - sub < k for sub in below):
        return SUPPRESSED
    return value


@dataclass
class OrganisationFigure:
    label: str
    value: object  # an int, or SUPPRESSED

    @property
    def suppressed(self) -> bool:
        return self.value is SUPPRESSED


@dataclass
class LedMovement:
    movement: Movement
    leads: list[User] = field(default_factory=list)
    sponsors: list[User] = field(default_factory=list)


@dataclass
class MyOrganisation:
    manager: User
    has_reports: bool
    headcount: object = SUPPRESSED
    figures: list[OrganisationFigure] = field(default_factory=list)
    most_followed: list[tuple[Movement, int]] = field(default_factory=list)
    led: list[LedMovement] = field(default_factory=list)
    to_sponsor: list[LedMovement] = field(default_factory=list)
    doesnt_posts: list[Feedback] = field(default_factory=list)
    k: int = K_ANONYMITY


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def my_organisation(*, manager: User) -> MyOrganisation:
    """Queries (fixed, whatever the size of the organisation): the counts per subtree; and when there are
    reports: people per movement, those movements, the leads, the sponsors, the manager's own sponsorships,
    What Doesn't posts from the manager's department."""
    rows = {row[0]: row[1:] for row in _fetch(_COUNTS, (manager.pk, manager.pk, manager.pk))}
    mine = rows.pop(manager.pk, None)
    if mine is None:
        return MyOrganisation(manager=manager, has_reports=False)
    subs = list(rows.values())
    headcount, follows, leads, roles = mine
    result = MyOrganisation(
        manager=manager,
        has_reports=True,
        headcount=headcount if headcount >= K_ANONYMITY else SUPPRESSED,
        figures=[
            OrganisationFigure(_("follow at least one movement"), shown(follows, [s[1] for s in subs])),
            OrganisationFigure(_("lead a movement"), shown(leads, [s[2] for s in subs])),
            OrganisationFigure(_("hold a role in a movement"), shown(roles, [s[3] for s in subs])),
        ],
    )
    visible = Movement.objects.visible_to(manager)
    result.most_followed = _most_followed(manager, visible)
    result.led, result.to_sponsor = _led_and_sponsored(manager, visible)
    result.doesnt_posts = _doesnt_posts(manager)
    return result


def _most_followed(manager: User, visible) -> list[tuple[Movement, int]]:
    visible_sql, visible_params = visible.values("pk").query.sql_with_params()
    params = (manager.pk, manager.pk, *visible_params, K_ANONYMITY, MOVEMENTS_SHOWN * 2, manager.pk)
    per_movement: dict[int, dict[int, int]] = {}
    movements: dict[int, Movement] = {}
    for movement_id, title, slug, manager_id, count in _fetch(_MOVEMENT_COUNTS.format(visible=visible_sql), params):
        per_movement.setdefault(movement_id, {})[manager_id] = count
        movements[movement_id] = Movement(pk=movement_id, title=title, slug=slug)
    figures = []
    for movement_id, counts in per_movement.items():
        total = counts.pop(manager.pk, 0)
        value = shown(total, list(counts.values()))
        if value is not SUPPRESSED:
            figures.append((movements[movement_id], value))
    figures.sort(key=lambda pair: (-pair[1], pair[0].pk))
    return figures[:MOVEMENTS_SHOWN]


def _led_and_sponsored(manager: User, visible) -> tuple[list[LedMovement], list[LedMovement]]:
    """Movements the people lead or sponsor (public facts), and those the manager could offer to sponsor."""
    people = subtree_ids(manager)
    by_movement: dict[int, LedMovement] = {}
    leads = (
        Membership.objects.active_leads()
        .filter(person_id__in=people, person__is_active=True, movement__in=visible)
        .select_related("movement", "person")
        .order_by("-movement__last_activity_at", "movement_id", "position")[:LED_SHOWN]
    )
    for membership in leads:
        row = by_movement.setdefault(membership.movement_id, LedMovement(membership.movement))
        row.leads.append(membership.person)
    sponsorships = (
        Sponsorship.objects.accepted()
        .filter(sponsor_id__in=people, sponsor__is_active=True, movement__in=visible)
        .select_related("movement", "sponsor")
        .order_by("-movement__last_activity_at", "movement_id", "pk")[:LED_SHOWN]
    )
    for sponsorship in sponsorships:
        row = by_movement.setdefault(sponsorship.movement_id, LedMovement(sponsorship.movement))
        row.sponsors.append(sponsorship.sponsor)
    already = set(Sponsorship.objects.open_or_accepted().filter(sponsor=manager).values_list("movement_id", flat=True))
    led = list(by_movement.values())
    to_sponsor = [row for row in led if row.leads and row.movement.pk not in already][:3]
    return led, to_sponsor


def _doesnt_posts(manager: User) -> list[Feedback]:
    """Unresolved What Doesn't posts by named colleagues of the manager's department (and below), most "me too"
    first: something the manager can answer. Anonymous posts are never read here."""
    if not manager.department_id or manager.department is None:
        return []
    return list(
        Feedback.objects.visible_to(manager)
        .filter(
            Q(kind=Kind.DOESNT, status__in=UNRESOLVED_STATUSES, is_anonymous=False),
            author__department__path__startswith=manager.department.path,
        )
        .order_by("-vote_count", "-created_at")[:SUGGESTED_POSTS]
    )

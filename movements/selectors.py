"""Every read that feeds a movements page, and the figures the Dashboards issue reuses
(ownership_share, tipping_point, movement_needs_lead). Each selector owns its joins, so a page
costs a fixed number of queries whatever the number of members."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Window
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.models import Activity
from people.models import Department, User
from socialbiz import html, statements, versions
from socialbiz.paging import PageNavigation

from . import filters, timeline
from .models import (
    Invitation,
    InvitationStatus,
    Membership,
    Movement,
    Role,
    RoleAssignment,
    Stage,
    StageChange,
    Update,
    following_now,
)

PER_PAGE = 12
SORTS = {
    "newest": ("-created_at", "-pk"),
    "followers": ("-follower_count", "-created_at", "-pk"),
    "activity": ("-last_activity_at", "-pk"),
}
SORT_LABELS = {"newest": _("Newest"), "followers": _("Most followers"), "activity": _("Most recent activity")}

# --- Ownership: the rules, written down once (the page's help text quotes them) ---------------------
OWNERSHIP_WINDOW_DAYS = 28
# A movement is a "shared project" when, over the last 28 days, people other than the founder did at
# least half of its activity AND hold at least half of its filled role seats (when any seat is filled).
# Anything else, including a movement with no activity at all in the window, is a "solo project".
SHARED_MIN_OTHERS_ACTIVITY_SHARE = 0.5
SHARED_MIN_OTHERS_SEAT_SHARE = 0.5
OWNERSHIP_RULE_TEXT = _(
    "Shared project: over the last 28 days, people other than the founder did at least half of the "
    "movement's activity and hold at least half of its filled role seats. Otherwise: solo project."
)
SOLO, SHARED = "solo", "shared"


def movement_needs_lead(*, movement: Movement) -> bool:
    return Movement.objects.filter(pk=movement.pk).needing_a_lead().exists()


# --- Browse --------------------------------------------------------------------------------------


FACE_FIELDS = ("display_name", "email", "avatar_version", "is_active")


def _faces_prefetch() -> Prefetch:
    """The founder and the first followers (join order 1 .. 1+N), shown as initials on each card, and the
    active leads (for "needs a lead"): one query for the page's movements."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(
            Q(position__lte=1 + settings.FIRST_FOLLOWERS_COUNT) | (Q(is_lead=True) & following_now())
            # People in a second query by primary key: joined here, PostgreSQL misjudged how few rows match
            # (popular movements have thousands of members) and hashed all 20,000 people (15 ms).
        )
        # Only what a card shows of a person (the page goes to the cache: no password hash).
        .prefetch_related(Prefetch("person", queryset=User.objects.only(*FACE_FIELDS)))
        .order_by("position"),
        to_attr="faces_and_leads",
    )


def _split_faces(movements: list[Movement]) -> list[Movement]:
    """Set `faces` and `needs_lead` from the one prefetch (same rule as MovementQuerySet.with_needs_lead, for a page only:
    a per-row EXISTS over all movements made PostgreSQL hash every lead of the organisation)."""
    limit = 1 + settings.FIRST_FOLLOWERS_COUNT
    for movement in movements:
        rows = movement.faces_and_leads
        movement.faces = [m for m in rows if m.position <= limit]
        movement.needs_lead = not any(m.is_lead and m.left_at is None and m.person.is_active for m in rows)
    return movements


@dataclass
class BrowsePage(PageNavigation):
    """One page of the browse list with plain values (so it can be cached), read by the template as a Page."""

    object_list: list[Movement]
    number: int
    num_pages: int
    count: int


@dataclass
class BrowseResult:
    page: BrowsePage
    department_options: str  # the departments' <option>s, indented by depth, none selected
    tools: list[str]


def department_options() -> str:
    """Every department as an <option>, indented by its depth, in tree order (one pass in Python: hundreds)."""
    return html.options(
        (
            (pk, "— " * path.strip("/").count("/") + name)
            for pk, name, path in Department.objects.order_by("path").values_list("pk", "name", "path")
        ),
        None,
    )


def viewer_scope(user: User) -> tuple:
    """What decides which movements a person may see (Movement.objects.visible_to): staff see all."""
    return ("all",) if user.is_staff else tuple(user.department.ancestor_ids if user.department_id else ())


def movement_browse(
    *,
    user: User,
    words: str = "",
    stage: str = "",
    department_id: int | None = None,
    tool: str = "",
    flags: list[str] = (),
    sort: str = "newest",
    page_number: int | str = 1,
    per_page: int = PER_PAGE,
) -> BrowseResult:
    """Queries: the content versions; then, cached under them, the count, the page of movements, their
    faces and active leads (+ people) (`movement_pages`: any write to movements, memberships or what a card
    shows of a person; not with another app's yes/no filter), the departments' options (`departments`) and
    the tools (`movement_tools`)."""
    visible = Movement.objects.visible_to(user)

    def browse_page() -> BrowsePage:
        movements = movements_filtered(
            user=user, words=words, stage=stage, department_id=department_id, tool=tool, flags=flags
        )
        movements = movements.select_related("department").prefetch_related(_faces_prefetch())
        movements = movements.order_by(*SORTS.get(sort, SORTS["newest"]))
        page = Paginator(movements, per_page).get_page(page_number)
        return BrowsePage(
            object_list=_split_faces(list(page.object_list)),
            number=page.number,
            num_pages=page.paginator.num_pages,
            count=page.paginator.count,
        )

    versions_now = versions.read("departments", "movement_tools", "movement_pages")
    key = ("browse", viewer_scope(user), words, stage, department_id, tool, sort, str(page_number), per_page)
    tools_key = ("movement_tools", viewer_scope(user))
    # The three cached parts in one cache round trip.
    versions.prefetch(
        versions_now,
        [
            *([] if flags else [("movement_pages", key)]),
            ("departments", ("movement_department_options",)),
            ("movement_tools", tools_key),
        ],
    )
    if flags:  # other apps' yes/no filters read their own tables: not covered by the version
        page = browse_page()
    else:
        page = versions.cached(versions_now, "movement_pages", key, browse_page)
    options = versions.cached(versions_now, "departments", ("movement_department_options",), department_options)
    tools = versions.cached(
        versions_now,
        "movement_tools",
        tools_key,
        lambda: list(visible.exclude(tool="").order_by("tool").values_list("tool", flat=True).distinct()),
    )
    return BrowseResult(page=page, department_options=options, tools=tools)


def movements_filtered(
    *,
    user: User,
    words: str = "",
    stage: str = "",
    department_id: int | None = None,
    tool: str = "",
    flags: list[str] = (),
) -> QuerySet[Movement]:
    """The browse filters (the page's and the API's): movements the person may see matching them, unordered."""
    movements = Movement.objects.visible_to(user)
    for word in words.split()[:8]:
        movements = movements.filter(
            Q(title__icontains=word)
            | Q(pitch__icontains=word)
            | Q(problem__icontains=word)
            | Q(use_cases__icontains=word)
            | Q(tool__icontains=word)
        )
    if stage in Stage.values:
        movements = movements.filter(stage=stage)
    if department_id:
        department = Department.objects.filter(pk=department_id).only("path").first()
        movements = movements.filter(department__path__startswith=department.path) if department else movements.none()
    if tool:
        movements = movements.filter(tool__iexact=tool)
    for name in flags:
        if flag := filters.get(name):
            movements = flag.narrow(movements)
    return movements


# --- Ownership and tipping point -----------------------------------------------------------------


@dataclass(frozen=True)
class OwnershipShare:
    window_days: int
    activity_total: int
    activity_by_others: int
    seats_filled: int
    seats_by_others: int
    active_leads: int

    @property
    def others_activity_share(self) -> float | None:
        return self.activity_by_others / self.activity_total if self.activity_total else None

    @property
    def others_seat_share(self) -> float | None:
        return self.seats_by_others / self.seats_filled if self.seats_filled else None

    @property
    def label(self) -> str:
        activity = self.others_activity_share
        if activity is None or activity < SHARED_MIN_OTHERS_ACTIVITY_SHARE:
            return SOLO
        seats = self.others_seat_share
        if seats is not None and seats < SHARED_MIN_OTHERS_SEAT_SHARE:
            return SOLO
        return SHARED

    @property
    def is_shared(self) -> bool:
        return self.label == SHARED


def ownership_share(
    *,
    movement: Movement,
    now: datetime | None = None,
    window_days: int = OWNERSHIP_WINDOW_DAYS,
    active_leads: int | None = None,
    seats: tuple[int, int] | None = None,
) -> OwnershipShare:
    """Queries: activity in the window split by founder/others, filled seats split the same way (unless the
    caller has them: (filled, held by others)), and the active leads (unless the caller already has them)."""
    now = now or timezone.now()
    founder_id = movement.founder_id
    activity = Activity.objects.filter(
        movement=movement, actor__isnull=False, created_at__gt=now - timedelta(days=window_days), created_at__lte=now
    ).aggregate(total=Count("actor_id"), others=Count("actor_id", filter=~Q(actor_id=founder_id)))  # index-only
    if seats is None:
        split = RoleAssignment.objects.filter(role__movement=movement).aggregate(
            total=Count("pk"),
            others=Count("pk", filter=~Q(person_id=founder_id)),
        )
        seats = (split["total"], split["others"])
    leads = (
        active_leads
        if active_leads is not None
        else Membership.objects.active_leads().filter(movement=movement, person__is_active=True).count()
    )
    return OwnershipShare(
        window_days=window_days,
        activity_total=activity["total"],
        activity_by_others=activity["others"],
        seats_filled=seats[0],
        seats_by_others=seats[1],
        active_leads=leads,
    )


@dataclass(frozen=True)
class TippingPoint:
    started_at: datetime
    first_follower_after: timedelta | None
    third_follower_after: timedelta | None


def tipping_point(*, movement: Movement, memberships: list[Membership] | None = None) -> TippingPoint:
    """Time from the start to the first follower (join order 2) and to the third (join order 4).
    Counts people who later left: the movement did reach that point."""
    if memberships is None:
        memberships = list(
            Membership.objects.filter(movement=movement, position__in=(2, 4)).only("position", "joined_at")
        )
    by_position = {m.position: m.joined_at for m in memberships}

    def after(position: int) -> timedelta | None:
        joined = by_position.get(position)
        return max(joined - movement.created_at, timedelta(0)) if joined else None

    return TippingPoint(started_at=movement.created_at, first_follower_after=after(2), third_follower_after=after(4))


# --- The movement page ---------------------------------------------------------------------------


@dataclass
class ChainNode:
    membership: Membership
    children: list[ChainNode] = field(default_factory=list)
    more: int = 0  # recruits not shown (beyond CHAIN_PER_NODE or below CHAIN_DEPTH)


# The page shows a bounded chain whatever the movement's size: each person's first recruits (in join
# order) down to a fixed depth, and "+N more" for the rest. The full list is on the members page.
CHAIN_DEPTH = 3
CHAIN_PER_NODE = 5
MEMBERS_SHOWN = 48
MEMBERS_PER_PAGE = 100
CHAIN_CACHE_SECONDS = 24 * 3600


_CHAIN_SQL = """
WITH RECURSIVE linked AS (
    -- the parent: the recruiter if they are a listed member, else the founder when orphans_to_founder
    -- (the founder and, when the founder is not listed, the orphans are roots: parent NULL)
    SELECT m.id, m.person_id, m.position,
           CASE WHEN m.position = 1 THEN NULL
                WHEN r.person_id IS NOT NULL AND r.person_id <> m.person_id THEN r.person_id
                WHEN %(orphans_to_founder)s THEN (
                    SELECT f.person_id FROM movements_membership f
                    WHERE f.movement_id = %(movement)s AND f.position = 1 AND (%(include_left)s OR f.left_at IS NULL))
           END AS parent
    FROM movements_membership m
    LEFT JOIN movements_membership r
           ON r.movement_id = m.movement_id AND r.person_id = m.recruited_by_id AND (%(include_left)s OR r.left_at IS NULL)
    WHERE m.movement_id = %(movement)s AND (%(include_left)s OR m.left_at IS NULL)
), ranked AS (
    SELECT l.*, row_number() OVER (PARTITION BY l.parent ORDER BY l.position) AS rank,
           count(*) OVER (PARTITION BY l.parent) AS siblings
    FROM linked l
), recruits AS (
    SELECT parent, count(*) AS n FROM linked WHERE parent IS NOT NULL GROUP BY parent
), tree AS (
    SELECT id, person_id, parent, 0 AS depth, rank, siblings FROM ranked
    WHERE parent IS NULL AND rank <= %(per_node)s
    UNION ALL
    SELECT r.id, r.person_id, r.parent, t.depth + 1, r.rank, r.siblings
    FROM ranked r JOIN tree t ON r.parent = t.person_id
    WHERE t.depth < %(depth)s AND r.rank <= %(per_node)s
)
SELECT t.id, t.parent, t.depth, t.siblings, coalesce(c.n, 0)
FROM tree t LEFT JOIN recruits c ON c.parent = t.person_id
ORDER BY t.depth, t.rank
"""


def chain_bounded(
    *,
    movement: Movement,
    include_left: bool = False,
    orphans_to_founder: bool = True,
    depth: int = CHAIN_DEPTH,
    per_node: int = CHAIN_PER_NODE,
) -> tuple[list[ChainNode], int]:
    """The invitation chain, cut to `per_node` recruits per person and `depth` levels below the roots:
    (roots, roots not shown). Two queries whatever the size: the tree (recursive SQL), the members (+ people).
    Roots: the founder, and whoever has no parent (everyone without a listed recruiter when
    orphans_to_founder is false, or when the founder has left)."""
    params = {
        "movement": movement.pk,
        "include_left": include_left,
        "orphans_to_founder": orphans_to_founder,
        "depth": depth,
        "per_node": per_node,
    }
    # The tree's shape depends only on the memberships, which change only through services that bump
    # people_version in the same transaction: cached under that version, it is right until the next
    # change. (People's names come fresh from the second query.)
    key = "movements:chain:" + ":".join(str(v) for v in (*params.values(), movement.people_version))
    rows = cache.get(key)
    if rows is None:
        with connection.cursor() as cursor:
            cursor.execute(_CHAIN_SQL, params)
            rows = cursor.fetchall()
        cache.set(key, rows, CHAIN_CACHE_SECONDS)
    by_id = Membership.objects.select_related("person").in_bulk([row[0] for row in rows])
    nodes: dict[int, ChainNode] = {}
    roots: list[ChainNode] = []
    root_total = 0
    for pk, parent, level, siblings, recruits in rows:
        node = ChainNode(membership=by_id[pk])
        shown = per_node if level < depth else 0
        node.more = max(recruits - shown, 0)
        nodes[node.membership.person_id] = node
        if parent is None:
            roots.append(node)
            root_total = siblings
        else:
            nodes[parent].children.append(node)
    return roots, max(root_total - len(roots), 0)


def _movement_for_page_query(user: User) -> QuerySet[Movement]:
    return Movement.objects.visible_to(user).with_needs_lead().select_related("founder", "department")


def movement_for_page(*, user: User, slug: str) -> Movement:
    """The movement, if the person may see it (else Movement.DoesNotExist): one query, compiled once per
    process for each shape of viewer (socialbiz/statements.py): every page of a movement asks it first."""

    def build(viewer: int, slug: str) -> QuerySet[Movement]:
        return _movement_for_page_query(statements.viewer_with_id(user, viewer)).filter(slug=slug)[:1]

    found = statements.run(
        ("movement-for-page", statements.viewer_shape(user)), build, {"viewer": user.pk, "slug": slug}
    )
    if not found:
        raise Movement.DoesNotExist("No movement of that address that this person may see.")
    return found[0]


def _held_roles(memberships: list[Membership], roles: list[Role]) -> dict[int, list[Role]]:
    roles_by_person: dict[int, list[Role]] = {}
    for role in roles:
        for assignment in role.assignments.all():
            roles_by_person.setdefault(assignment.person_id, []).append(role)
    for m in memberships:
        m.held_roles = roles_by_person.get(m.person_id, [])
    return roles_by_person


def active_members(*, movement: Movement) -> QuerySet[Membership]:
    """Active members in join order (+ people): the members table and the members page."""
    return Membership.objects.current().filter(movement=movement).select_related("person").order_by("position")


COLLEAGUES_NAMED = 5


@dataclass(frozen=True)
class DepartmentColleagues:
    """Colleagues in the viewer's department who follow a movement now: how many, and the first few by name."""

    count: int
    named: list[User]

    @property
    def more(self) -> int:
        return self.count - len(self.named)


def department_colleagues(*, movement: Movement, viewer: User) -> DepartmentColleagues | None:
    """People of the viewer's own department (not its sub-departments) who currently follow the movement,
    the viewer left out. Only colleagues still with the company are counted and named (a leaver is shown
    nowhere as following: see the people pages). One query (the count rides along as a window over the first
    names); none, and None, for a viewer without a department. The movement is one the viewer can see
    (the page loaded it through Movement.objects.visible_to), so a department-limited movement tells them
    nothing new: its department's members are the only ones who see it."""
    if not viewer.department_id:
        return None

    def build(movement: int, department: int, viewer: int) -> QuerySet[User]:
        following = Membership.objects.current().filter(movement_id=movement, person=OuterRef("pk"))
        return (
            User.objects.filter(Exists(following), department_id=department, is_active=True)
            .exclude(pk=viewer)
            .annotate(total=Window(Count("pk")))
            .order_by("display_name", "email", "pk")[:COLLEAGUES_NAMED]
        )

    # On every view of every movement page: compiled once per process (socialbiz/statements.py).
    values = {"movement": movement.pk, "department": viewer.department_id, "viewer": viewer.pk}
    named = statements.run(("department-colleagues",), build, values)
    return DepartmentColleagues(count=named[0].total if named else 0, named=named)


def movement_people(*, movement: Movement) -> dict:
    """The page's people: founder and first followers, leads, the first members with their roles, the roles
    with their holders, the chain. Queries: founder and first followers (+ people), active leads (+ people),
    the first members (+ people), roles, role holders (+ people), the chain (tree, cached; members)."""
    first_follower_limit = 1 + settings.FIRST_FOLLOWERS_COUNT
    head = list(
        Membership.objects.filter(movement=movement, position__lte=max(first_follower_limit, 4))
        .select_related("person")
        .order_by("position")
    )
    leads = list(active_members(movement=movement).filter(is_lead=True))
    shown = list(active_members(movement=movement)[:MEMBERS_SHOWN])
    roles = list(
        Role.objects.filter(movement=movement).prefetch_related(
            Prefetch(
                "assignments", queryset=RoleAssignment.objects.select_related("person").order_by("created_at", "pk")
            )
        )
    )
    _held_roles(shown, roles)
    chain, chain_more = chain_bounded(movement=movement)
    return {
        "head": head,
        "core": [m for m in head if m.left_at is None and m.position <= first_follower_limit],
        "leads": leads,
        "memberships": shown,
        "roles": roles,
        "chain": chain,
        "chain_more": chain_more,
    }


def _chain_memberships(nodes: list[ChainNode]):
    for node in nodes:
        yield node.membership
        yield from _chain_memberships(node.children)


PEOPLE_FACTS_SECONDS = CHAIN_CACHE_SECONDS
PEOPLE_FACTS_SHAPE = 2  # in the key: a deploy that changes what the facts hold never reads the old ones


def people_facts(*, movement: Movement) -> tuple[dict, dict | None]:
    """What the page needs to know about its people that changes only with the members, leads, roles or
    seats: every service that changes those bumps people_version in its transaction, so the facts are
    cached under it and never stale. Returns (facts, the people context when it had to be computed).
    People's own names, pictures and accounts are not in here: they change without the movement knowing,
    and `people_shown` reads them fresh (one query)."""
    key = f"movements:people-facts:{PEOPLE_FACTS_SHAPE}:{movement.pk}:{movement.people_version}"
    facts = cache.get(key)
    if facts is not None:
        return facts, None
    people = movement_people(movement=movement)
    founder_id = movement.founder_id
    assignments = [a for role in people["roles"] for a in role.assignments.all()]
    shown = people["head"] + people["leads"] + people["memberships"] + list(_chain_memberships(people["chain"]))
    people["people_shown"] = {m.person for m in shown} | {a.person for a in assignments}
    facts = {
        "person_ids": sorted(person.pk for person in people["people_shown"]),
        "lead_ids": [m.person_id for m in people["leads"]],
        "founder_here": any(m.position == 1 and m.left_at is None for m in people["head"]),
        "members_shown": len(people["memberships"]),
        "joined_at": {m.position: m.joined_at for m in people["head"] if m.position in (2, 4)},
        "seat_holders": sorted({(a.role_id, a.person_id) for a in assignments}),
        "seats_filled": len(assignments),
        "seats_by_others": sum(1 for a in assignments if a.person_id != founder_id),
    }
    cache.set(key, facts, PEOPLE_FACTS_SECONDS)
    return facts, people


PERSON_SHOWN_FIELDS = ("pk", "display_name", "email", "avatar_version", "is_active")


def people_shown(*, person_ids: list[int], loaded: set[User] | None = None) -> list[tuple]:
    """Everything the page shows of these people (name, initials and picture come from these fields, the
    "left the company" badge from is_active), in id order: one query, no model instances (none when the
    people were just `loaded`)."""
    if loaded is not None:
        return sorted(tuple(getattr(person, name) for name in PERSON_SHOWN_FIELDS) for person in loaded)
    return list(User.objects.filter(pk__in=person_ids).order_by("pk").values_list(*PERSON_SHOWN_FIELDS))


def viewer_membership(*, movement: Movement, viewer: User) -> Membership | None:
    """The viewer's current membership (one query, compiled once per process: socialbiz/statements.py; what it
    holds comes with the people's facts)."""

    def build(movement: int, viewer: int) -> QuerySet[Membership]:
        return Membership.objects.current().filter(movement_id=movement, person_id=viewer).order_by("pk")[:1]

    found = statements.run(("viewer-membership",), build, {"movement": movement.pk, "viewer": viewer.pk})
    return found[0] if found else None


def movement_page(*, movement: Movement, viewer: User) -> dict:
    """Everything the movement page shows, bounded whatever the number of members, except its people
    (`movement_people`) and its lower half (`movement_lower`), which the view renders once and keeps in the
    cache. Queries: the viewer's membership and roles, the people shown (names, pictures), followers not yet
    welcomed (count; leads only), ownership (activity: the seats come with the facts), pending invitation
    for the viewer (only when not a member), colleagues of the viewer's department following it (none
    without a department); the people's facts when their version changed."""
    first_follower_limit = 1 + settings.FIRST_FOLLOWERS_COUNT
    facts, people = people_facts(movement=movement)
    membership = viewer_membership(movement=movement, viewer=viewer)
    shown_people = people_shown(person_ids=facts["person_ids"], loaded=people["people_shown"] if people else None)
    active_ids = {row[0] for row in shown_people if row[4]}
    # follower_count (active members other than the founder) is kept right by the services, in the same transaction
    member_total = max(movement.follower_count + facts["founder_here"], facts["members_shown"])
    viewer_is_lead = bool(membership and membership.is_lead)
    # Seats are held by members only (leaving releases them), under the same people_version as the facts.
    viewer_role_ids = {role_id for role_id, person_id in facts["seat_holders"] if person_id == viewer.pk}
    pending_invitation = (
        Invitation.objects.filter(movement=movement, invitee=viewer, status=InvitationStatus.PENDING).first()
        if membership is None
        else None
    )
    tipping_memberships = [Membership(position=p, joined_at=at) for p, at in facts["joined_at"].items()]
    return {
        "movement": movement,
        "people": people,
        "people_shows": (
            movement.pk,
            movement.slug,
            movement.people_version,
            member_total,
            first_follower_limit,
            tuple(shown_people),
            membership is not None,
            viewer_is_lead,
            tuple(sorted(viewer_role_ids)),
        ),
        "member_total": member_total,
        "members_more": max(member_total - facts["members_shown"], 0),
        "lead_count": len(facts["lead_ids"]),
        "viewer_membership": membership,
        "viewer_is_lead": viewer_is_lead,
        "viewer_role_ids": viewer_role_ids,
        "unwelcomed_count": (
            Membership.objects.current().filter(movement=movement, position__gt=1, welcomed_at__isnull=True).count()
            if viewer_is_lead
            else 0
        ),
        "ownership": ownership_share(
            movement=movement,
            active_leads=sum(1 for pk in facts["lead_ids"] if pk in active_ids),
            seats=(facts["seats_filled"], facts["seats_by_others"]),
        ),
        "ownership_rule": OWNERSHIP_RULE_TEXT,
        "tipping": tipping_point(movement=movement, memberships=tipping_memberships),
        "pending_invitation": pending_invitation,
        "first_follower_limit": first_follower_limit,
        "decision_due": decision_due(movement=movement),
        "colleagues": department_colleagues(movement=movement, viewer=viewer),
    }


def movement_lower(*, movement: Movement) -> dict:
    """What the lower half of the page shows that is the same for every viewer (the view keeps it rendered
    under the movement's content version: movements/page_parts.py). Queries: the latest updates (+ authors,
    + welcomed), stage changes (+ who), what other apps add to the timeline."""
    updates = list(
        Update.objects.filter(movement=movement)
        .select_related("author")
        .prefetch_related("welcomed")
        .order_by("-created_at")[:10]
    )
    stage_changes = list(StageChange.objects.filter(movement=movement).select_related("changed_by"))
    return {"updates": updates, "timeline": _timeline(stage_changes, timeline.entries_for(movement=movement))}


def _timeline(stage_changes: list[StageChange], entries: list[timeline.TimelineEntry]) -> list[dict]:
    """Stage changes and what other apps add (support asked and answered, the sanction), oldest first."""
    rows = [{"at": c.created_at, "change": c} for c in stage_changes] + [{"at": e.at, "entry": e} for e in entries]
    return sorted(rows, key=lambda row: row["at"])


def members_page(*, movement: Movement, viewer: User, page_number: int | str = 1) -> dict:
    """One page of the active members. Queries: count, the page (+ people), roles, role holders (+ people),
    the viewer's membership."""
    page = Paginator(active_members(movement=movement), MEMBERS_PER_PAGE).get_page(page_number)
    members = list(page.object_list)
    roles = list(Role.objects.filter(movement=movement).prefetch_related("assignments"))
    _held_roles(members, roles)
    viewer_membership = Membership.objects.current().filter(movement=movement, person=viewer).first()
    return {
        "movement": movement,
        "page": page,
        "memberships": members,
        "viewer_membership": viewer_membership,
        "viewer_is_lead": bool(viewer_membership and viewer_membership.is_lead),
        "first_follower_limit": 1 + settings.FIRST_FOLLOWERS_COUNT,
    }


def decision_due(*, movement: Movement, today=None) -> bool:
    """The pilot's end has passed and no decision was recorded (the movement is still piloting)."""
    today = today or timezone.localdate()
    return movement.stage == Stage.PILOTING and movement.pilot_end is not None and movement.pilot_end < today


def directory_search(*, movement: Movement, words: str, limit: int = 10) -> list[User]:
    """Colleagues matching a name (or email), who do not follow yet and can see the movement."""
    words = words.strip()
    if len(words) < 2:
        return []
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(display_name__icontains=words) | Q(email__icontains=words))
        .exclude(Q(memberships__movement=movement) & following_now("memberships__"))
    )
    if movement.department_id:
        people = people.filter(department__path__startswith=movement.department.path)
    return list(people.select_related("department").order_by("display_name", "email")[:limit])


def invitations_for(*, person: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        Q(invitee=person) | Q(invitee__isnull=True, email__iexact=person.email), status=InvitationStatus.PENDING
    ).select_related("movement", "inviter")


INVITATIONS_SHOWN = 5


def pending_invitations(*, person: User) -> list[Invitation]:
    """The first INVITATIONS_SHOWN of `invitations_for(person)`, newest first, as the movement list shows them.

    On every view of the list, and almost always empty: building and compiling the query cost about four times
    running it, so it is compiled once per process (socialbiz/statements.py) and run with the person's id and
    email in the stand-ins' places."""

    def build(person_id: int, email: str) -> QuerySet[Invitation]:
        stand_in = statements.viewer_with_id(person, person_id)
        stand_in.email = email
        return invitations_for(person=stand_in).order_by("-created_at")[:INVITATIONS_SHOWN]

    return statements.run(("pending-invitations",), build, {"person_id": person.pk, "email": person.email})

"""People pages and the directory: what a person carried, in one place, as the viewer may see it.

Here in `portal` because a person's credit reads every app above `people` (movements, roles, sponsorships,
named posts). Every part is limited to movements the viewer can see: a department-limited movement (and the
person's membership, role, sponsorship or post in it) never shows to someone outside that department.
Anonymous posts have no author, so they can never be credited. A fixed number of queries whatever the data
size; no points, no ranking: credit is the movement's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from feedback.models import Feedback
from movements.models import Membership, Movement, RoleAssignment
from people.models import Department, User
from sponsors.models import Sponsorship

POSTS_SHOWN = 20
DIRECTORY_PAGE_SIZE = 50
# What is read of a directory search: a name fits, and a 10,000-character paste costs no more.
SEARCH_CHARS = 100


def person_page(*, person_id: int, viewer: User) -> dict:
    """The person and their credit. Raises User.DoesNotExist for an unknown id."""
    person = User.objects.select_related("department", "manager").get(pk=person_id)
    visible = Movement.objects.visible_to(viewer)
    memberships = list(
        Membership.objects.filter(person=person, movement__in=visible)
        .select_related("movement")
        .order_by("-joined_at", "-pk")
    )
    founded = [m for m in memberships if m.position == 1]
    first_follower_of = [m for m in memberships if m.is_first_follower]
    # What someone does now (leads, follows) is not said of a leaver: their history stays, their page says they left.
    leads = [m for m in memberships if m.is_lead and m.left_at is None] if person.is_active else []
    follows = [m for m in memberships if m.position > 1 and m.left_at is None] if person.is_active else []
    roles = list(
        RoleAssignment.objects.filter(person=person, role__movement__in=visible)
        .select_related("role__movement")
        .order_by("role__movement__title", "role__name")
    )
    sponsorships = list(
        Sponsorship.objects.accepted().filter(sponsor=person, movement__in=visible).select_related("movement")
    )
    posts = (
        Feedback.objects.visible_to(viewer)
        .filter(author=person, is_anonymous=False, hidden_at__isnull=True)
        .select_related("movement")
        .order_by("-created_at", "-pk")
    )
    shown_posts = list(posts[: POSTS_SHOWN + 1])
    reports = list(User.objects.filter(manager=person, is_active=True).select_related("department"))
    if not person.is_active:
        reports = []
    return {
        "person": person,
        "reports": reports,
        "founded": founded,
        "first_follower_of": first_follower_of,
        "leads": leads,
        "follows": follows,
        "roles": roles,
        "sponsorships": sponsorships,
        "posts": shown_posts[:POSTS_SHOWN],
        "more_posts": len(shown_posts) > POSTS_SHOWN,
        "first_followers_count": settings.FIRST_FOLLOWERS_COUNT,
    }


@dataclass
class DirectoryFilters:
    q: str = ""
    department: int | None = None
    tool: str = ""


def clean_search(text: str) -> str:
    return " ".join((text or "").replace("\x00", " ").split())[:SEARCH_CHARS]


def directory(*, viewer: User, filters: DirectoryFilters, page_number) -> dict:
    """Active people by name, department (with sub-departments) and the tools of the movements they follow
    (only movements the viewer can see), 50 a page."""
    people: QuerySet[User] = User.objects.filter(is_active=True).select_related("department")
    if filters.q:
        people = people.filter(Q(display_name__icontains=filters.q) | Q(job_title__icontains=filters.q))
    if filters.department:
        path = Department.objects.filter(pk=filters.department).values_list("path", flat=True).first()
        people = people.filter(department__path__startswith=path) if path else people.none()
    visible = Movement.objects.visible_to(viewer)
    if filters.tool:
        followers = Membership.objects.current().filter(movement__in=visible.filter(tool__iexact=filters.tool))
        people = people.filter(pk__in=followers.values("person_id"))
    page: Page = Paginator(people.order_by("display_name", "email", "pk"), DIRECTORY_PAGE_SIZE).get_page(page_number)
    tools = list(visible.exclude(tool="").order_by("tool").values_list("tool", flat=True).distinct()[:200])
    return {"page": page, "departments": list(Department.objects.all()), "tools": tools}

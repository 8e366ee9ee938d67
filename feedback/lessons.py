"""The lessons library (/movements/lessons/): adopted and retired movements, so the next champion starts from what
was learned. Here in `feedback` because each lesson shows its What Works / What Doesn't beside the movement's
hypothesis, measure and decision. Only movements the viewer can see; a fixed number of queries per page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from movements.models import Decision, Movement, Stage, StageChange
from people.models import Department

from .models import Feedback, Kind

OUTCOMES = (Stage.ADOPTED, Stage.RETIRED)
PAGE_SIZE = 10
POSTS_PER_KIND = 3
SEARCH_CHARS = 200
SEARCH_WORDS = 8


@dataclass
class LessonFilters:
    q: str = ""
    tool: str = ""
    department: int | None = None
    outcome: str = ""


def _matching(qs: QuerySet[Movement], words: list[str]) -> QuerySet[Movement]:
    """Every word somewhere in the movement, its decision's rationale or its feedback (title, body, and what drove
    the success or got in the way). icontains escapes % and _, so a search for "%" is a search for "%"."""
    for word in words:
        in_rationale = StageChange.objects.filter(movement=OuterRef("pk"), rationale__icontains=word)
        in_feedback = Feedback.objects.filter(movement=OuterRef("pk"), hidden_at__isnull=True).filter(
            Q(title__icontains=word) | Q(body__icontains=word) | Q(cause__icontains=word)
        )
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(pitch__icontains=word)
            | Q(problem__icontains=word)
            | Q(use_cases__icontains=word)
            | Q(tool__icontains=word)
            | Q(hypothesis__icontains=word)
            | Q(success_measure__icontains=word)
            | Exists(in_rationale)
            | Exists(in_feedback)
        )
    return qs


# Apps above this one add to each lesson of a page (the pilots app: its measures and their results), each in
# a fixed number of queries for the whole page: `@lessons_extend def add(movements): ...`.
_extensions: list[Callable[[list[Movement]], None]] = []


def lessons_extend(extension: Callable[[list[Movement]], None]) -> Callable[[list[Movement]], None]:
    _extensions.append(extension)
    return extension


def lessons_page(*, viewer, filters: LessonFilters, page_number) -> dict:
    visible = Movement.objects.visible_to(viewer).filter(stage__in=OUTCOMES)
    qs = visible
    if filters.outcome in OUTCOMES:
        qs = qs.filter(stage=filters.outcome)
    if filters.tool:
        qs = qs.filter(tool__iexact=filters.tool)
    if filters.department:
        # A movement's department is its founder's (as on the dashboards), with sub-departments.
        path = Department.objects.filter(pk=filters.department).values_list("path", flat=True).first()
        qs = qs.filter(founder__department__path__startswith=path) if path else qs.none()
    words = filters.q.split()[:SEARCH_WORDS]
    if words:
        qs = _matching(qs, words)
    qs = qs.select_related("founder", "department").order_by("-last_activity_at", "-pk")
    page: Page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    lessons = list(page.object_list)
    ids = [movement.pk for movement in lessons]
    decisions: dict[int, StageChange] = {}
    for change in StageChange.objects.filter(
        movement_id__in=ids, decision__in=[Decision.ADOPT, Decision.RETIRE]
    ).order_by("movement_id", "created_at", "pk"):
        decisions[change.movement_id] = change  # the latest wins
    posts = (
        Feedback.objects.filter(movement_id__in=ids, hidden_at__isnull=True)
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("movement_id"), F("kind")], order_by=[F("vote_count").desc(), F("pk")]
            )
        )
        .filter(place__lte=POSTS_PER_KIND)
        .order_by("movement_id", "kind", "place")
    )
    works: dict[int, list[Feedback]] = {}
    doesnt: dict[int, list[Feedback]] = {}
    for post in posts:
        (works if post.kind == Kind.WORKS else doesnt).setdefault(post.movement_id, []).append(post)
    for movement in lessons:
        movement.decision = decisions.get(movement.pk)
        movement.works = works.get(movement.pk, [])
        movement.doesnt = doesnt.get(movement.pk, [])
    if lessons:
        for extension in _extensions:
            extension(lessons)
    tools = list(visible.exclude(tool="").order_by("tool").values_list("tool", flat=True).distinct()[:200])
    return {"page": page, "lessons": lessons, "tools": tools, "departments": list(Department.objects.all())}

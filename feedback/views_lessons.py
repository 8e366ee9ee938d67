"""The lessons library: adopted and retired movements with what was learned. Reads only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from movements.models import Stage

from . import lessons
from .lessons import LessonFilters


def _clean(text: str, limit: int) -> str:
    return " ".join((text or "").replace("\x00", " ").split())[:limit]


def _filters(request: HttpRequest) -> LessonFilters:
    """Nonsense in the query string is ignored, never an error."""
    try:
        department = int(request.GET.get("department") or 0) or None
    except ValueError:
        department = None
    outcome = request.GET.get("outcome", "")
    return LessonFilters(
        q=_clean(request.GET.get("q", ""), lessons.SEARCH_CHARS),
        tool=_clean(request.GET.get("tool", ""), 120),
        department=department,
        outcome=outcome if outcome in lessons.OUTCOMES else "",
    )


@require_GET
def lessons_library(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    context = lessons.lessons_page(viewer=request.user, filters=filters, page_number=request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "filters": filters,
            "query": query.urlencode(),
            "filtered": bool(filters.q or filters.tool or filters.department or filters.outcome),
            "outcomes": [(Stage.ADOPTED, Stage.ADOPTED.label), (Stage.RETIRED, Stage.RETIRED.label)],
        }
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "feedback/lessons.html#results", context)
    return render(request, "feedback/lessons.html", context)

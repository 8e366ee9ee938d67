"""A person's page (their credit in one place) and the people directory. Reads only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from people.models import User

from . import people_selectors
from .people_selectors import DirectoryFilters, clean_search


@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        context = people_selectors.person_page(person_id=person_id, viewer=request.user)
    except User.DoesNotExist:
        raise Http404
    return render(request, "portal/person.html", context)


def _directory_filters(request: HttpRequest) -> DirectoryFilters:
    """Nonsense in the query string is ignored, never an error."""
    try:
        department = int(request.GET.get("department") or 0) or None
    except ValueError:
        department = None
    return DirectoryFilters(
        q=clean_search(request.GET.get("q", "")),
        department=department,
        tool=clean_search(request.GET.get("tool", ""))[:120],
    )


@require_GET
def people_directory(request: HttpRequest) -> HttpResponse:
    filters = _directory_filters(request)
    context = people_selectors.directory(viewer=request.user, filters=filters, page_number=request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "filters": filters,
            "query": query.urlencode(),
            "filtered": bool(filters.q or filters.department or filters.tool),
        }
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "portal/people_directory.html#results", context)
    return render(request, "portal/people_directory.html", context)

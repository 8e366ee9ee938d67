"""Similar movements while the start form is typed (htmx, debounced): the same URL is a plain page without
JavaScript. Reads only: the "follow this instead" buttons post to the ordinary follow URL."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import similar


@require_GET
def movement_similar(request: HttpRequest) -> HttpResponse:
    title = request.GET.get("title", "")
    problem = request.GET.get("problem", "")
    context = {
        "similar": similar.similar_movements(viewer=request.user, title=title, problem=problem),
        "typed": len(similar.typed_text(title, problem)) >= similar.MIN_CHARS,
        "title": similar.typed_text(title),
        "problem": similar.typed_text(problem),
    }
    if request.htmx:
        return render(request, "movements/similar.html#similar-list", context)
    return render(request, "movements/similar.html", context)

"""Similar posts and movements while the feedback form is typed (htmx, debounced): the same URL is a plain
page without JavaScript. Reads only: "me too on this instead" posts to the ordinary vote URL, "follow this
instead" to the follow URL. The form does not ask while "post anonymously" is ticked (static/js/similar.js)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from movements.similar import MIN_CHARS, typed_text

from . import similar


@require_GET
def feedback_similar(request: HttpRequest) -> HttpResponse:
    title = request.GET.get("title", "")
    body = request.GET.get("body", "")
    context = {
        "similar": similar.similar_things(viewer=request.user, title=title, body=body),
        "typed": len(typed_text(title, body)) >= MIN_CHARS,
        "title": typed_text(title),
        "body": typed_text(body),
    }
    if request.htmx:
        return render(request, "feedback/similar.html#similar-list", context)
    return render(request, "feedback/similar.html", context)
